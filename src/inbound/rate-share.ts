import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Queryable } from '../store/port.js';
import { databaseUnavailable, unavailableReason } from '../store/unavailable.js';
import { minuteLimiter, type MinuteLimiter } from './rate-limit.js';
import { inboundRateSync, type RateCount, type RateSyncResult } from './rate-sql.js';

/**
 * The receive path's rate limits held across API processes on one PostgreSQL database. Each
 * process enforces its own in-memory buckets (rate-limit.ts: no query per request) and, every
 * `syncMs`, shares in one statement (rate-sql.ts) what it admitted since the last sync and learns
 * what the others admitted, which it takes from its own buckets. So together they admit about
 * what one process would: the limit, plus what the other processes admitted since they last
 * heard of each other, at most two sync intervals' worth of their traffic (one for the admitting
 * process to write, one for the others to read). A process that starts reads the others' counts
 * of the last two minutes, so it does not begin with full buckets either.
 *
 * If the database is away the processes keep enforcing their own counts (each then admits up to
 * the whole limit) and share what they counted once it is back.
 */
export interface RateShare {
  limiter: MinuteLimiter;
  /** One sync now (tests; the timer calls it every `syncMs`). */
  sync(): Promise<void>;
  stop(): void;
}

export interface RateShareOptions {
  syncMs?: number; // ms
  log?: Logger;
  /** This process's name in the table; random by default. */
  process?: string;
  now?: () => number;
  maxKeys?: number;
  /** The statement, replaceable for tests of the pure part. */
  exchange?: (taken: Map<string, number>, since: Date | null) => Promise<RateSyncResult>;
}

// Rows changed just before the previous sync may have committed just after its snapshot: each
// sync reads back this far before the previous one (re-reading a row is harmless: counts are absolute).
const SINCE_MARGIN_MS = 5_000;
const MINUTE = 60_000;

export function rateShare(db: Queryable, { syncMs = 1_000, log, process = `p_${randomBytes(8).toString('hex')}`, now = () => Date.now(), maxKeys = 100_000, exchange }: RateShareOptions = {}): RateShare {
  // The other processes' counts as last read, per limit key: `${minute}:${process}` -> n.
  const others = new Map<string, Map<string, number>>();
  let since: Date | null = null;
  // The database's clock minus ours, so minutes are the database's in every process.
  let skew = 0;
  let syncing: Promise<void> | undefined;
  let away = false;

  const clock = () => now() + skew;

  /** Requests of `key` the others admitted recently, as a sliding minute: the previous minute weighted by what is left of it. */
  function elsewhere(key: string): number {
    const counts = others.get(key);
    if (!counts) return 0;
    const t = clock();
    const minute = Math.floor(t / MINUTE);
    const left = 1 - (t % MINUTE) / MINUTE;
    let sum = 0;
    for (const [k, n] of counts) {
      const m = Number(k.slice(0, k.indexOf(':')));
      if (m === minute) sum += n;
      else if (m === minute - 1) sum += n * left;
    }
    return sum;
  }

  const limiter = minuteLimiter({ maxKeys, now, tracked: true, elsewhere });

  function apply(rows: RateCount[], at: Date): void {
    for (const row of rows) {
      let counts = others.get(row.key);
      if (!counts) {
        if (others.size >= maxKeys) continue;
        others.set(row.key, (counts = new Map()));
      }
      const k = `${row.minute}:${row.process}`;
      const delta = row.n - (counts.get(k) ?? 0);
      counts.set(k, row.n);
      limiter.consume(row.key, delta);
    }
    const current = Math.floor(at.getTime() / MINUTE);
    for (const [key, counts] of others) {
      for (const k of counts.keys()) if (Number(k.slice(0, k.indexOf(':'))) < current - 1) counts.delete(k);
      if (counts.size === 0) others.delete(key);
    }
  }

  const run = exchange ?? ((taken, from) => inboundRateSync(db, process, taken, from));

  async function syncOnce(): Promise<void> {
    const taken = limiter.drain();
    const started = now();
    try {
      const { others: rows, at } = await run(taken, since);
      skew = at.getTime() - (started + now()) / 2;
      since = new Date(at.getTime() - SINCE_MARGIN_MS);
      apply(rows, at);
      if (away) log?.info('inbound rate limits shared again');
      away = false;
    } catch (error) {
      limiter.undrain(taken);
      if (!away) {
        if (databaseUnavailable(error)) log?.warn({ reason: unavailableReason(error) }, 'inbound rate limits: the database is away; each process counts alone until it is back');
        else log?.warn({ err: error }, 'inbound rate limits: sync failed; each process counts alone until it works');
      }
      away = true;
    }
  }

  const sync = async (): Promise<void> => {
    while (syncing) await syncing;
    syncing = syncOnce().finally(() => (syncing = undefined));
    await syncing;
  };

  const timer = setInterval(() => {
    if (!syncing) void sync();
  }, syncMs);
  timer.unref();

  return { limiter, sync, stop: () => clearInterval(timer) };
}
