import type { Context } from 'hono';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticate.js';
import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import { iso, timestamp } from '../api/common.js';
import type { ApiEnv } from '../api/env.js';
import { route, type Route } from '../api/route.js';
import { cookieSecure, sessionCookieClear, sessionCookieSet, type CookiePolicy } from './cookie.js';
import { sessionCreate, sessionEnd, type Session, type SessionOptions } from './session.js';

/**
 * The console's sign-in: POST a token, get an HttpOnly cookie and a CSRF
 * token (the token itself stays out of the browser's storage); GET tells a
 * page whether it is signed in; DELETE signs out.
 */
export const sessionOutSchema = z.object({
  csrfToken: z.string().describe('Send as X-CSRF-Token with every request that changes something'),
  scope: z.enum(['admin', 'api', 'app']).describe('app: an app portal session, limited to one application'),
  appId: z.string().nullable(),
  expiresAt: timestamp.describe('When the session ends unless used again sooner (the expiry slides with use, up to a maximum)'),
});

const sessionInSchema = z.strictObject({ token: z.string().min(1).max(512) });
const tag = 'Console';

const sessionOut = (s: Session): z.input<typeof sessionOutSchema> => ({ csrfToken: s.csrfToken, scope: s.token.scope, appId: s.token.appId, expiresAt: iso(s.expiresAt) });

export interface SessionRouteDeps {
  db: Queryable;
  auth: Authenticator;
  sessions: SessionOptions;
  cookies: CookiePolicy;
  now: () => Date;
  clientAddress(c: Context<ApiEnv>): string | undefined;
  /** Told of a sign-out, so this process ends the session's event streams at once. */
  onSignOut?(sessionId: string): void;
}

export function sessionRoutes(deps: SessionRouteDeps): Route[] {
  const signedIn = (c: Context<ApiEnv>): Session => {
    const session = c.get('session');
    if (!session) throw new HookyardError('unauthorized', 'no console session: sign in with POST /console/api/session');
    return session;
  };
  return [
    route({
      method: 'post', path: '/console/api/session', operationId: 'console.session.create', tag,
      summary: 'Sign in with an API token or an app portal token: sets the HttpOnly session cookie and answers the CSRF token (Hookyard extension)',
      body: { name: 'ConsoleSessionIn', schema: sessionInSchema },
      status: 201, public: true, errors: [401],
      response: { name: 'ConsoleSessionOut', schema: sessionOutSchema },
      handler: async ({ body, c }) => {
        const token = await deps.auth.signIn(body.token, deps.clientAddress(c));
        const session = await sessionCreate(deps.db, token, deps.sessions, deps.now());
        sessionCookieSet(c, session.id, session.expiresAt, cookieSecure(deps.cookies, c, deps.clientAddress(c)));
        return sessionOut(session);
      },
    }),
    route({
      method: 'get', path: '/console/api/session', operationId: 'console.session.get', tag,
      summary: 'The current console session, from its cookie; 401 when signed out (Hookyard extension)',
      status: 200, response: { name: 'ConsoleSessionOut', schema: sessionOutSchema },
      handler: async ({ c }) => sessionOut(signedIn(c)),
    }),
    route({
      method: 'delete', path: '/console/api/session', operationId: 'console.session.delete', tag,
      summary: 'Sign out: ends the session and clears its cookie (Hookyard extension)',
      status: 204,
      handler: async ({ c }) => {
        const session = signedIn(c);
        await sessionEnd(deps.db, session.id);
        deps.onSignOut?.(session.id);
        sessionCookieClear(c, cookieSecure(deps.cookies, c, deps.clientAddress(c)));
      },
    }),
  ];
}
