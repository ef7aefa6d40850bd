/**
 * A token bucket per API token: `perSecond` requests on average, bursts of up
 * to `burst`. In memory, so each API process enforces its own share.
 * Pure except for the clock, which is a parameter.
 */
export interface RateLimiter {
  /** 0 when the request may proceed, else how many seconds to wait. */
  take(key: string): number;
}

export function rateLimiter({ perSecond, burst = perSecond * 2, now = () => Date.now() }: { perSecond: number; burst?: number; now?: () => number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      if (perSecond <= 0) return 0;
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
  };
}
