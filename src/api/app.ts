import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { authenticator, type Authenticator } from '../auth/authenticate.js';
import { withControlToken } from '../auth/control-token.js';
import { cookiePolicy, type SecureCookies } from '../console/cookie.js';
import { portalRoutes } from '../console/portal-routes.js';
import { liveRoutes } from '../console/live-routes.js';
import { sessionRoutes } from '../console/session-routes.js';
import { staticFiles } from '../console/static.js';
import { statsRoutes } from '../console/stats-routes.js';
import { rateLimiter } from '../auth/rate-limit.js';
import { DEFAULTS } from '../config/defaults.js';
import { HookyardError } from '../errors.js';
import type { Hookyard } from '../hookyard.js';
import type { Logger } from '../log.js';
import { applicationRoutes } from './application.js';
import { bodyReader } from './body.js';
import { attemptRoutes } from './attempt.js';
import { deliveryRoutes } from './delivery.js';
import { docsMount } from './docs-page.js';
import { endpointRoutes } from './endpoint.js';
import type { ApiEnv } from './env.js';
import { errorResponse, notFoundResponse } from './error.js';
import { eventTypeRoutes } from './event-type.js';
import { healthRoutes } from './health.js';
import { identify } from './identify.js';
import { idempotency } from './idempotency.js';
import { messageRoutes } from './message.js';
import { openApiDocument } from './openapi.js';
import { operationalRoutes } from './operational.js';
import { portalRulesCheck, portalScope } from './portal-scope.js';
import { requestIdOf } from './request-id.js';
import { honoPath, routeHandler, type Route } from './route.js';
import { tokenRoutes } from './token.js';
import { ingestRoutes } from './ingest.js';
import { receiveMount, receiver, RECEIVE_PATH, type ReceiveOptions } from '../inbound/receive.js';
import { receiveNodeHandler } from '../inbound/receive-node.js';
import { rateShare, type RateShare } from '../inbound/rate-share.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLogWriter } from '../inbound/request-log.js';
import { liveHub, type LiveHub } from '../live/hub.js';

export interface ApiOptions {
  log: Logger;
  version?: string;
  bodyLimitBytes?: number; // bytes
  /** Requests per second per token; 0 turns the limit off. Defaults (src/config/defaults.ts) as the server's. */
  rateLimit?: number;
  rateLimitBurst?: number;
  idempotencyRetentionMs?: number; // ms
  authCacheMs?: number; // ms
  /** Failed logins allowed per client address in a burst, then per second; 0 turns the throttle off. */
  authFailureBurst?: number;
  authFailuresPerSecond?: number;
  /** Check every response against its schema (tests turn this on). */
  validateResponses?: boolean;
  /** Embedded serve: a token valid only in this process, for the CLI (see auth/control-token.ts). */
  controlToken?: string;
  /** Console sessions: idle timeout (sliding) and longest life (ms); see src/console/session.ts. */
  sessionIdleMs?: number;
  sessionMaxMs?: number;
  /** The session cookie's Secure flag: from the request (auto), or always, or never. */
  secureCookies?: SecureCookies;
  /** Proxies (CIDRs) whose X-Forwarded-Proto is believed, for `secureCookies: 'auto'`. */
  trustedProxies?: string;
  /** Where the built front end is (dist/web by default). */
  webDir?: string;
  /** CSP frame-ancestors of /portal/: who may embed the app portal. */
  portalFrameAncestors?: string;
  /** The URL browsers reach this server at, for app portal links; else the request's own origin. */
  publicUrl?: string;
  /** The app portal's light theme, read by the portal page. */
  portalTheme?: PortalTheme;
  /** The receive route's limits (src/inbound/receive.ts); defaults as the server's. */
  inbound?: Partial<Omit<ReceiveOptions, 'log'>>;
  /** How often the receive limits are shared with the other API processes of a PostgreSQL database (ms). */
  inboundRateSyncMs?: number;
  /** The clock of session expiry (tests move it). */
  now?: () => Date;
  /** Live updates (server-sent events, src/live/): streams this process serves at most, and per console session. */
  liveStreamsMax?: number;
  liveStreamsPerSession?: number;
  /** A stream's heartbeat comment, ms (tests shorten it). */
  liveHeartbeatMs?: number;
}

