import type { Config } from '../config/config.js';
import { HookyardError } from '../errors.js';
import { cidrListParse, type Cidr } from '../outbound/address.js';
import type { AttemptSettings } from './attempt.js';
import { DEFAULT_RETRY_AFTER_BOUNDS, DEFAULT_RETRY_JITTER, DEFAULT_RETRY_SCHEDULE } from './schedule.js';

/** Everything a worker can be tuned with; every field has a default. */
export interface WorkerOptions {
  /** Attempts in flight in this worker. */
  concurrency?: number;
  /** Attempts in flight to one endpoint from this worker, so a slow endpoint cannot take every slot. */
  endpointConcurrency?: number;
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
  endpointConcurrency: number;
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

export const WORKER_DEFAULTS = {
  concurrency: 64,
  endpointConcurrency: 8,
  batchSize: 100,
  leaseMs: 60_000,
  pollIntervalMs: 1_000,
  attemptTimeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  maxResponseBytes: 16 * 1024,
  flushDelayMs: 5,
  flushSize: 200,
} as const;

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
    endpointConcurrency: o.endpointConcurrency ?? d.endpointConcurrency,
    batchSize: o.batchSize ?? d.batchSize,
    leaseMs,
    pollIntervalMs: o.pollIntervalMs ?? d.pollIntervalMs,
    connectTimeoutMs: Math.min(o.connectTimeoutMs ?? d.connectTimeoutMs, attemptTimeoutMs),
    allow,
    flushDelayMs: o.flushDelayMs ?? d.flushDelayMs,
    flushSize: o.flushSize ?? d.flushSize,
    random: o.random ?? Math.random,
    attempt: {
      retry: { schedule: o.retrySchedule ?? [...DEFAULT_RETRY_SCHEDULE], jitter: o.retryJitter ?? DEFAULT_RETRY_JITTER },
      retryAfter: { min: o.retryAfterMinMs ?? DEFAULT_RETRY_AFTER_BOUNDS.min, max: o.retryAfterMaxMs ?? DEFAULT_RETRY_AFTER_BOUNDS.max },
      attemptTimeoutMs,
      maxResponseBytes: o.maxResponseBytes ?? d.maxResponseBytes,
      requireHttps: o.requireHttps ?? false,
    },
  };
}

/** The worker options the configuration (environment, flags) sets. */
export function workerOptionsFromConfig(config: Config): WorkerOptions {
  return {
    concurrency: config.workerConcurrency,
    endpointConcurrency: config.endpointConcurrency,
    batchSize: config.workerBatchSize,
    ...(config.leaseMs ? { leaseMs: config.leaseMs } : {}),
    pollIntervalMs: config.pollIntervalMs,
    retrySchedule: config.retrySchedule,
    retryJitter: config.retryJitter,
    attemptTimeoutMs: config.attemptTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    allowCidrs: config.allowCidrs,
    requireHttps: config.requireHttps,
    maxResponseBytes: config.maxResponseBytes,
  };
}
