import { z } from 'zod';
import { HookyardError } from '../errors.js';
import { cidrListParse } from '../outbound/address.js';
import { DATABASE_DEFAULTS } from '../store/settings.js';
import { DEFAULTS, WORKER_DEFAULTS as W } from './defaults.js';

/**
 * All settings, with their defaults, environment variable and flag. Loaded
 * once at start (defaults → environment → flags), validated, then frozen.
 * Later capabilities add their keys here so `--help` lists everything.
 */
export const SETTINGS = {
  databaseUrl: { env: 'DATABASE_URL', flag: 'database-url', help: 'PostgreSQL URL; unset means embedded PGlite in --data-dir' },
  dataDir: { env: 'HOOKYARD_DATA_DIR', flag: 'data-dir', help: `folder for the embedded database and its key (default ${DEFAULTS.dataDir})` },
  secretKey: { env: 'HOOKYARD_SECRET_KEY', flag: 'secret-key', help: '32-byte key (base64 or hex) that encrypts secrets at rest; required with DATABASE_URL' },
  newSecretKey: { env: 'HOOKYARD_NEW_SECRET_KEY', flag: 'new-secret-key', help: 'secret-key rotate only: the key to re-encrypt secrets under (embedded mode makes one if unset)' },
  poolSize: { env: 'HOOKYARD_POOL_SIZE', flag: 'pool-size', help: `PostgreSQL connections per process, besides the worker's own under --role all (default ${DATABASE_DEFAULTS.poolSize})` },
  // PostgreSQL connections (src/store, docs/operations.md)
  listenDatabaseUrl: { env: 'HOOKYARD_LISTEN_DATABASE_URL', flag: 'listen-database-url', help: 'a direct (session) PostgreSQL URL for LISTEN, when DATABASE_URL goes through a transaction-mode pooler such as PgBouncer (default: DATABASE_URL)' },
  workerPoolSize: { env: 'HOOKYARD_WORKER_POOL_SIZE', flag: 'worker-pool-size', help: `under --role all, PostgreSQL connections of the delivery worker's own, so publish load cannot starve delivery; 0 shares --pool-size (default ${DATABASE_DEFAULTS.workerPoolSize})` },
  dbConnectTimeoutMs: { env: 'HOOKYARD_DB_CONNECT_TIMEOUT_MS', flag: 'db-connect-timeout-ms', help: `how long opening a PostgreSQL connection, or waiting for a free one, may take, ms (default ${DATABASE_DEFAULTS.connectTimeoutMs})` },
  dbStatementTimeoutMs: { env: 'HOOKYARD_DB_STATEMENT_TIMEOUT_MS', flag: 'db-statement-timeout-ms', help: `longest PostgreSQL statement, ms; the client gives up 2 s later if the server has not answered; 0 = none; migrations are exempt (default ${DATABASE_DEFAULTS.statementTimeoutMs})` },
  dbIdleInTransactionTimeoutMs: { env: 'HOOKYARD_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', flag: 'db-idle-in-transaction-timeout-ms', help: `PostgreSQL ends a transaction left idle this long, ms; 0 = none (default ${DATABASE_DEFAULTS.idleInTransactionTimeoutMs})` },
  maxPayloadBytes: { env: 'HOOKYARD_MAX_PAYLOAD_BYTES', flag: 'max-payload-bytes', help: `largest message payload accepted, bytes (default ${DEFAULTS.maxPayloadBytes})` },
  secretGraceSeconds: { env: 'HOOKYARD_SECRET_GRACE_SECONDS', flag: 'secret-grace-seconds', help: `after a signing-secret rotation, how long the old secret keeps co-signing, s; a rotation's gracePeriodSeconds overrides it (default ${DEFAULTS.secretGraceMs / 1000})` },
  logLevel: { env: 'HOOKYARD_LOG_LEVEL', flag: 'log-level', help: `trace|debug|info|warn|error|fatal|silent (default ${DEFAULTS.logLevel})` },
  // The server (src/api, src/cli).
  role: { env: 'HOOKYARD_ROLE', flag: 'role', help: `what serve runs: api|worker|all (default ${DEFAULTS.role})` },
  host: { env: 'HOOKYARD_HOST', flag: 'host', help: `address the API listens on (default ${DEFAULTS.host}; 0.0.0.0 for all)` },
  port: { env: 'HOOKYARD_PORT', flag: 'port', help: `port the API listens on (default ${DEFAULTS.port}; 0 picks a free one)` },
  bodyLimitBytes: { env: 'HOOKYARD_BODY_LIMIT_BYTES', flag: 'body-limit-bytes', help: `largest request body, bytes; larger gets 413 (default ${DEFAULTS.bodyLimitBytes})` },
  rateLimit: { env: 'HOOKYARD_RATE_LIMIT', flag: 'rate-limit', help: `API requests per second per token, bursts of twice that; 0 = off (default ${DEFAULTS.rateLimit})` },
  retentionDays: { env: 'HOOKYARD_RETENTION_DAYS', flag: 'retention-days', help: `messages, their deliveries and attempts are deleted after this many days; eventId stays idempotent for as long (default ${DEFAULTS.retentionDays})` },
  endpointFailureThreshold: { env: 'HOOKYARD_ENDPOINT_FAILURE_THRESHOLD', flag: 'endpoint-failure-threshold', help: `disable an endpoint after this many deliveries in a row fail for good; an endpoint's failureThreshold overrides it (default ${DEFAULTS.endpointFailureThreshold})` },
  endpointFailingHours: { env: 'HOOKYARD_ENDPOINT_FAILING_HOURS', flag: 'endpoint-failing-hours', help: `disable an endpoint that has failed without a success for this many hours (default ${DEFAULTS.endpointFailingMs / 3_600_000})` },
  shutdownGraceMs: { env: 'HOOKYARD_SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', help: `on SIGTERM/SIGINT, how long to drain requests and deliveries, ms (default ${DEFAULTS.shutdownGraceMs})` },
  // The console and the app portal (see docs/console.md)
  sessionIdleMs: { env: 'HOOKYARD_SESSION_IDLE_MS', flag: 'session-idle-ms', help: `a console session unused this long ends, ms; each use slides it (default ${DEFAULTS.sessionIdleMs})` },
  sessionMaxMs: { env: 'HOOKYARD_SESSION_MAX_MS', flag: 'session-max-ms', help: `a console session ends this long after sign-in however it is used, ms (default ${DEFAULTS.sessionMaxMs})` },
  rollupRetentionDays: { env: 'HOOKYARD_ROLLUP_RETENTION_DAYS', flag: 'rollup-retention-days', help: `the dashboard's per-minute counters are deleted after this many days; the stats cover at most 31 days (default ${DEFAULTS.rollupRetentionDays})` },
  secureCookies: { env: 'HOOKYARD_SECURE_COOKIES', flag: 'secure-cookies', help: `the session cookie's Secure flag: auto (for HTTPS requests, X-Forwarded-Proto from --trusted-proxies included)|always|never (default ${DEFAULTS.secureCookies})` },
  trustedProxies: { env: 'HOOKYARD_TRUSTED_PROXIES', flag: 'trusted-proxies', help: 'CIDRs of reverse proxies whose X-Forwarded-Proto (console cookies) and X-Forwarded-For (the client address of received webhooks) are believed, e.g. 10.0.0.0/8 (default none)' },
  publicUrl: { env: 'HOOKYARD_PUBLIC_URL', flag: 'public-url', help: 'the URL browsers and third parties reach this server at, e.g. https://hooks.example.com, for app portal links and sources\' ingestUrl (default: the URL of the request that asks for one)' },
  portalFrameAncestors: { env: 'HOOKYARD_PORTAL_FRAME_ANCESTORS', flag: 'portal-frame-ancestors', help: `who may embed the app portal in an iframe: a CSP frame-ancestors list, e.g. 'self' https://app.example.com (default ${DEFAULTS.portalFrameAncestors})` },
  portalThemeColor: { env: 'HOOKYARD_PORTAL_THEME_COLOR', flag: 'portal-theme-color', help: 'the app portal\'s accent colour, #rrggbb (default: the built-in one)' },
  liveStreamsMax: { env: 'HOOKYARD_LIVE_STREAMS_MAX', flag: 'live-streams-max', help: `live-update streams (server-sent events) this process serves at most; beyond, 429 and the pages poll (default ${DEFAULTS.liveStreamsMax})` },
  liveStreamsPerSession: { env: 'HOOKYARD_LIVE_STREAMS_PER_SESSION', flag: 'live-streams-per-session', help: `live-update streams one console session may hold, one per tab (default ${DEFAULTS.liveStreamsPerSession})` },
  portalLogoUrl: { env: 'HOOKYARD_PORTAL_LOGO_URL', flag: 'portal-logo-url', help: 'an https:// (or /path) URL of a logo the app portal shows (default none)' },
  // Receiving webhooks (see docs/inbound.md)
  inboundMaxBodyBytes: { env: 'HOOKYARD_INBOUND_MAX_BODY_BYTES', flag: 'inbound-max-body-bytes', help: `largest received webhook body, bytes, unless a source sets its own; larger gets 413 (default ${DEFAULTS.inboundMaxBodyBytes})` },
  inboundRateLimit: { env: 'HOOKYARD_INBOUND_RATE_LIMIT', flag: 'inbound-rate-limit', help: `received webhooks per minute per source, unless it sets its own; 0 = off (default ${DEFAULTS.inboundRateLimit})` },
  inboundIpRateLimit: { env: 'HOOKYARD_INBOUND_IP_RATE_LIMIT', flag: 'inbound-ip-rate-limit', help: `received webhooks per minute per client address; 0 = off (default ${DEFAULTS.inboundIpRateLimit})` },
  inboundGlobalRateLimit: { env: 'HOOKYARD_INBOUND_GLOBAL_RATE_LIMIT', flag: 'inbound-global-rate-limit', help: `received webhooks per minute in all (across the API processes of one PostgreSQL database); 0 = off (default ${DEFAULTS.inboundGlobalRateLimit})` },
  inboundLogRejectedPerMinute: { env: 'HOOKYARD_INBOUND_LOG_REJECTED_PER_MINUTE', flag: 'inbound-log-rejected-per-minute', help: `rejected requests logged one row each per source and minute; beyond, counted into aggregate rows (default ${DEFAULTS.inboundLogRejectedPerMinute})` },
  // Delivery (see docs/delivery.md)
  retrySchedule: { env: 'HOOKYARD_RETRY_SCHEDULE', flag: 'retry-schedule', help: `retry delays in ms after the first attempt, comma-separated (default ${W.retrySchedule.join(',')})` },
  retryJitter: { env: 'HOOKYARD_RETRY_JITTER', flag: 'retry-jitter', help: `spread of each retry delay, 0 to 1 (default ${W.retryJitter} = ±${W.retryJitter * 100}%)` },
  attemptTimeoutMs: { env: 'HOOKYARD_ATTEMPT_TIMEOUT_MS', flag: 'attempt-timeout-ms', help: `whole-attempt timeout in ms (default ${W.attemptTimeoutMs})` },
  connectTimeoutMs: { env: 'HOOKYARD_CONNECT_TIMEOUT_MS', flag: 'connect-timeout-ms', help: `connect timeout in ms (default ${W.connectTimeoutMs})` },
  workerConcurrency: { env: 'HOOKYARD_WORKER_CONCURRENCY', flag: 'worker-concurrency', help: `attempts in flight per worker process to endpoints answering promptly (default ${W.concurrency})` },
  endpointConcurrency: { env: 'HOOKYARD_ENDPOINT_CONCURRENCY', flag: 'endpoint-concurrency', help: `attempts in flight to one endpoint per worker, at most (default ${W.endpointConcurrency})` },
  slowAfterMs: { env: 'HOOKYARD_SLOW_AFTER_MS', flag: 'slow-after-ms', help: `an attempt unanswered this long leaves its slot and marks its endpoint slow, ms (default ${W.slowAfterMs})` },
  slowConcurrency: { env: 'HOOKYARD_SLOW_CONCURRENCY', flag: 'slow-concurrency', help: `attempts in flight to slow endpoints per worker, besides --worker-concurrency (default ${W.slowConcurrency})` },
  workerBatchSize: { env: 'HOOKYARD_WORKER_BATCH_SIZE', flag: 'worker-batch-size', help: `deliveries claimed per query (default ${W.batchSize})` },
  leaseMs: { env: 'HOOKYARD_LEASE_MS', flag: 'lease-ms', help: `how long a claimed delivery is hidden from other workers, ms (default max(${W.leaseMs}, 2 x attempt timeout))` },
  pollIntervalMs: { env: 'HOOKYARD_POLL_INTERVAL_MS', flag: 'poll-interval-ms', help: `fallback poll for due deliveries, ms (default ${W.pollIntervalMs})` },
  allowCidrs: { env: 'HOOKYARD_ALLOW_CIDRS', flag: 'allow-cidrs', help: 'CIDRs delivery may reach despite the SSRF guard, e.g. 127.0.0.0/8,::1/128 (default none)' },
  requireHttps: { env: 'HOOKYARD_REQUIRE_HTTPS', flag: 'require-https', help: 'refuse to deliver to http:// URLs: true|false (default false)' },
  maxResponseBytes: { env: 'HOOKYARD_MAX_RESPONSE_BYTES', flag: 'max-response-bytes', help: `response body bytes stored per attempt (default ${W.maxResponseBytes})` },
} as const;