export interface PortalTheme {
  /** An accent colour, #rrggbb. */
  color: string | null;
  logoUrl: string | null;
}

export interface Api {
  app: Hono<ApiEnv>;
  /** The log of received webhooks' rejected requests, written in batches: `flush()` writes what waits. */
  inboundLog: RequestLogWriter;
  /** The receive limits shared with other API processes (PostgreSQL only; see src/inbound/rate-share.ts). */
  inboundRates: RateShare | undefined;
  /** The receive path on the Node request, ahead of Hono (src/inbound/receive-node.ts): true when it took the request. */
  receive: (req: IncomingMessage, res: ServerResponse) => boolean;
  routes: Route[];
  openapi: Record<string, unknown>;
  auth: Authenticator;
  /** The event streams of /console/api/events: `close()` ends them (the server's close does it first). */
  live: LiveHub;
}

/** The peer's address (not X-Forwarded-For, which any client can set); undefined outside @hono/node-server. */
function clientAddress(c: Context<ApiEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The HTTP API: a thin layer that validates, calls the library, and answers in Svix's shapes. */
export function createApi(hookyard: Hookyard, options: ApiOptions): Api {
  const {
    log,
    version = '0.0.0',
    bodyLimitBytes = DEFAULTS.bodyLimitBytes,
    rateLimit = DEFAULTS.rateLimit,
    idempotencyRetentionMs = DEFAULTS.idempotencyRetentionMs,
    authCacheMs = DEFAULTS.authCacheMs,
    validateResponses = false,
  } = options;
  const { attempts } = hookyard;
  const now = options.now ?? (() => new Date());
  const sessions = { idleMs: options.sessionIdleMs ?? DEFAULTS.sessionIdleMs, maxMs: options.sessionMaxMs ?? DEFAULTS.sessionMaxMs };
  const cookies = cookiePolicy({ secureCookies: options.secureCookies ?? DEFAULTS.secureCookies, trustedProxies: options.trustedProxies ?? '' });
  const auth = withControlToken(
    authenticator(hookyard.storage, {
      cacheMs: authCacheMs,
      ...(options.authFailureBurst === undefined ? {} : { failureBurst: options.authFailureBurst }),
      ...(options.authFailuresPerSecond === undefined ? {} : { failuresPerSecond: options.authFailuresPerSecond }),
    }),
    options.controlToken,
  );
  const live = liveHub({
    storage: hookyard.storage,
    log,
    now,
    maxStreams: options.liveStreamsMax ?? DEFAULTS.liveStreamsMax,
    maxStreamsPerSession: options.liveStreamsPerSession ?? DEFAULTS.liveStreamsPerSession,
    ...(options.liveHeartbeatMs ? { heartbeatMs: options.liveHeartbeatMs } : {}),
  });
  const routes: Route[] = [
    ...healthRoutes(hookyard.storage),
    ...applicationRoutes(hookyard),
    ...eventTypeRoutes(hookyard),
    ...endpointRoutes(hookyard, attempts),
    ...messageRoutes(hookyard),
    ...attemptRoutes(attempts),
    ...deliveryRoutes(hookyard),
    ...operationalRoutes(hookyard.operational),
    ...tokenRoutes(hookyard.storage, auth),
    ...sessionRoutes({ db: hookyard.storage, auth, sessions, cookies, now, clientAddress, onSignOut: live.sessionEnded }),
    ...liveRoutes({ db: hookyard.storage, hub: live, now }),
    ...statsRoutes(hookyard.storage, hookyard.rollups, now),
    ...portalRoutes({ hookyard, auth, publicUrl: options.publicUrl, theme: options.portalTheme ?? { color: null, logoUrl: null }, now }),
    ...ingestRoutes(hookyard, { publicUrl: options.publicUrl }),
  ];
  portalRulesCheck(routes);
  const openapi = openApiDocument(routes, version);
  const limiter = rateLimiter({ perSecond: rateLimit, ...(options.rateLimitBurst ? { burst: options.rateLimitBurst } : {}) });

  const app = new Hono<ApiEnv>();
  app.onError(errorResponse);
  // A GET no route took is the front end's (its files, or its index.html for the browser's routes).
  const pages = staticFiles({ ...(options.webDir ? { root: options.webDir } : {}), portalFrameAncestors: options.portalFrameAncestors ?? DEFAULTS.portalFrameAncestors });
  app.notFound(async (c) => (await pages(c)) ?? notFoundResponse(c));

  // A request id on every response and every log line of the request.
  app.use(async (c, next) => {
    const given = c.req.header('x-request-id') ?? c.req.header('svix-req-id');
    const requestId = requestIdOf(given);
    const reqLog = log.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('log', reqLog);
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    // Method, route and status only: never headers (tokens) or bodies (payloads), nor a source's key.
    const path = c.req.path.startsWith(`${RECEIVE_PATH}/`) ? `${RECEIVE_PATH}/[key]` : c.req.path;
    reqLog.info({ method: c.req.method, path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  app.get('/api/v1/openapi.json', (c) => c.json(openapi));
  // Received webhooks: outside token auth; each source's key is in its URL. On PostgreSQL, other API
  // processes may serve the same sources: the rate limits are shared with them (PGlite is one process).
  const inboundRates = hookyard.storage.capabilities.embedded
    ? undefined
    : rateShare(hookyard.storage, { syncMs: options.inboundRateSyncMs ?? DEFAULTS.inboundRateSyncMs, log });
  const inbound = receiver(hookyard.sources, {
    maxBodyBytes: DEFAULTS.inboundMaxBodyBytes,
    limits: { perKeyPerMinute: DEFAULTS.inboundRateLimit, perIpPerMinute: DEFAULTS.inboundIpRateLimit, globalPerMinute: DEFAULTS.inboundGlobalRateLimit },
    // One list of trusted proxies for the whole server (console cookies, received webhooks' client address).
    trustedProxies: (options.trustedProxies ?? '').split(/[\s,]+/).filter(Boolean),
    logRejectedPerMinute: DEFAULTS.inboundLogRejectedPerMinute,
    count: (outcome) => hookyard.rollups.add('inbound.request', outcome),
    ...(inboundRates ? { limiter: inboundRates.limiter } : {}),
    ...options.inbound,
    log,
  });
  receiveMount(app, inbound);
  docsMount(app);

  const authenticate: MiddlewareHandler<ApiEnv> = async (c, next) => {
    let identified: Awaited<ReturnType<typeof identify>>;
    try {
      identified = await identify(c, { auth, db: hookyard.storage, sessions, now }, clientAddress(c));
    } catch (error) {
      // Counted for the dashboard as an error of no token.
      hookyard.rollups.add('api.request');
      hookyard.rollups.add('api.error');
      throw error;
    }
    const { principal, session } = identified;
    hookyard.rollups.add('api.request', principal.id);
    const wait = limiter.take(principal.id);
    if (wait > 0) {
      hookyard.rollups.add('api.error', principal.id);
      throw new HookyardError('rate_limited', 'too many requests for this token', { cause: { retryAfter: wait } });
    }
    c.set('tokenId', principal.id);
    c.set('principal', principal);
    c.set('session', session);
    await next();
    if (c.res.status >= 400) hookyard.rollups.add('api.error', principal.id);
  };
  const limitBody = bodyReader(bodyLimitBytes);
  const keys = idempotency(hookyard.storage, { retentionMs: idempotencyRetentionMs });

  for (const r of routes) {
    const handler = routeHandler(r, { validateResponses });
    // Portal tokens are checked against the route's rule (portal-scope.ts) before anything else runs.
    const chain: MiddlewareHandler<ApiEnv>[] = r.public ? [] : [authenticate, portalScope(r, hookyard.storage)];
    if (r.body) chain.push(limitBody);
    if (r.method === 'post' && !r.public && !r.noIdempotency) chain.push(r.idempotentReplay ? keys.deferred(r.idempotentReplay) : keys.middleware);
    app.on(r.method.toUpperCase(), [honoPath(r.path)], ...chain, handler);
  }
  return { app, inboundLog: inbound.writer, inboundRates, receive: receiveNodeHandler(inbound, log), routes, openapi, auth, live };
}
