import { databaseUnavailable, unavailableReason } from '../store/unavailable.js';
import type { Logger } from '../log.js';
import type { Queryable } from '../store/port.js';
import { LATENCY_BUCKETS, latencyBucket } from './histogram.js';
import { rollupAddMany, type HistogramAdd, type RollupAdd } from './rollup-sql.js';

/**
 * Per-minute counters for the dashboard, kept as work happens. `add` is a Map
 * increment in this process (well under a microsecond); every `flushMs` the
 * counters go to hookyard.rollup_minute in one upsert that adds to what
 * other processes wrote, so several API and worker processes add up. Counters
 * not yet flushed are lost if the process dies (at most `flushMs` of them);
 * a failed flush keeps them for the next one (up to `maxKeys` keys).
 *
 * Metrics (key in brackets):
 * - `message.published` []: messages created (a repeated eventId is not counted);
 * - `delivery.attempt` [succeeded | retrying | failed]: attempts by outcome (failed: no retry left);
 * - `delivery.latency`: attempt durations as a histogram (histogram.ts), one row per minute in
 *   hookyard.rollup_histogram (an array of counts by bucket, migration 024);
 * - `endpoint.failed` [endpoint id]: attempts that failed, per endpoint;
 * - `inbound.request` [outcome]: inbound requests, for src/inbound (e.g. accepted, rejected reasons);
 * - `api.request`, `api.error` [token id, '' when unauthenticated]: API requests, and those answered >= 400.
 *
 * Keys that name an endpoint or a token are many, so those counters are kept per hour (in the row
 * of the hour's first minute), and each also adds to a per-minute total under the key ''. The
 * dashboard reads a few rows per minute whatever the number of endpoints and tokens.
 */
export const HOURLY_KEYED = new Set(['endpoint.failed', 'api.request', 'api.error']);
const HOUR = 3_600_000;
export interface Rollups {
  add(metric: string, key?: string, n?: number): void;
  /** An attempt's duration, into the latency histogram. */
  latency(ms: number): void;
  /** Writes what has been counted so far. */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  stop(): Promise<void>;
  stats(): { pendingKeys: number; flushes: number; flushMs: number; dropped: number };
}

export interface RollupOptions {
  flushMs?: number; // ms
  maxKeys?: number;
  now?: () => number;
  log?: Logger;
}

const SEP = '\u0000';
const MINUTE = 60_000;

export function rollups(db: Queryable, { flushMs = 2_000, maxKeys = 100_000, now = () => Date.now(), log }: RollupOptions = {}): Rollups {
  let counts = new Map<string, number>();
  // The latest time each token was seen, for api_token.last_used_at.
  let seen = new Map<string, number>();
  // Latency histograms by minute: one array of counts each, so a minute is one row however spread.
  let histograms = new Map<number, number[]>();
  let flushing: Promise<void> | undefined;
  const counters = { flushes: 0, flushMs: 0, dropped: 0 };

  function count(k: string, n: number): void {
    const had = counts.get(k);
    if (had === undefined && counts.size >= maxKeys) {
      counters.dropped += n;
      return;
    }
    counts.set(k, (had ?? 0) + n);
  }

  function add(metric: string, key = '', n = 1): void {
    const at = now();
    if (key !== '' && HOURLY_KEYED.has(metric)) {
      count(`${at - (at % HOUR)}${SEP}${metric}${SEP}${key}`, n);
      if (metric === 'api.request') seen.set(key, at);
      key = '';
    }
    count(`${at - (at % MINUTE)}${SEP}${metric}${SEP}${key}`, n);
  }

  function latency(ms: number): void {
    const at = now();
    const minute = at - (at % MINUTE);
    let h = histograms.get(minute);
    if (!h) histograms.set(minute, (h = new Array<number>(LATENCY_BUCKETS).fill(0)));
    h[latencyBucket(ms)]!++;
  }

  async function writeOnce(): Promise<void> {
    if (counts.size === 0 && seen.size === 0 && histograms.size === 0) return;
    const batch = counts;
    const tokens = seen;
    const hist = histograms;
    counts = new Map();
    seen = new Map();
    histograms = new Map();
    const rows: RollupAdd[] = [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, value]) => {
      const [minute, metric, key] = k.split(SEP);
      return { minute: Number(minute), metric: metric!, key: key!, value };
    });
    const started = performance.now();
    try {
      const histRows: HistogramAdd[] = [...hist].sort(([a], [b]) => a - b).map(([minute, counts]) => ({ minute, metric: 'delivery.latency', counts }));
      await rollupAddMany(db, rows, [...tokens].sort().map(([id, at]) => ({ id, at: new Date(at) })), histRows);
      counters.flushes++;
      counters.flushMs += performance.now() - started;
    } catch (error) {
      // Kept for the next flush, added to what was counted meanwhile.
      for (const [k, v] of batch) {
        if (counts.size < maxKeys || counts.has(k)) counts.set(k, (counts.get(k) ?? 0) + v);
        else counters.dropped += v;
      }
      for (const [id, at] of tokens) seen.set(id, Math.max(at, seen.get(id) ?? 0));
      for (const [minute, h] of hist) {
        const had = histograms.get(minute);
        if (had) for (let i = 0; i < h.length; i++) had[i]! += h[i]!;
        else histograms.set(minute, h);
      }
      // An outage is logged once, where it starts and ends (store/outage.ts); a flush every few
      // seconds must not add a stack trace each time.
      if (databaseUnavailable(error)) log?.warn({ reason: unavailableReason(error), keys: batch.size }, 'rollup flush waits for the database; keeping the counters');
      else log?.warn({ err: error, keys: batch.size }, 'rollup flush failed; keeping the counters for the next one');
    }
  }

  const flush = async (): Promise<void> => {
    while (flushing) await flushing;
    flushing = writeOnce().finally(() => (flushing = undefined));
    await flushing;
  };

  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  return {
    add,
    latency,
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
    stats: () => ({ pendingKeys: counts.size + histograms.size, ...counters }),
  };
}
