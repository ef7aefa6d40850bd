/**
 * Token buckets per key, each with its own rate (requests per minute; a burst of a whole minute's
 * worth). In memory, so each API process enforces its own share. At most `maxKeys` buckets are
 * kept, the least recently used going first. Pure but for the clock, a parameter.
 */
export interface MinuteLimiter {
  /** 0 when the request may proceed (and counts), else the seconds until it could. */
  take(key: string, perMinute: number): number;
}

export function minuteLimiter({ maxKeys = 100_000, now = () => Date.now() }: { maxKeys?: number; now?: () => number } = {}): MinuteLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, perMinute) {
      if (perMinute <= 0) return 0;
      const t = now();
      const perMs = perMinute / 60_000;
      const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      // Re-inserting moves the key to the end, so the first key is the least recently used.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    },
  };
}

export interface InboundLimits {
  /** Per source key, unless the source sets its own. */
  perKeyPerMinute: number;
  perIpPerMinute: number;
  globalPerMinute: number;
}

/**
 * The receive path's three limits, checked global → client address → key; 0 turns one off.
 * Returns the seconds to wait (for Retry-After), or 0.
 */
export function inboundRateLimits(limits: InboundLimits, now?: () => number) {
  const limiter = minuteLimiter(now ? { now } : {});
  return {
    take(sourceId: string, clientIp: string, sourcePerMinute: number | null): number {
      return (
        limiter.take('*', limits.globalPerMinute) ||
        limiter.take(`ip:${clientIp}`, limits.perIpPerMinute) ||
        limiter.take(`src:${sourceId}`, sourcePerMinute ?? limits.perKeyPerMinute)
      );
    },
  };
}
