import { WORKER_DEFAULTS } from '../config/defaults.js';
import { HookyardError } from '../errors.js';
import { cidrListParse, type Cidr } from '../outbound/address.js';
import type { AttemptSettings } from './attempt.js';

/** Everything a worker can be tuned with; every field has a default (src/config/defaults.ts). */
export interface WorkerOptions {
  /** Attempts in flight in this worker to endpoints that answer promptly. */
  concurrency?: number;
  /** Attempts in flight to slow endpoints, on top of `concurrency`, so they cannot take its slots. */
  slowConcurrency?: number;
  /** Attempts in flight to one endpoint from this worker, at most; an endpoint's share grows to this. */
  endpointConcurrency?: number;
  /** An attempt unanswered after this long leaves its slot, and its endpoint counts as slow (ms). */
  slowAfterMs?: number;
  /** Most deliveries claimed per query. */
  batchSize?: number;
  /** How long a claimed delivery stays hidden from other workers (ms); must outlast an attempt. */
  leaseMs?: number;
  /** Fallback poll when no notification arrives (ms); also how soon another worker's expired lease is noticed. */
  pollIntervalMs?: number;
  /** Delays before each retry (ms), after the first, immediate attempt. */
  retrySchedule?: number[];
  /** ±fraction applied to each retry delay. */
  retryJitter?: number;
  /** Whole-attempt timeout (ms). */
  attemptTimeoutMs?: number;
  connectTimeoutMs?: number; // ms
  /** CIDRs the SSRF guard lets through, e.g. "127.0.0.0/8,::1/128" for local development. */
  allowCidrs?: string | Cidr[];
  requireHttps?: boolean;
  /** Response bytes kept per attempt. */
  maxResponseBytes?: number;
  /** Retry-After (429/503) is honoured within these bounds (ms). */
  retryAfterMinMs?: number;
  retryAfterMaxMs?: number;
  /** Write-back: results are committed together after this long (ms) or at this many. */
  flushDelayMs?: number;
  flushSize?: number;
  /** Randomness for jitter, [0, 1). */
  random?: () => number;
}

export interface WorkerSettings {
  concurrency: number;
  slowConcurrency: number;
  endpointConcurrency: number;
  slowAfterMs: number;
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  connectTimeoutMs: number;
  allow: Cidr[];
  flushDelayMs: number;
  flushSize: number;
  random: () => number;
  attempt: AttemptSettings;
}

export function workerSettings(o: WorkerOptions = {}): WorkerSettings {
  const d = WORKER_DEFAULTS;
  const attemptTimeoutMs = o.attemptTimeoutMs ?? d.attemptTimeoutMs;
  const leaseMs = o.leaseMs ?? Math.max(d.leaseMs, attemptTimeoutMs * 2);
  // A lease shorter than an attempt would let a second worker send a delivery that is still in flight.
  if (leaseMs < attemptTimeoutMs + 1_000) {
    throw new HookyardError('config', `the lease (${leaseMs} ms) must outlast an attempt (${attemptTimeoutMs} ms) by at least 1 s`);
  }
  const allow = typeof o.allowCidrs === 'string' ? cidrListParse(o.allowCidrs) : (o.allowCidrs ?? []);
  return {
    concurrency: o.concurrency ?? d.concurrency,
    slowConcurrency: o.slowConcurrency ?? d.slowConcurrency,
    endpointConcurrency: o.endpointConcurrency ?? d.endpointConcurrency,
    // An attempt must be able to turn slow before it times out, or a hanging endpoint would keep its slots.
    slowAfterMs: Math.min(o.slowAfterMs ?? d.slowAfterMs, Math.floor(attemptTimeoutMs / 2)),
    batchSize: o.batchSize ?? d.batchSize,
    leaseMs,
    pollIntervalMs: o.pollIntervalMs ?? d.pollIntervalMs,
    connectTimeoutMs: Math.min(o.connectTimeoutMs ?? d.connectTimeoutMs, attemptTimeoutMs),
    allow,
    flushDelayMs: o.flushDelayMs ?? d.flushDelayMs,
    flushSize: o.flushSize ?? d.flushSize,
    random: o.random ?? Math.random,
    attempt: {
      retry: { schedule: o.retrySchedule ?? [...d.retrySchedule], jitter: o.retryJitter ?? d.retryJitter },
      retryAfter: { min: o.retryAfterMinMs ?? d.retryAfterMinMs, max: o.retryAfterMaxMs ?? d.retryAfterMaxMs },
      attemptTimeoutMs,
      maxResponseBytes: o.maxResponseBytes ?? d.maxResponseBytes,
      requireHttps: o.requireHttps ?? false,
    },
  };
}
