import { randomFillSync } from 'node:crypto';

/** Prefixes follow Svix, so ids read the same in both systems. */
export type IdPrefix = 'app' | 'ep' | 'msg' | 'atmpt' | 'src' | 'tok' | 'evt' | 'qtask' | 'inreq';

// Ascending ASCII order, so a fixed-width encoding sorts like the number it encodes.
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const WIDTH = 27; // 62^27 > 2^160
const BASE = 62n;

// Random bytes drawn from the CSPRNG 4 KB at a time: ids are made at the publish, delivery and
// receive rates, and each small synchronous draw cost more than the id's encoding. For ids and
// request ids only, which are not secrets (secrets and tokens draw randomBytes of their own).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
export function pooledRandom(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool.subarray(poolAt, (poolAt += n));
}

/**
 * A prefixed id that sorts by creation time: 48 bits of milliseconds then 112
 * random bits, encoded base62 at a fixed width (like a KSUID, at ms precision).
 * Ids made in the same millisecond sort randomly among themselves.
 */
export function newId(prefix: IdPrefix, now: number = Date.now(), random: (n: number) => Buffer = pooledRandom): string {
  const bytes = Buffer.alloc(20);
  bytes.writeUIntBE(now, 0, 6);
  random(14).copy(bytes, 6);
  return encode(prefix, bytes);
}

/**
 * The smallest id that `newId` can make at `time`: every id made earlier sorts
 * below it. Lets "older than" queries use the primary key instead of a time index.
 */
export function idBoundary(prefix: IdPrefix, time: number): string {
  const bytes = Buffer.alloc(20);
  bytes.writeUIntBE(time, 0, 6);
  return encode(prefix, bytes);
}

function encode(prefix: IdPrefix, bytes: Buffer): string {
  // Long division by 62 over five 32-bit words: attempt ids are made at the delivery rate,
  // and this is several times cheaper than BigInt arithmetic. Every intermediate value stays
  // below 62 * 2^32, exact in a double.
  const words = [0, 4, 8, 12, 16].map((at) => bytes.readUInt32BE(at));
  const out = new Array<string>(WIDTH);
  for (let i = WIDTH - 1; i >= 0; i--) {
    let remainder = 0;
    for (let w = 0; w < words.length; w++) {
      const current = remainder * 0x1_0000_0000 + words[w]!;
      words[w] = Math.floor(current / 62);
      remainder = current - words[w]! * 62;
    }
    out[i] = ALPHABET[remainder]!;
  }
  return `${prefix}_${out.join('')}`;
}

/** The creation time encoded in an id made by `newId`, or undefined if it is not one. */
export function idTime(id: string): Date | undefined {
  const body = id.slice(id.indexOf('_') + 1);
  if (body.length !== WIDTH) return undefined;
  let n = 0n;
  for (const ch of body) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    n = n * BASE + BigInt(digit);
  }
  return new Date(Number(n >> 112n));
}

/** True when `value` has the shape of one of our ids with this prefix (so it is not a uid). */
export function isId(prefix: IdPrefix, value: string): boolean {
  return value.length === prefix.length + 1 + WIDTH && value.startsWith(prefix + '_') && idTime(value) !== undefined;
}
