import { LATENCY_BUCKETS, latencyQuantile } from './histogram.js';
import type { HistogramSlotRow, RollupSlotRow } from './rollup-sql.js';

/** The dashboard's figures, from the rollups of a range (pure). */
export interface Stats {
  since: string;
  until: string;
  stepSeconds: number;
  /** One entry per step: its start. */
  time: string[];
  series: {
    messagesPublished: number[];
    deliveries: Record<'succeeded' | 'retrying' | 'failed', number[]>;
    latencyP50Ms: (number | null)[];
    latencyP99Ms: (number | null)[];
    /** Failed attempts (to any endpoint). */
    failedAttempts: number[];
    inbound: Record<string, number[]>;
    apiRequests: number[];
    apiErrors: number[];
  };
  totals: {
    messagesPublished: number;
    deliveries: Record<'succeeded' | 'retrying' | 'failed', number>;
    /** succeeded / all attempts, null without attempts. */
    successRate: number | null;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
    /** Endpoints with at least one failed attempt in the range (counted by whole hours). */
    failingEndpoints: number;
    inbound: Record<string, number>;
    apiRequests: number;
    apiErrors: number;
  };
  /** Per token over the range: requests, errors (>= 400), last use. */
  tokens: { id: string; name: string | null; requests: number; errors: number; lastUsedAt: string | null }[];
}

export interface TokenInfo {
  name: string;
  lastUsedAt: Date | null;
}

const OUTCOMES = ['succeeded', 'retrying', 'failed'] as const;

/**
 * `rows` are the counters per slot, `latency` the latency histogram's rows (one per minute);
 * percentiles come from the histograms merged per slot and over the range, in one pass.
 */
export function statsBuild(rows: RollupSlotRow[], latency: HistogramSlotRow[], range: { since: Date; until: Date; stepMs: number }, tokenInfo: Map<string, TokenInfo>): Stats {
  const slots = Math.max(1, Math.ceil((range.until.getTime() - range.since.getTime()) / range.stepMs));
  const zeros = () => new Array<number>(slots).fill(0);
  const series: Stats['series'] = {
    messagesPublished: zeros(),
    deliveries: { succeeded: zeros(), retrying: zeros(), failed: zeros() },
    latencyP50Ms: [],
    latencyP99Ms: [],
    failedAttempts: zeros(),
    inbound: {},
    apiRequests: zeros(),
    apiErrors: zeros(),
  };
  // One flat buffer of counts by slot and bucket (a day: 1,440 × 81).
  const histograms = new Float64Array(slots * LATENCY_BUCKETS);
  const total = new Array<number>(LATENCY_BUCKETS).fill(0);
  const perToken = new Map<string, { requests: number; errors: number }>();
  let failingTotal = 0;
  for (const { slot, metric, key, value } of rows) {
    if (slot === null) {
      if (metric === 'endpoint.failing') failingTotal = value;
      else {
        const t = perToken.get(key) ?? { requests: 0, errors: 0 };
        if (metric === 'api.request') t.requests += value;
        if (metric === 'api.error') t.errors += value;
        perToken.set(key, t);
      }
      continue;
    }
    if (slot < 0 || slot >= slots) continue;
    if (metric === 'message.published') series.messagesPublished[slot]! += value;
    else if (metric === 'delivery.attempt' && (OUTCOMES as readonly string[]).includes(key)) series.deliveries[key as (typeof OUTCOMES)[number]][slot]! += value;
    else if (metric === 'endpoint.failed') series.failedAttempts[slot]! += value;
    else if (metric === 'inbound.request') (series.inbound[key] ??= zeros())[slot]! += value;
    else if (metric === 'api.request') series.apiRequests[slot]! += value;
    else if (metric === 'api.error') series.apiErrors[slot]! += value;
  }
  for (const { slot, counts } of latency) {
    if (slot < 0 || slot >= slots) continue;
    const at = slot * LATENCY_BUCKETS;
    for (let b = 0; b < LATENCY_BUCKETS && b < counts.length; b++) {
      histograms[at + b]! += counts[b]!;
      total[b]! += counts[b]!;
    }
  }
  for (let slot = 0; slot < slots; slot++) {
    const h = histograms.subarray(slot * LATENCY_BUCKETS, (slot + 1) * LATENCY_BUCKETS);
    series.latencyP50Ms.push(latencyQuantile(h, 0.5));
    series.latencyP99Ms.push(latencyQuantile(h, 0.99));
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const deliveries = { succeeded: sum(series.deliveries.succeeded), retrying: sum(series.deliveries.retrying), failed: sum(series.deliveries.failed) };
  const attempts = deliveries.succeeded + deliveries.retrying + deliveries.failed;
  return {
    since: range.since.toISOString(),
    until: range.until.toISOString(),
    stepSeconds: range.stepMs / 1000,
    time: Array.from({ length: slots }, (_, i) => new Date(range.since.getTime() + i * range.stepMs).toISOString()),
    series,
    totals: {
      messagesPublished: sum(series.messagesPublished),
      deliveries,
      successRate: attempts === 0 ? null : deliveries.succeeded / attempts,
      latencyP50Ms: latencyQuantile(total, 0.5),
      latencyP99Ms: latencyQuantile(total, 0.99),
      failingEndpoints: failingTotal,
      inbound: Object.fromEntries(Object.entries(series.inbound).map(([k, v]) => [k, sum(v)])),
      apiRequests: sum(series.apiRequests),
      apiErrors: sum(series.apiErrors),
    },
    tokens: [...perToken]
      .map(([id, t]) => ({ id, name: id === '' ? null : (tokenInfo.get(id)?.name ?? null), ...t, lastUsedAt: tokenInfo.get(id)?.lastUsedAt?.toISOString() ?? null }))
      .sort((a, b) => b.requests - a.requests),
  };
}

/** Steps of whole minutes, so that a range is at most `maxPoints` steps. */
export function statsStepMs(since: Date, until: Date, maxPoints = 1440): number {
  const minutes = Math.max(1, Math.ceil((until.getTime() - since.getTime()) / 60_000));
  return Math.ceil(minutes / maxPoints) * 60_000;
}
