import { DATABASE_DEFAULTS } from '../store/settings.js';
import { DEFAULT_RETRY_AFTER_BOUNDS, DEFAULT_RETRY_JITTER, DEFAULT_RETRY_SCHEDULE } from '../delivery/schedule.js';

/**
 * Every default, once. The library's options (openHookyard, createApi,
 * startWorker) and the configuration's settings (src/config/config.ts) both
 * start from here, so a default cannot differ between the library and the
 * server. Units are in the names or the comments.
 */
export const DEFAULTS = {
  // The library (openHookyard).
  maxPayloadBytes: 1024 * 1024,
  /** How long a rotated-out signing secret keeps co-signing. */
  secretGraceMs: 24 * 60 * 60 * 1000,
  /** An endpoint is disabled after this many deliveries in a row fail for good (the design's 50), unless it sets its own. */
  endpointFailureThreshold: 50,
  /** ...or once it has failed without a success for this long (Svix: 5 days), found by the health pass (ms). */
  endpointFailingMs: 5 * 24 * 60 * 60 * 1000,
  /** PostgreSQL connections per pool; the connection settings' defaults are in src/store/settings.ts, beside the adapter. */
  poolSize: DATABASE_DEFAULTS.poolSize,
  // The API (createApi).
  bodyLimitBytes: 5 * 1024 * 1024,
  /** Requests per second per token, bursts of twice that; 0 turns the limit off. */
  rateLimit: 1000,
  /** How long an Idempotency-Key replays its first response (Svix keeps keys 24 h). */
  idempotencyRetentionMs: 24 * 60 * 60 * 1000,
  authCacheMs: 5_000,
  /** Console sessions: an unused session ends after the idle time; any session after the maximum (src/console/session.ts). */
  sessionIdleMs: 8 * 60 * 60 * 1000,
  sessionMaxMs: 7 * 24 * 60 * 60 * 1000,
  /** The dashboard's rollups are kept this long (the stats cover 31 days at most); an ended portal token a day. */
  rollupRetentionDays: 31,
  portalTokenKeepMs: 24 * 60 * 60 * 1000,
  /** The session cookie's Secure flag: 'auto' sets it for HTTPS requests (X-Forwarded-Proto from trusted proxies counts). */
  secureCookies: 'auto',
  /** Live updates (server-sent events): streams one process serves at most, and per console session (a browser allows about 6 connections per server). */
  liveStreamsMax: 1_000,
  liveStreamsPerSession: 5,
  /** Who may embed the app portal in an iframe (CSP frame-ancestors); the console itself may not be embedded. */
  portalFrameAncestors: "'self'",
  // Receiving webhooks (src/inbound/): per source unless the source sets its own.
  inboundMaxBodyBytes: 1024 * 1024,
  /** Requests per minute per source key, per client address, and in all; 0 turns one off. */
  inboundRateLimit: 100,
  inboundIpRateLimit: 1_000,
  inboundGlobalRateLimit: 10_000,
  /** How often API processes on one PostgreSQL database share their inbound rate counts (ms); src/inbound/rate-share.ts. */
  inboundRateSyncMs: 1_000,
  /** Rejected requests logged one by one per source and minute; beyond, counted into aggregate rows. */
  inboundLogRejectedPerMinute: 60,
  // The server (serve).
  role: 'all',
  host: '127.0.0.1',
  port: 8071,
  dataDir: './.hookyard',
  logLevel: 'info',
  retentionDays: 90,
  shutdownGraceMs: 10_000,
} as const;

/** The delivery worker's defaults (docs/delivery.md explains each). */
export const WORKER_DEFAULTS = {
  concurrency: 64,
  /** Attempts to slow endpoints, besides `concurrency`; see the ready queue. */
  slowConcurrency: 64,
  endpointConcurrency: 8,
  /** An attempt unanswered this long leaves its slot, and its endpoint counts as slow (ms). */
  slowAfterMs: 1_000,
  batchSize: 100,
  /** At least this long, and at least twice the attempt timeout (ms). */
  leaseMs: 60_000,
  pollIntervalMs: 1_000,
  attemptTimeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  maxResponseBytes: 16 * 1024,
  flushDelayMs: 5,
  flushSize: 200,
  retrySchedule: DEFAULT_RETRY_SCHEDULE,
  retryJitter: DEFAULT_RETRY_JITTER,
  retryAfterMinMs: DEFAULT_RETRY_AFTER_BOUNDS.min,
  retryAfterMaxMs: DEFAULT_RETRY_AFTER_BOUNDS.max,
} as const;

/** The retention cleaner's cadence: soon after start, then hourly. */
export const CLEANER_DEFAULTS = {
  firstAfterMs: 10_000,
  everyMs: 60 * 60 * 1000,
} as const;

/** The endpoint health pass's cadence (src/maintenance/schedule.ts): cheap, so soon after start, then every 10 minutes. */
export const HEALTH_PASS_DEFAULTS = {
  firstAfterMs: 30_000,
  everyMs: 10 * 60 * 1000,
} as const;

/** The console cleanup's cadence (ended sessions and portal tokens, old rollups): a minute after start, then hourly. */
export const CONSOLE_CLEANUP_DEFAULTS = {
  firstAfterMs: 60_000,
  everyMs: 60 * 60 * 1000,
} as const;

/** The statistics pass of a database without autovacuum (PGlite): src/maintenance/table-statistics.ts. */
export const TABLE_STATISTICS_DEFAULTS = {
  firstAfterMs: 60_000,
  everyMs: 5 * 60 * 1000,
} as const;

/** How often a process looks for background tasks (replay, recover) that a process which died left running. */
export const TASK_RESUME_DEFAULTS = {
  firstAfterMs: 10_000,
  everyMs: 30_000,
} as const;
