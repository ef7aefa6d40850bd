import type { AttemptErrorCode } from '../attempt/model.js';
import type { SendResult } from '../outbound/send.js';
import { retryAfterParse, retryDelay, type RetryAfterBounds, type RetryPolicy } from './schedule.js';

/** What one attempt came to. */
export type AttemptOutcome =
  | { kind: 'succeeded'; status: number }
  /** A response that is not 2xx (3xx included: redirects are not followed). */
  | { kind: 'rejected'; status: number; retryAfterMs: number | undefined }
  /** 410: the receiver asks us to stop for good. */
  | { kind: 'gone' }
  | { kind: 'no_response'; errorClass: AttemptErrorCode };

export function outcomeOf(result: SendResult, now: Date, bounds: RetryAfterBounds): AttemptOutcome {
  if (result.kind === 'error') return { kind: 'no_response', errorClass: result.errorClass };
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'succeeded', status };
  if (status === 410) return { kind: 'gone' };
  const honoured = status === 429 || status === 503;
  return { kind: 'rejected', status, retryAfterMs: honoured ? retryAfterParse(result.headers['retry-after'], now, bounds) : undefined };
}

/** The delivery's next step after an attempt. */
export type NextStep = { state: 'succeeded' } | { state: 'failed'; gone: boolean } | { state: 'pending'; delayMs: number };

/**
 * Pure: success ends the delivery; 410 fails it at once; otherwise the retry
 * schedule decides, with Retry-After (429/503) used instead of the scheduled
 * delay when given. A one-shot (manual) attempt is never retried.
 */
export function nextStep(outcome: AttemptOutcome, attemptsMade: number, oneShot: boolean, policy: RetryPolicy, random: () => number): NextStep {
  if (outcome.kind === 'succeeded') return { state: 'succeeded' };
  if (outcome.kind === 'gone') return { state: 'failed', gone: true };
  if (oneShot) return { state: 'failed', gone: false };
  const scheduled = retryDelay(policy, attemptsMade, random);
  if (scheduled === undefined) return { state: 'failed', gone: false };
  const retryAfter = outcome.kind === 'rejected' ? outcome.retryAfterMs : undefined;
  return { state: 'pending', delayMs: retryAfter ?? scheduled };
}
