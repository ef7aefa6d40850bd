import type { Logger } from '../log.js';
import { databaseUnavailable, unavailableReason } from './unavailable.js';

/**
 * Turns a stream of statement outcomes into one log line when the database
 * goes away and one when it is back, instead of a line (and a stack) per
 * failed request. One tracker is shared by every connection of a process: the
 * API's pool, the worker's pool and the LISTEN connection.
 */
export interface Outage {
  /** Reports a failure; one that means the database is away opens an outage if none is open. */
  failed(error: unknown): void;
  /**
   * Reports a statement that got an answer. It ends an open outage only if it was sent after the
   * outage began: one already in flight when the server started shutting down may still
   * complete, and says nothing about the database now. `sentAt` is on the tracker's clock
   * (`performance.now()` unless one was passed in).
   */
  succeeded(sentAt: number): void;
  /** Whether an outage is open. */
  readonly down: boolean;
}

export function outageTracker(log: Logger, now: () => number = () => performance.now()): Outage {
  let since: number | undefined;
  let failures = 0;
  return {
    get down() {
      return since !== undefined;
    },
    failed(error) {
      if (!databaseUnavailable(error)) return;
      failures++;
      if (since !== undefined) return;
      since = now();
      log.warn({ reason: unavailableReason(error) }, 'database unavailable: requests get 503 and deliveries wait until it is back');
    },
    succeeded(sentAt) {
      if (since === undefined || sentAt < since) return;
      log.info({ downMs: Math.round(now() - since), failures }, 'database available again');
      since = undefined;
      failures = 0;
    },
  };
}
