import { randomBytes } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authenticator, type Authenticator } from '../auth/authenticate.js';
import { rateLimiter } from '../auth/rate-limit.js';
import { DEFAULTS } from '../config/defaults.js';
import { HookyardError } from '../errors.js';
import type { Hookyard } from '../hookyard.js';
import type { Logger } from '../log.js';
import { applicationRoutes } from './application.js';
import { attemptRoutes } from './attempt.js';
import { deliveryRoutes } from './delivery.js';
import { docsPage } from './docs-page.js';
import { endpointRoutes } from './endpoint.js';
import type { ApiEnv } from './env.js';
import { errorResponse, notFoundResponse } from './error.js';
import { eventTypeRoutes } from './event-type.js';
import { healthRoutes } from './health.js';
import { idempotency } from './idempotency.js';
import { messageRoutes } from './message.js';
import { openApiDocument } from './openapi.js';
import { honoPath, routeHandler, type Route } from './route.js';

export interface ApiOptions {
  log: Logger;
  version?: string;
  bodyLimitBytes?: number; // bytes
  /** Requests per second per token; 0 turns the limit off. Defaults (src/config/defaults.ts) as the server's. */
  rateLimit?: number;
  rateLimitBurst?: number;
  idempotencyRetentionMs?: number; // ms
  authCacheMs?: number; // ms
  /** Check every response against its schema (tests turn this on). */
  validateResponses?: boolean;
}

export interface Api {
  app: Hono<ApiEnv>;
  routes: Route[];
  openapi: Record<string, unknown>;
  auth: Authenticator;
}

const REQUEST_ID = /^[A-Za-z0-9_\-.:]{1,128}$/;

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
  const routes: Route[] = [
    ...healthRoutes(hookyard.storage),
    ...applicationRoutes(hookyard),
    ...eventTypeRoutes(hookyard),
    ...endpointRoutes(hookyard, attempts),
    ...messageRoutes(hookyard),
    ...attemptRoutes(attempts),
    ...deliveryRoutes(hookyard),
  ];
  const openapi = openApiDocument(routes, version);
  const auth = authenticator(hookyard.storage, { cacheMs: authCacheMs });
  const limiter = rateLimiter({ perSecond: rateLimit, ...(options.rateLimitBurst ? { burst: options.rateLimitBurst } : {}) });

  const app = new Hono<ApiEnv>();
  app.onError(errorResponse);
  app.notFound(notFoundResponse);

  // A request id on every response and every log line of the request.
  app.use(async (c, next) => {
    const given = c.req.header('x-request-id') ?? c.req.header('svix-req-id');
    const requestId = given && REQUEST_ID.test(given) ? given : `req_${randomBytes(8).toString('hex')}`;
    const reqLog = log.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('log', reqLog);
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    // Method, route and status only: never headers (tokens) or bodies (payloads).
    reqLog.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  app.get('/api/v1/openapi.json', (c) => c.json(openapi));
  app.get('/docs', (c) => c.html(docsPage(openapi)));

  const authenticate: MiddlewareHandler<ApiEnv> = async (c, next) => {
    const tokenId = await auth.authenticate(c.req.header('authorization'));
    const wait = limiter.take(tokenId);
    if (wait > 0) throw new HookyardError('rate_limited', 'too many requests for this token', { cause: { retryAfter: wait } });
    c.set('tokenId', tokenId);
    await next();
  };
  const limitBody = bodyLimit({
    maxSize: bodyLimitBytes,
    onError: () => {
      throw new HookyardError('payload_too_large', `the request body is larger than ${bodyLimitBytes} bytes`);
    },
  });
  const idempotent = idempotency(hookyard.storage, { retentionMs: idempotencyRetentionMs });

  for (const r of routes) {
    const handler = routeHandler(r, { validateResponses });
    const chain: MiddlewareHandler<ApiEnv>[] = r.public ? [] : [authenticate];
    if (r.body) chain.push(limitBody);
    if (r.method === 'post' && !r.public) chain.push(idempotent);
    app.on(r.method.toUpperCase(), [honoPath(r.path)], ...chain, handler);
  }
  return { app, routes, openapi, auth };
}
