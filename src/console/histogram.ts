/**
 * Delivery latency as counters: bucket i (1..80) holds durations in
 * [2^((i-1)/4), 2^(i/4)) ms, bucket 0 those under 1 ms; four buckets per
 * doubling, so a quantile read from them is at most 19% above the truth.
 * Counters add up across minutes and processes, which quantiles do not.
 */
export const LATENCY_BUCKETS = 81;

export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, Math.floor(Math.log2(ms) * 4) + 1);
}

/** The upper bound of a bucket, in ms. */
export const latencyBucketUpper = (bucket: number): number => (bucket === 0 ? 1 : Math.round(2 ** (bucket / 4)));

/** The q-quantile (0..1) of counts by bucket, as the bucket's upper bound (ms); null when there are none. */
export function latencyQuantile(counts: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] ?? 0;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return latencyBucketUpper(i);
  }
  return latencyBucketUpper(counts.length - 1);
}
