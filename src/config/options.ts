import type { ApiOptions } from '../api/app.js';
import type { WorkerOptions } from '../delivery/options.js';
import type { HookyardOptions } from '../hookyard.js';
import type { ConsoleCleanupOptions } from '../console/cleanup.js';
import type { CleanerOptions } from '../maintenance/cleaner.js';
import type { HealthPassOptions } from '../maintenance/endpoint-health.js';
import type { Config } from './config.js';
import { DEFAULTS } from './defaults.js';

/**
 * The one mapping from the configuration to the library's options. Each
 * setting maps to exactly one option here; the defaults are those of
 * src/config/defaults.ts on both sides.
 */

/** What openHookyard needs. */
export function hookyardOptionsFromConfig(config: Config): HookyardOptions {
  return {
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
    ...(config.secretKey ? { secretKey: config.secretKey } : {}),
    poolSize: config.poolSize,
    // The worker gets connections of its own only when it shares the process with the API.
    workerPoolSize: config.role === 'all' ? config.workerPoolSize : 0,
    ...(config.listenDatabaseUrl ? { listenDatabaseUrl: config.listenDatabaseUrl } : {}),
    databaseTimeouts: { connectMs: config.dbConnectTimeoutMs, statementMs: config.dbStatementTimeoutMs, idleInTransactionMs: config.dbIdleInTransactionTimeoutMs },
    maxPayloadBytes: config.maxPayloadBytes,
    secretGraceMs: config.secretGraceSeconds * 1000,
    allowCidrs: config.allowCidrs,
    endpointFailureThreshold: config.endpointFailureThreshold,
  };
}

/** What the HTTP API needs, besides its logger and version. */
export function apiOptionsFromConfig(config: Config): Omit<ApiOptions, 'log' | 'version'> {
  return {
    bodyLimitBytes: config.bodyLimitBytes,
    rateLimit: config.rateLimit,
    idempotencyRetentionMs: DEFAULTS.idempotencyRetentionMs,
    sessionIdleMs: config.sessionIdleMs,
    sessionMaxMs: config.sessionMaxMs,
    secureCookies: config.secureCookies,
    liveStreamsMax: config.liveStreamsMax,
    liveStreamsPerSession: config.liveStreamsPerSession,
    trustedProxies: config.trustedProxies,
    portalFrameAncestors: config.portalFrameAncestors,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    portalTheme: { color: config.portalThemeColor ?? null, logoUrl: config.portalLogoUrl ?? null },
    inbound: {
      maxBodyBytes: config.inboundMaxBodyBytes,
      limits: { perKeyPerMinute: config.inboundRateLimit, perIpPerMinute: config.inboundIpRateLimit, globalPerMinute: config.inboundGlobalRateLimit },
      logRejectedPerMinute: config.inboundLogRejectedPerMinute,
    },
  };
}

/** The worker options the configuration (environment, flags) sets. */
export function workerOptionsFromConfig(config: Config): WorkerOptions {
  return {
    concurrency: config.workerConcurrency,
    slowConcurrency: config.slowConcurrency,
    endpointConcurrency: config.endpointConcurrency,
    slowAfterMs: config.slowAfterMs,
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

/** When the endpoint health pass disables an endpoint that keeps failing. */
export function healthPassOptionsFromConfig(config: Config): HealthPassOptions {
  return { failingMs: config.endpointFailingHours * 3_600_000 };
}

/** What the console cleanup keeps, and for how long. */
export function consoleCleanupOptionsFromConfig(config: Config): ConsoleCleanupOptions {
  return { rollupRetentionMs: config.rollupRetentionDays * 24 * 60 * 60 * 1000, portalTokenKeepMs: DEFAULTS.portalTokenKeepMs };
}

/** What the retention cleaner keeps, and for how long. */
export function cleanerOptionsFromConfig(config: Config): CleanerOptions {
  return { retentionMs: config.retentionDays * 24 * 60 * 60 * 1000, idempotencyRetentionMs: DEFAULTS.idempotencyRetentionMs };
}
