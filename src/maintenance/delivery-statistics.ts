import type { Logger } from '../log.js';
import type { Storage } from '../store/port.js';

export interface DeliveryStatisticsOptions {
  /** Results written between two runs. */
  every?: number;
  /** With autovacuum, analyze at most this often (ms). */
  analyzeEveryMs?: number;
  now?: () => number; // ms, monotonic
}

/**
 * Keeps the delivery table's statistics fresh while a worker writes results.
 *
 * Statistics go stale in a burst: autovacuum analyzes only after a minute or
 * more, and meanwhile the planner, expecting a handful of due rows, sorts every
 * due row instead of walking the delivery_due index and stopping at the batch
 * size. So after `every` results the worker analyzes the table itself, and
 * then at most once per `analyzeEveryMs` (the first analyze after a burst is
 * the one that matters; each costs a few hundred ms of database time). A
 * database without autovacuum (PGlite) is vacuumed too, every `every`
 * results: dead row versions of claimed and completed deliveries would
 * otherwise slow every claim.
 */
export function deliveryStatistics(storage: Storage, log: Logger, { every = 10_000, analyzeEveryMs = 60_000, now = () => performance.now() }: DeliveryStatisticsOptions = {}) {
  let since = 0;
  let lastAt = -Infinity;
  const { autovacuum } = storage.capabilities;
  return {
    /** Counts written results; runs the statement when it is due (the caller awaits it). */
    async written(rows: number): Promise<void> {
      if ((since += rows) < every) return;
      if (autovacuum && now() - lastAt < analyzeEveryMs) return;
      since = 0;
      lastAt = now();
      const sql = autovacuum ? 'analyze hookyard.delivery' : 'vacuum (analyze) hookyard.delivery';
      await storage.query(sql).catch((error: unknown) => log.warn({ err: error }, 'vacuum/analyze of hookyard.delivery failed'));
    },
  };
}
