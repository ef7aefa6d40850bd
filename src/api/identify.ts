import type { Context } from 'hono';
import type { Authenticator } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { sessionCookieGet } from '../console/cookie.js';
import { csrfTokenValid, sessionResume, type Session, type SessionOptions } from '../console/session.js';
import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import type { ApiEnv } from './env.js';

export interface Identified {
  principal: Principal;
  session: Session | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who a request acts for: an `Authorization: Bearer` token, or else the
 * console session named by the `hookyard_session` cookie. A request that
 * changes something with the cookie must carry the session's CSRF token in
 * `X-CSRF-Token` (403 otherwise): a browser sends the cookie by itself, but
 * only our own pages know the CSRF token. A Bearer header needs none, since
 * no browser adds one on its own. An unknown cookie counts as a failed login
 * for the throttle, like a wrong token.
 */
export async function identify(
  c: Context<ApiEnv>,
  deps: { auth: Authenticator; db: Queryable; sessions: SessionOptions; now: () => Date },
  client: string | undefined,
): Promise<Identified> {
  const header = c.req.header('authorization');
  const cookie = header === undefined ? sessionCookieGet(c) : undefined;
  if (cookie === undefined) return { principal: { ...(await deps.auth.identify(header, client)), via: 'bearer' }, session: undefined };
  const session = await sessionResume(deps.db, cookie, deps.sessions, deps.now());
  if (!session) {
    await deps.auth.identify(undefined, client);
    throw new HookyardError('unauthorized', 'the console session has ended; sign in again');
  }
  if (!SAFE_METHODS.has(c.req.method) && !csrfTokenValid(session.id, c.req.header('x-csrf-token'))) {
    throw new HookyardError('forbidden', 'missing or wrong X-CSRF-Token header: a change made with the session cookie needs the csrfToken of /console/api/session');
  }
  return { principal: { ...session.token, via: 'session' }, session };
}
