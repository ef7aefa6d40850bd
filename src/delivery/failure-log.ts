import type { Attempt } from '../attempt/model.js';
import type { Logger } from '../log.js';
import type { Completion } from './model.js';

export interface FailureLogOptions {
  /** One line per endpoint per this long at most; the failures in between are counted (ms). */
  everyMs?: number;
  /** And at most this many lines per `everyMs` in all, so many dead endpoints cannot flood the log either. */
  linesPerInterval?: number;
  /** Endpoints remembered; past that the memory starts over. */
  maxEndpoints?: number;
  now?: () => number; // ms
}

/**
 * One `warn` line per failed attempt, bounded: the first failure of an
 * endpoint is logged at once, later ones at most once per `everyMs` for that
 * endpoint, each line saying how many were left out since the last. Lines
 * carry ids, the error class and the status: never the URL (it may hold a
 * token), headers, bodies or secrets.
 */
export class FailureLog {
  private readonly endpoints = new Map<string, { at: number; suppressed: number }>();
  private windowAt = -Infinity;
  private windowLines = 0;
  private readonly everyMs: number;
  private readonly linesPerInterval: number;
  private readonly maxEndpoints: number;
  private readonly now: () => number;

  constructor(
    private readonly log: Logger,
    { everyMs = 10_000, linesPerInterval = 100, maxEndpoints = 10_000, now = Date.now }: FailureLogOptions = {},
  ) {
    this.everyMs = everyMs;
    this.linesPerInterval = linesPerInterval;
    this.maxEndpoints = maxEndpoints;
    this.now = now;
  }

  /** Notes a finished attempt; logs it if it failed and the bounds allow. Returns whether a line was written. */
  record(attempt: Attempt, completion: Completion): boolean {
    if (attempt.succeeded) return false;
    const now = this.now();
    let seen = this.endpoints.get(attempt.endpointId);
    if (seen && now - seen.at < this.everyMs) {
      seen.suppressed++;
      return false;
    }
    if (now - this.windowAt >= this.everyMs) {
      this.windowAt = now;
      this.windowLines = 0;
    }
    if (this.windowLines >= this.linesPerInterval) {
      if (seen) seen.suppressed++;
      return false;
    }
    this.windowLines++;
    if (!seen) {
      if (this.endpoints.size >= this.maxEndpoints) this.endpoints.clear();
      seen = { at: now, suppressed: 0 };
      this.endpoints.set(attempt.endpointId, seen);
    }
    this.log.warn(
      {
        endpointId: attempt.endpointId,
        messageId: attempt.messageId,
        attempt: attempt.attemptNumber,
        errorCode: attempt.errorCode, // null when the receiver answered: then the status says it
        status: attempt.responseStatus,
        next: completion.state === 'pending' ? `retry in ${completion.delayMs} ms` : completion.state,
        ...(seen.suppressed ? { suppressed: seen.suppressed } : {}),
      },
      'delivery attempt failed',
    );
    seen.at = now;
    seen.suppressed = 0;
    return true;
  }
}
