import { newId } from '../ids/id.js';
import type { Logger } from '../log.js';
import type { Queryable } from '../store/port.js';
import type { RequestLogEntry } from './model.js';
import { requestLogInsert } from './request-log-sql.js';

/** A request that was not recorded with an event: rejected, or answered as a handshake. */
export type LogEntry = Omit<RequestLogEntry, 'id' | 'count'>;

export interface RequestLogOptions {
  /** Rows per source (and for unknown keys, together) written one by one each minute; beyond, aggregated. */
  perSourcePerMinute?: number;
  flushMs?: number; // ms
  /** Aggregated rows are written this often (ms): one per source, outcome, reason and status. */
  aggregateMs?: number; // ms
  /** Rows waiting for a write beyond this are aggregated too (the database is slow). */
  maxBuffered?: number;
  now?: () => number;
  /**
   * Called once per request with its outcome for the dashboard's counters (`inbound.request`):
   * the reason of a rejection (`signature_invalid`, `rate_limited`, …), else `accepted`,
   * `duplicate` or `handshake`. Every request counts, aggregated ones included.
   */
  count?: (outcome: string) => void;
}

interface Aggregate {
  entry: LogEntry;
  count: number;
  durationSum: number;
}

/**
 * Writes the log rows of requests that recorded no event (accepted ones are written by the
 * statement that records them, src/inbound/record.ts). Writes are batched, and bounded: each
 * source writes at most `perSourcePerMinute` rows a minute one by one; past that, requests are
 * counted into one row per (source, outcome, reason, status) every `aggregateMs`, with `count`
 * saying how many it stands for. An attacker hammering a URL with bad signatures therefore
 * writes a few rows a minute, however fast it sends.
 */
export function requestLogWriter(db: Queryable, log: Logger, options: RequestLogOptions = {}) {
  const { perSourcePerMinute = 60, flushMs = 200, aggregateMs = 10_000, maxBuffered = 1_000, now = () => Date.now(), count = () => {} } = options;
  const windows = new Map<string, { start: number; written: number }>();
  const aggregates = new Map<string, Aggregate>();
  let buffer: RequestLogEntry[] = [];
  let flushing: Promise<void> | undefined;
  let lastAggregate = now();

  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  function aggregate(entry: LogEntry): void {
    const key = `${entry.sourceId ?? ''}|${entry.outcome}|${entry.reason ?? ''}|${entry.status}`;
    const a = aggregates.get(key);
    if (a) {
      a.count++;
      a.durationSum += entry.durationMs;
      a.entry = { ...entry, size: Math.max(a.entry.size, entry.size), receivedAt: a.entry.receivedAt };
    } else {
      aggregates.set(key, { entry, count: 1, durationSum: entry.durationMs });
    }
  }

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    const t = now();
    if (t - lastAggregate >= aggregateMs) {
      lastAggregate = t;
      for (const a of aggregates.values()) {
        buffer.push({ ...a.entry, id: newId('inreq', a.entry.receivedAt.getTime()), count: a.count, durationMs: a.durationSum / a.count, headers: {} });
      }
      aggregates.clear();
    }
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    flushing = requestLogInsert(db, rows)
      .catch((error: unknown) => log.warn({ err: error, rows: rows.length }, 'inbound request log: rows not written'))
      .finally(() => (flushing = undefined));
    return flushing;
  }

  return {
    write(entry: LogEntry): void {
      count(entry.reason ?? entry.outcome);
      const t = now();
      const key = entry.sourceId ?? '';
      let w = windows.get(key);
      if (!w || t - w.start >= 60_000) {
        if (windows.size >= 100_000) windows.clear();
        windows.set(key, (w = { start: t, written: 0 }));
      }
      if (w.written < perSourcePerMinute && buffer.length < maxBuffered) {
        w.written++;
        buffer.push({ ...entry, id: newId('inreq', entry.receivedAt.getTime()), count: 1 });
      } else {
        aggregate(entry);
      }
    },
    /** Counts a request whose row the recording statement wrote (src/inbound/record.ts). */
    recorded(outcome: 'accepted' | 'duplicate'): void {
      count(outcome);
    },
    /** Writes everything pending, aggregates included (tests; shutdown). */
    async flush(): Promise<void> {
      await flushing;
      lastAggregate = -Infinity;
      await flush();
      await flushing;
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type RequestLogWriter = ReturnType<typeof requestLogWriter>;
