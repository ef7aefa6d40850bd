import ipaddr from 'ipaddr.js';

/**
 * A token bucket per key: `perSecond` on average, bursts of up to `burst`.
 * In memory, so each API process enforces its own share. At most `maxKeys`
 * buckets are kept; the least recently used goes first. Pure except for the
 * clock, which is a parameter.
 */
export interface RateLimiter {
  /** 0 when the request may proceed, else how many seconds to wait. */
  take(key: string): number;
}

export function rateLimiter({ perSecond, burst = perSecond * 2, maxKeys = 100_000, now = () => Date.now() }: { perSecond: number; burst?: number; maxKeys?: number; now?: () => number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      if (perSecond <= 0) return 0;
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      // Re-inserting moves the key to the end, so the first key is the least recently used.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
  };
}

/**
 * The key failed logins are counted under: the client's address, with IPv6
 * by its /64 (one host usually holds a whole /64, and could otherwise rotate
 * through it), and IPv4-mapped IPv6 as the IPv4 address.
 */
export function clientKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}
