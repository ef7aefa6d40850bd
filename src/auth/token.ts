import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { HookyardError, notFound } from '../errors.js';
import { newId } from '../ids/id.js';
import type { Queryable } from '../store/port.js';
import { parseInput } from '../validate.js';

/**
 * API tokens. A token is `hy_` plus 32 random bytes (base64url). Only its
 * SHA-256 hash is stored, with a short display prefix; the token itself is
 * shown once, when created. An `admin` token may also manage tokens through
 * the API; an `api` token may use everything else.
 */
export const TOKEN_SCOPES = ['admin', 'api'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface ApiToken {
  id: string;
  name: string;
  /** The first characters of the token, for telling tokens apart. */
  prefix: string;
  scope: TokenScope;
  createdAt: Date;
  revokedAt: Date | null;
  /** When a request last used it, to within the rollup flush (a few seconds); null if never. */
  lastUsedAt: Date | null;
}

const TOKEN_PREFIX = 'hy_';
export const DISPLAY_CHARS = 10;

// A name is how a person finds a token (`hookyard token revoke ci`), so it may not look like an id or a token.
export const tokenNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters')
  .refine((n) => n.trim() === n, 'must not start or end with spaces')
  .refine((n) => !n.startsWith('tok_') && !n.startsWith(TOKEN_PREFIX), 'must not start with tok_ or hy_');

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, name, prefix, scope, created_at, revoked_at, last_used_at';
const toToken = (r: TokenRow): ApiToken => ({ id: r.id, name: r.name, prefix: r.prefix, scope: r.scope, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at });
// App portal tokens (scope 'app', src/auth/portal-token.ts) are not API keys: the token routes and the CLI neither list nor find them.
const API_KEYS = "scope <> 'app'";

export async function tokenCreate(db: Queryable, name: string, scope: TokenScope = 'api', loc: (string | number)[] = ['name']): Promise<{ token: string; record: ApiToken }> {
  parseInput(tokenNameSchema, name, loc);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await db.query<TokenRow>(
    `insert into hookyard.api_token (id, name, prefix, hash, scope) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [newId('tok'), name, token.slice(0, DISPLAY_CHARS), tokenHash(token), scope],
  );
  return { token, record: toToken(rows[0]!) };
}

export async function tokenList(db: Queryable): Promise<ApiToken[]> {
  const { rows } = await db.query<TokenRow>(`select ${COLUMNS} from hookyard.api_token where ${API_KEYS} order by id`);
  return rows.map(toToken);
}

/**
 * Finds one token by its id, its display prefix, its name (a live token first:
 * a name is often reused after a revoke), or, from the CLI, the token itself
 * (the API does not offer that: a token in a URL path would reach access logs).
 * A selector that matches several tokens finds none, and says which ids it
 * matched. The selector is never echoed: it may be a token.
 */
export async function tokenFind(db: Queryable, selector: string, { byToken = false } = {}): Promise<ApiToken> {
  const { rows } = await db.query<TokenRow & { exact: boolean }>(
    `select ${COLUMNS}, (id = $1 or hash = $2) as exact from hookyard.api_token
      where (id = $1 or hash = $2 or prefix = $1 or name = $1) and ${API_KEYS} order by id`,
    [selector, byToken ? tokenHash(selector) : ''],
  );
  const exact = rows.find((r) => r.exact);
  if (exact) return toToken(exact);
  const tokens = rows.map(toToken);
  const byName = tokens.filter((t) => t.name === selector);
  for (const matches of [tokens.filter((t) => t.prefix === selector), byName.filter((t) => !t.revokedAt), byName]) {
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new HookyardError('conflict', `${matches.length} tokens match (${matches.map((t) => t.id).join(', ')}); name one by its id`);
    }
  }
  throw notFound('token');
}

/** Revokes one token (see tokenFind for what selects it); revoking a revoked token changes nothing. */
export async function tokenRevoke(db: Queryable, selector: string, options: { byToken?: boolean } = {}): Promise<ApiToken> {
  const target = await tokenFind(db, selector, options);
  const { rows } = await db.query<TokenRow>(
    `update hookyard.api_token set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [target.id],
  );
  if (rows.length !== 1) throw notFound('token');
  return toToken(rows[0]!);
}

export async function tokenCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from hookyard.api_token where revoked_at is null and ${API_KEYS}`);
  return rows[0]!.n;
}

/** The scope of a live token, or undefined. */
export async function tokenScopeGet(db: Queryable, id: string): Promise<TokenScope | undefined> {
  const { rows } = await db.query<{ scope: TokenScope }>('select scope from hookyard.api_token where id = $1 and revoked_at is null', [id]);
  return rows[0]?.scope;
}

/**
 * The id of the live token with this hash, or undefined. The lookup is by
 * the hash of whatever was presented, so an unknown token and a wrong one
 * take the same path: there is no stored secret compared byte by byte.
 */
export async function tokenIdByHash(db: Queryable, hash: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('select id from hookyard.api_token where hash = $1 and revoked_at is null', [hash]);
  return rows[0]?.id;
}
