/**
 * When to try again. Pure: the schedule, the jitter and the randomness are
 * parameters, so tests and operators can shorten or pin them.
 */
export interface RetryPolicy {
  /** Delays before the 2nd, 3rd, ... attempt (ms); the first attempt is immediate. */
  schedule: number[];
  /** Each delay is spread by ±jitter (0..1), so retries of a burst do not arrive together. */
  jitter: number;
}

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 28 hours. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const DEFAULT_RETRY_JITTER = 0.2;

/**
 * The delay before the next attempt after `attemptsMade` attempts (ms), or
 * undefined when the schedule is used up. `random` returns [0, 1).
 */
export function retryDelay(policy: RetryPolicy, attemptsMade: number, random: () => number): number | undefined {
  const base = policy.schedule[attemptsMade - 1];
  if (base === undefined || attemptsMade < 1) return undefined;
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + 2 * spread * random()));
}

export interface RetryAfterBounds {
  /** Shortest honoured delay (ms). */
  min: number;
  /** Longest honoured delay (ms); a receiver cannot park a delivery for days. */
  max: number;
}

export const DEFAULT_RETRY_AFTER_BOUNDS: RetryAfterBounds = { min: 1_000, max: 3_600_000 };

/**
 * Parses a Retry-After value (delta-seconds or an HTTP date) into a delay in
 * ms, clamped to `bounds`; undefined when absent or unparseable.
 */
export function retryAfterParse(value: string | undefined, now: Date, bounds: RetryAfterBounds = DEFAULT_RETRY_AFTER_BOUNDS): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(bounds.max, Math.max(bounds.min, ms));
}
