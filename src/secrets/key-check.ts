import { createHmac, timingSafeEqual } from 'node:crypto';
import { HookyardError } from '../errors.js';
import type { Queryable, Storage } from '../store/port.js';
import { secretKeyFile, stagedKeyCommit, stagedKeyRead } from './key-file.js';
import { createSealer } from './seal.js';

/**
 * The secret key's fingerprint: an HMAC of a fixed label under the key. It
 * tells keys apart without revealing anything about them, so the database
 * keeps it and every process checks its key against it at start: one given
 * another key is refused with a clear message, instead of starting and then
 * failing on every secret it opens.
 */
const LABEL = 'hookyard secret-key fingerprint v1';

export const secretKeyFingerprint = (key: Buffer): string => createHmac('sha256', key).update(LABEL).digest('hex');

/** Eight hex characters, enough for a person to tell two keys apart in a message. */
export const fingerprintShort = (fingerprint: string) => fingerprint.slice(0, 8);

export async function fingerprintGet(db: Queryable, { forUpdate = false } = {}): Promise<string | undefined> {
  const { rows } = await db.query<{ fingerprint: string }>(`select fingerprint from hookyard.secret_key${forUpdate ? ' for update' : ''}`);
  return rows[0]?.fingerprint;
}

/** Records the fingerprint unless one is there already; returns the one that is. */
async function fingerprintRecord(db: Queryable, fingerprint: string): Promise<string> {
  await db.query('insert into hookyard.secret_key (fingerprint) values ($1) on conflict (only_row) do nothing', [fingerprint]);
  return (await fingerprintGet(db))!;
}

export async function fingerprintUpdate(db: Queryable, fingerprint: string): Promise<void> {
  await db.query(
    `insert into hookyard.secret_key (fingerprint) values ($1)
     on conflict (only_row) do update set fingerprint = excluded.fingerprint, rotated_at = now()`,
    [fingerprint],
  );
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export interface KeySource {
  /** Embedded mode without a configured key: the key came from this data folder's `secret.key`. */
  dataDir?: string;
}

const whichKey = (source: KeySource) =>
  source.dataDir ? `HOOKYARD_DATA_DIR (--data-dir): the key in ${secretKeyFile(source.dataDir)}` : 'HOOKYARD_SECRET_KEY (--secret-key): this key';

function wrongKey(source: KeySource, given: string, expected: string): HookyardError {
  const fix = source.dataDir ? 'restore the folder\'s own secret.key' : 'start with that key';
  return new HookyardError(
    'secret_key',
    `${whichKey(source)} (fingerprint ${fingerprintShort(given)}) is not the one this database's secrets are sealed with (fingerprint ${fingerprintShort(expected)}); ${fix}, or change keys with \`hookyard secret-key rotate\` (docs/operations.md)`,
  );
}

/**
 * Checks the key against the database; on the first start after migration 010,
 * checks it against a stored secret and records its fingerprint. Returns the
 * key to use: in embedded mode, a rotation that committed in the database but
 * stopped before renaming the new key file is finished here.
 */
export async function secretKeyVerify(storage: Storage, key: Buffer, source: KeySource = {}): Promise<Buffer> {
  const given = secretKeyFingerprint(key);
  let expected = await fingerprintGet(storage);
  if (expected === undefined) {
    const { rows } = await storage.query<{ endpoint_id: string; sealed: Buffer | Uint8Array }>(
      'select endpoint_id, sealed from hookyard.endpoint_secret order by id desc limit 1',
    );
    const sample = rows[0];
    if (sample) {
      try {
        createSealer(key).open(Buffer.from(sample.sealed), sample.endpoint_id);
      } catch (cause) {
        throw new HookyardError('secret_key', `${whichKey(source)} does not open the secrets stored in this database; start with the key they were sealed with`, { cause });
      }
    }
    expected = await fingerprintRecord(storage, given);
  }
  if (same(given, expected)) return key;
  if (source.dataDir) {
    const staged = await stagedKeyRead(source.dataDir);
    if (staged && same(secretKeyFingerprint(staged), expected)) {
      await stagedKeyCommit(source.dataDir);
      return staged;
    }
  }
  throw wrongKey(source, given, expected);
}
