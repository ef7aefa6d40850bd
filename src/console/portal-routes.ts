import type { Context } from 'hono';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticate.js';
import { PORTAL_CAPABILITIES } from '../auth/principal.js';
import { portalTokenCreate, portalTokenEnd, portalTokensExpireAll } from '../auth/portal-token.js';
import { applicationInSchema } from '../application/model.js';
import { HookyardError } from '../errors.js';
import type { Hookyard } from '../hookyard.js';
import type { ApiEnv } from '../api/env.js';
import { route, type Route } from '../api/route.js';

/**
 * Svix's authentication routes for the app portal. `appPortalAccess` makes a
 * portal token for one application and a link to `/portal/` carrying it in
 * the URL fragment (which browsers never send to a server or in a Referer).
 * What the token may then reach is decided per route (src/api/portal-scope.ts).
 */
const HOUR_S = 3600;
const WEEK_S = 7 * 24 * HOUR_S;

const appPortalAccessInSchema = z.strictObject({
  application: applicationInSchema.nullish().describe('Created if the application in the path does not exist'),
  capabilities: z.array(z.enum(PORTAL_CAPABILITIES)).max(PORTAL_CAPABILITIES.length).nullish().describe('Default: all of them'),
  expiry: z.number().int().min(HOUR_S).max(WEEK_S).nullish().describe('Seconds the token is valid: 1 hour to 7 days; default 1 hour (Svix: 7 days)'),
  featureFlags: z.array(z.string()).max(0, 'feature flags are not implemented by Hookyard').optional(),
  readOnly: z.boolean().nullish().describe('Deprecated in Svix; true limits the token to ViewBase'),
  sessionId: z.string().min(1).max(256).nullish().describe('Tag for expire-all'),
});

const appPortalAccessOutSchema = z.object({ url: z.string(), token: z.string() });

const expireAllInSchema = z.strictObject({
  expiry: z.number().int().min(0).max(WEEK_S).nullish().describe('Seconds until the tokens expire; default at once'),
  sessionIds: z.array(z.string().min(1).max(256)).max(1000).optional(),
});

const themeOutSchema = z.object({ color: z.string().nullable(), logoUrl: z.string().nullable() });

const tag = 'Authentication';

export interface PortalRouteDeps {
  hookyard: Hookyard;
  auth: Authenticator;
  /** The URL browsers reach this server at; the request's origin when unset. */
  publicUrl: string | undefined;
  theme: { color: string | null; logoUrl: string | null };
  now: () => Date;
}

export function portalRoutes({ hookyard, auth, publicUrl, theme, now }: PortalRouteDeps): Route[] {
  const { applications } = hookyard;
  const db = hookyard.storage;
  const baseUrl = (c: Context<ApiEnv>) => publicUrl ?? new URL(c.req.url).origin;

  async function applicationFor(appId: string, create: z.output<typeof appPortalAccessInSchema>['application']) {
    try {
      return await applications.get(appId);
    } catch (error) {
      if (!(error instanceof HookyardError && error.code === 'not_found') || !create) throw error;
      return applications.create({ ...create, uid: create.uid ?? (appId.startsWith('app_') ? null : appId) });
    }
  }

  return [
    route({
      method: 'post', path: '/api/v1/auth/app-portal-access/{app_id}', operationId: 'v1.authentication.app-portal-access', tag,
      summary: 'A link and a token for the app portal of one application (short-lived, limited to that application)',
      body: { name: 'AppPortalAccessIn', schema: appPortalAccessInSchema },
      // The answer holds a token: not kept for Idempotency-Key replays.
      status: 200, noIdempotency: true,
      response: { name: 'AppPortalAccessOut', schema: appPortalAccessOutSchema },
      handler: async ({ params, body, c }) => {
        const app = await applicationFor(params.app_id!, body.application);
        const capabilities = body.readOnly ? (['ViewBase'] as const) : body.capabilities;
        const expiresAt = new Date(now().getTime() + (body.expiry ?? HOUR_S) * 1000);
        const { token } = await portalTokenCreate(db, {
          appId: app.id,
          capabilities: capabilities ? [...new Set(['ViewBase' as const, ...capabilities])] : null,
          expiresAt,
          sessionId: body.sessionId ?? null,
        });
        // This process holds the live tokens in memory: read them again, so the token works here at once
        // (signing in with it works at once everywhere; as a Bearer token, other processes see it within their cache time).
        auth.clear();
        return { url: `${baseUrl(c)}/portal/#token=${token}`, token };
      },
    }),
    route({
      method: 'post', path: '/api/v1/auth/logout', operationId: 'v1.authentication.logout', tag,
      summary: 'End the app portal token this request is made with (other tokens are refused)',
      status: 204, errors: [403], noIdempotency: true,
      handler: async ({ c }) => {
        const principal = c.get('principal');
        if (principal.scope !== 'app' || !(await portalTokenEnd(db, principal.id))) {
          throw new HookyardError('forbidden', 'only an app portal token can be logged out; revoke API tokens with /api/v1/token/{token_id}/revoke');
        }
        auth.clear();
      },
    }),
    route({
      method: 'post', path: '/api/v1/auth/app/{app_id}/expire-all', operationId: 'v1.authentication.expire-all', tag,
      summary: "Expire the application's app portal tokens (all, or those of some session ids)",
      body: { name: 'ApplicationTokenExpireIn', schema: expireAllInSchema },
      status: 204, noIdempotency: true,
      handler: async ({ params, body }) => {
        const app = await applications.get(params.app_id!);
        await portalTokensExpireAll(db, app.id, body.sessionIds?.length ? body.sessionIds : null, (body.expiry ?? 0) * 1000);
        auth.clear();
      },
    }),
    route({
      method: 'get', path: '/console/api/portal-theme', operationId: 'console.portal-theme.get', tag: 'Console',
      summary: "The app portal's theme: accent colour and logo (Hookyard extension; no token)",
      status: 200, public: true,
      response: { name: 'PortalThemeOut', schema: themeOutSchema },
      handler: async () => theme,
    }),
  ];
}
