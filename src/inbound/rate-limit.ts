/**
 * Token buckets per key, each with its own rate (requests per minute; a burst of a whole minute's
 * worth). In memory: `take` is a Map lookup, never a query. At most `maxKeys` buckets are kept,
 * the least recently used going first. Pure but for the clock, a parameter.
 *
 * Several processes share the limits through rate-share.ts: each drains what it admitted (`drain`)
 * and is told what the others admitted (`consume`), which empties its own copy of each bucket as
 * if it had admitted those requests itself. Every copy refills at the same rate, so together the
 * processes admit what one bucket would, late by what the others admitted since they last heard
 * of each other. A bucket may go below zero (down to minus a minute's worth): that is how requests
 * the others admitted in the same instant are paid back, instead of both processes refilling as if
 * the other had admitted nothing.
 */
export interface MinuteLimiter {
  /** 0 when the request may proceed (and counts), else the seconds until it could. */
  take(key: string, perMinute: number): number;
  /** What this limiter admitted per key since the last drain (only when `tracked`). */
  drain(): Map<string, number>;
  /** Puts back a drain that could not be shared, to go with the next one. */
  undrain(taken: Map<string, number>): void;
  /** `n` requests of `key` admitted elsewhere: taken from this bucket, if this process has one. */
  consume(key: string, n: number): void;
}

export interface MinuteLimiterOptions {
  maxKeys?: number;
  now?: () => number;
  /** Keep what `take` admits for `drain` (the limits are shared with other processes). */
  tracked?: boolean;
  /**
   * Requests of `key` other processes admitted recently, for a bucket this process creates now:
   * it starts that much below full. Undefined: none.
   */
  elsewhere?: (key: string) => number;
}

interface Bucket {
  tokens: number;
  at: number; // ms
  perMinute: number;
}

export function minuteLimiter({ maxKeys = 100_000, now = () => Date.now(), tracked = false, elsewhere }: MinuteLimiterOptions = {}): MinuteLimiter {
  const buckets = new Map<string, Bucket>();
  let taken = new Map<string, number>();

  function refill(bucket: Bucket, t: number, perMinute: number): void {
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * (perMinute / 60_000));
    bucket.at = t;
    bucket.perMinute = perMinute;
  }

  return {
    take(key, perMinute) {
      if (perMinute <= 0) return 0;
      const t = now();
      const perMs = perMinute / 60_000;
      const bucket = buckets.get(key) ?? { tokens: perMinute - (elsewhere?.(key) ?? 0), at: t, perMinute };
      refill(bucket, t, perMinute);
      // Re-inserting moves the key to the end, so the first key is the least recently used.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        if (tracked && taken.size < maxKeys) taken.set(key, (taken.get(key) ?? 0) + 1);
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    },
    drain() {
      const out = taken;
      taken = new Map();
      return out;
    },
    undrain(back) {
      for (const [key, n] of back) if (taken.size < maxKeys || taken.has(key)) taken.set(key, (taken.get(key) ?? 0) + n);
    },
    consume(key, n) {
      const bucket = buckets.get(key);
      if (!bucket || n <= 0) return;
      refill(bucket, now(), bucket.perMinute);
      bucket.tokens = Math.max(-bucket.perMinute, bucket.tokens - n);
    },
  };
}

export interface InboundLimits {
  /** Per source key, unless the source sets its own. */
  perKeyPerMinute: number;
  perIpPerMinute: number;
  globalPerMinute: number;
}

export interface InboundRateLimits {
  /** Seconds to wait (for Retry-After), or 0. */
  take(sourceId: string, clientIp: string, sourcePerMinute: number | null): number;
}

/**
 * The receive path's three limits, checked global → client address → key; 0 turns one off.
 * Returns the seconds to wait (for Retry-After), or 0. `limiter` is one shared with other
 * processes (rate-share.ts); by default a limiter of this process alone.
 */
export function inboundRateLimits(limits: InboundLimits, limiter: MinuteLimiter = minuteLimiter()): InboundRateLimits {
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
