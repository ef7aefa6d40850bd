import type { MiddlewareHandler } from 'hono';
import { capabilityHeld, type PortalCapability } from '../auth/principal.js';
import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import type { ApiEnv } from './env.js';
import type { Route } from './route.js';

/**
 * What an app portal token (scope `app`) may reach, by operation. Everything
 * not listed is refused (403) before its handler runs, so a route added later
 * is closed to portal tokens until it is listed here, on purpose.
 *
 * - a capability: the route must have `{app_id}` in its path, and the path's
 *   application (by id or uid) must be the token's; the token must hold the
 *   capability (Svix's AppPortalCapability);
 * - `catalogue`: server-wide data the portal shows read-only (event types): GET only;
 * - `self`: acts only on the caller's own credential (its session, its logout).
 *
 * createApi checks these rules against the routes at start (portalRulesCheck),
 * and src/api/portal-scope.test.ts walks every route of the OpenAPI document
 * with another application's portal token.
 */
export type PortalRule = PortalCapability | 'catalogue' | 'self';

export const PORTAL_ACCESS: Record<string, PortalRule> = {
  'v1.application.get': 'ViewBase',
  'v1.endpoint.list': 'ViewBase',
  'v1.endpoint.get': 'ViewBase',
  'v1.endpoint.get-headers': 'ViewBase',
  'v1.endpoint.get-stats': 'ViewBase',
  'v1.endpoint.get-secret': 'ViewEndpointSecret',
  'v1.endpoint.rotate-secret': 'ManageEndpointSecret',
  'v1.endpoint.create': 'ManageEndpoint',
  'v1.endpoint.update': 'ManageEndpoint',
  'v1.endpoint.patch': 'ManageEndpoint',
  'v1.endpoint.delete': 'ManageEndpoint',
  'v1.endpoint.update-headers': 'ManageEndpoint',
  'v1.endpoint.patch-headers': 'ManageEndpoint',
  'v1.endpoint.send-example': 'CreateAttempts',
  'v1.endpoint.recover': 'CreateAttempts',
  'v1.endpoint.replay-missing': 'CreateAttempts',
  'v1.message-attempt.resend': 'CreateAttempts',
  'v1.message.list': 'ViewBase',
  'v1.message.get': 'ViewBase',
  'v1.message-attempt.get': 'ViewBase',
  'v1.message-attempt.list-by-endpoint': 'ViewBase',
  'v1.message-attempt.list-by-msg': 'ViewBase',
  'v1.message-attempt.list-attempted-destinations': 'ViewBase',
  'v1.message-attempt.list-attempted-messages': 'ViewBase',
  'v1.event-type.list': 'catalogue',
  'v1.event-type.get': 'catalogue',
  'v1.authentication.logout': 'self',
  'console.session.get': 'self',
  'console.session.delete': 'self',
  // Its own application's events only, filtered by the server (src/live/notice.ts).
  'console.events': 'self',
};

/** Refuses a rule that cannot be enforced as written (a programming mistake: createApi fails at start). */
export function portalRulesCheck(routes: Route[], access: Record<string, PortalRule> = PORTAL_ACCESS): void {
  for (const r of routes) {
    const rule = access[r.operationId];
    if (rule === undefined || rule === 'self') continue;
    if (rule === 'catalogue' && r.method !== 'get') throw new Error(`portal rule of ${r.operationId}: catalogue routes must be GET`);
    if (rule !== 'catalogue' && !r.path.startsWith('/api/v1/app/{app_id}')) throw new Error(`portal rule of ${r.operationId}: an application route must start with /api/v1/app/{app_id}`);
  }
}

const refused = (why: string) => new HookyardError('forbidden', `an app portal token may not ${why}`);

/** The check, as middleware after authentication; a no-op for admin and api tokens. */
export function portalScope(r: Route, db: Queryable, access: Record<string, PortalRule> = PORTAL_ACCESS): MiddlewareHandler<ApiEnv> {
  const rule = access[r.operationId];
  return async (c, next) => {
    const principal = c.get('principal');
    if (principal.scope !== 'app') return next();
    if (rule === undefined) throw refused('use this route');
    if (rule !== 'catalogue' && rule !== 'self') {
      if (!capabilityHeld(principal, rule)) throw refused(`do this without the ${rule} capability`);
      const given = c.req.param('app_id');
      // An id or a uid; one that is not the token's application is refused the same way whether it exists or not.
      if (given !== principal.appId) {
        const { rows } = await db.query<{ id: string }>('select id from hookyard.application where id = $1 or uid = $1', [given ?? '']);
        if (rows.length === 0 || !rows.every((row) => row.id === principal.appId)) throw refused('reach another application');
      }
    }
    return next();
  };
}
