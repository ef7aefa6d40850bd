import type { Context } from 'hono';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticate.js';
import { CONTROL_TOKEN_ID } from '../auth/control-token.js';
import { TOKEN_SCOPES, tokenCreate, tokenFind, tokenList, tokenNameSchema, tokenRevoke, tokenScopeGet, type ApiToken } from '../auth/token.js';
import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import type { ApiEnv } from './env.js';
import { iso, listOf, timestamp } from './common.js';
import { route, type Route } from './route.js';

/**
 * Token management, a Hookyard extension (Svix manages keys in its dashboard):
 * admin tokens only. `hookyard token …` uses these routes when a server holds
 * the embedded data folder, so tokens change without a restart, and a revoke
 * clears this process's lookup cache, so it takes effect at once.
 */
export const tokenOutSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to tell tokens apart'),
  scope: z.enum(TOKEN_SCOPES).describe('admin: may also manage tokens; api: everything else'),
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable().describe('When a request last used it (to within a few seconds); null if never'),
});

export const tokenOut = (t: ApiToken): z.input<typeof tokenOutSchema> => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scope: t.scope,
  createdAt: iso(t.createdAt),
  revokedAt: t.revokedAt ? iso(t.revokedAt) : null,
  lastUsedAt: t.lastUsedAt ? iso(t.lastUsedAt) : null,
});

const tokenInSchema = z.strictObject({ name: tokenNameSchema, scope: z.enum(TOKEN_SCOPES).default('api') });
const tag = 'Token';
const summaryNote = ' (Hookyard extension; admin tokens only)';

async function mustBeAdmin(db: Queryable, c: Context<ApiEnv>): Promise<void> {
  const id = c.get('tokenId');
  if (id === CONTROL_TOKEN_ID || (await tokenScopeGet(db, id)) === 'admin') return;
  throw new HookyardError('forbidden', 'managing tokens needs an admin token (hookyard token create <name> --admin)');
}

export function tokenRoutes(db: Queryable, auth: Authenticator): Route[] {
  return [
    route({
      method: 'get', path: '/api/v1/token', operationId: 'v1.token.list', summary: `List API tokens, revoked ones too${summaryNote}`, tag,
      status: 200, errors: [403],
      response: { name: 'ListResponse_TokenOut_', schema: listOf(tokenOutSchema) },
      handler: async ({ c }) => {
        await mustBeAdmin(db, c);
        // Tokens are few: one page holds them all.
        return { data: (await tokenList(db)).map(tokenOut), iterator: null, prevIterator: null, done: true };
      },
    }),
    route({
      method: 'post', path: '/api/v1/token', operationId: 'v1.token.create', summary: `Create an API token; the response is the only time it is shown${summaryNote}`, tag,
      body: { name: 'TokenIn', schema: tokenInSchema },
      status: 201, errors: [403], noIdempotency: true,
      response: { name: 'TokenCreatedOut', schema: tokenOutSchema.extend({ token: z.string() }) },
      handler: async ({ body, c }) => {
        await mustBeAdmin(db, c);
        const { token, record } = await tokenCreate(db, body.name, body.scope, ['body', 'name']);
        // This process keeps the live tokens' hashes in memory: re-read them, so the new token works at once.
        auth.clear();
        return { ...tokenOut(record), token };
      },
    }),
    route({
      method: 'get', path: '/api/v1/token/{token_id}', operationId: 'v1.token.get', summary: `Get a token by id, display prefix or name${summaryNote}`, tag,
      status: 200, errors: [403, 409],
      response: { name: 'TokenOut', schema: tokenOutSchema },
      handler: async ({ params, c }) => {
        await mustBeAdmin(db, c);
        return tokenOut(await tokenFind(db, params.token_id!));
      },
    }),
    route({
      method: 'post', path: '/api/v1/token/{token_id}/revoke', operationId: 'v1.token.revoke', summary: `Revoke a token (by id, display prefix or name); it stops working at once${summaryNote}`, tag,
      status: 200, errors: [403, 409], noIdempotency: true,
      response: { name: 'TokenOut', schema: tokenOutSchema },
      handler: async ({ params, c }) => {
        await mustBeAdmin(db, c);
        const revoked = await tokenRevoke(db, params.token_id!);
        auth.clear();
        return tokenOut(revoked);
      },
    }),
  ];
}