export type SettingName = keyof typeof SETTINGS;

// Settings arrive as text; say what a setting takes in words, not the validator's ("expected number, received NaN").
const intFrom = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const cidrsSetting = z
  .string()
  .default('')
  .refine((text) => {
    try {
      cidrListParse(text);
      return true;
    } catch {
      return false;
    }
  }, 'must be CIDRs like 127.0.0.0/8,::1/128');

export const configSchema = z.object({
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  dataDir: z.string().min(1).default(DEFAULTS.dataDir),
  secretKey: z.string().optional(),
  newSecretKey: z.string().optional(),
  poolSize: intFrom(1, 1000).default(DATABASE_DEFAULTS.poolSize),
  listenDatabaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  workerPoolSize: intFrom(0, 1000).default(DATABASE_DEFAULTS.workerPoolSize),
  dbConnectTimeoutMs: intFrom(100, 600_000).default(DATABASE_DEFAULTS.connectTimeoutMs),
  dbStatementTimeoutMs: intFrom(0, 86_400_000).default(DATABASE_DEFAULTS.statementTimeoutMs),
  dbIdleInTransactionTimeoutMs: intFrom(0, 86_400_000).default(DATABASE_DEFAULTS.idleInTransactionTimeoutMs),
  maxPayloadBytes: intFrom(1, 64 * 1024 * 1024).default(DEFAULTS.maxPayloadBytes),
  secretGraceSeconds: intFrom(0, 30 * 24 * 3600).default(DEFAULTS.secretGraceMs / 1000),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default(DEFAULTS.logLevel),
  role: z.enum(['api', 'worker', 'all']).default(DEFAULTS.role),
  host: z.string().min(1).default(DEFAULTS.host),
  port: intFrom(0, 65535).default(DEFAULTS.port),
  bodyLimitBytes: intFrom(1024, 512 * 1024 * 1024).default(DEFAULTS.bodyLimitBytes),
  rateLimit: intFrom(0, 1_000_000).default(DEFAULTS.rateLimit),
  retentionDays: intFrom(1, 3650).default(DEFAULTS.retentionDays),
  endpointFailureThreshold: intFrom(1, 1_000_000).default(DEFAULTS.endpointFailureThreshold),
  endpointFailingHours: intFrom(1, 24 * 3650).default(DEFAULTS.endpointFailingMs / 3_600_000),
  shutdownGraceMs: intFrom(0, 10 * 60 * 1000).default(DEFAULTS.shutdownGraceMs),
  sessionIdleMs: intFrom(60_000, 30 * 86_400_000).default(DEFAULTS.sessionIdleMs),
  sessionMaxMs: intFrom(60_000, 365 * 86_400_000).default(DEFAULTS.sessionMaxMs),
  rollupRetentionDays: intFrom(1, 3650).default(DEFAULTS.rollupRetentionDays),
  secureCookies: z.enum(['auto', 'always', 'never']).default(DEFAULTS.secureCookies),
  liveStreamsMax: intFrom(0, 1_000_000).default(DEFAULTS.liveStreamsMax),
  liveStreamsPerSession: intFrom(1, 100).default(DEFAULTS.liveStreamsPerSession),
  trustedProxies: cidrsSetting,
  publicUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).optional(),
  portalFrameAncestors: z
    .string()
    .regex(/^[^;,\r\n]+$/, "must be a CSP source list such as 'self' https://app.example.com (no ; or ,)")
    .default(DEFAULTS.portalFrameAncestors),
  portalThemeColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb').optional(),
  portalLogoUrl: z.string().regex(/^(https:\/\/|\/)[^\s"'<>]*$/, 'must be an https:// URL or a path starting with /').max(2048).optional(),
  inboundMaxBodyBytes: intFrom(1, 64 * 1024 * 1024).default(DEFAULTS.inboundMaxBodyBytes),
  inboundRateLimit: intFrom(0, 100_000_000).default(DEFAULTS.inboundRateLimit),
  inboundIpRateLimit: intFrom(0, 100_000_000).default(DEFAULTS.inboundIpRateLimit),
  inboundGlobalRateLimit: intFrom(0, 100_000_000).default(DEFAULTS.inboundGlobalRateLimit),
  inboundLogRejectedPerMinute: intFrom(0, 1_000_000).default(DEFAULTS.inboundLogRejectedPerMinute),
  retrySchedule: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be delays in ms separated by commas')
    .transform((text) => text.split(',').map((d) => Number(d.trim())))
    .default([...W.retrySchedule]),
  retryJitter: z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0, { error: 'must be a number from 0 to 1' }).max(1, { error: 'must be a number from 0 to 1' }).default(W.retryJitter),
  attemptTimeoutMs: intFrom(100, 600_000).default(W.attemptTimeoutMs),
  connectTimeoutMs: intFrom(50, 600_000).default(W.connectTimeoutMs),
  workerConcurrency: intFrom(1, 10_000).default(W.concurrency),
  endpointConcurrency: intFrom(1, 10_000).default(W.endpointConcurrency),
  slowAfterMs: intFrom(10, 600_000).default(W.slowAfterMs),
  slowConcurrency: intFrom(0, 10_000).default(W.slowConcurrency),
  workerBatchSize: intFrom(1, 10_000).default(W.batchSize),
  leaseMs: intFrom(1_000, 86_400_000).optional(),
  pollIntervalMs: intFrom(10, 600_000).default(W.pollIntervalMs),
  allowCidrs: cidrsSetting,
  requireHttps: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .default(false),
  maxResponseBytes: intFrom(0, 16 * 1024 * 1024).default(W.maxResponseBytes),
});

export type Config = z.infer<typeof configSchema>;

export type RawSettings = Partial<Record<SettingName, string>>;

/** Reads the settings that the environment sets. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): RawSettings {
  const raw: RawSettings = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = env[s.env];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  return raw;
}

/** Validates merged settings; every mistake is named with the variable and flag that set it. */
export function configParse(raw: RawSettings): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return Object.freeze(result.data);
  const lines = result.error.issues.map((issue) => {
    const name = issue.path[0] as SettingName;
    const s = SETTINGS[name];
    // Messages name the setting, never echo the value: it may be a secret.
    return s ? `${s.env} (--${s.flag}): ${issue.message}` : issue.message;
  });
  throw new HookyardError('config', `invalid configuration:\n  ${lines.join('\n  ')}`);
}
