import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../ids/id.js';
import type { Queryable } from '../store/port.js';
import { notFound } from '../errors.js';

/**
 * API tokens. A token is `hy_` plus 32 random bytes (base64url). Only its
 * SHA-256 hash is stored, with a short display prefix; the token itself is
 * shown once, when created.
 */
export interface ApiToken {
  id: string;
  name: string;
  /** The first characters of the token, for telling tokens apart. */
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const TOKEN_PREFIX = 'hy_';
const DISPLAY_CHARS = 10;

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toToken = (r: TokenRow): ApiToken => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, revokedAt: r.revoked_at });

export async function tokenCreate(db: Queryable, name: string): Promise<{ token: string; record: ApiToken }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await db.query<TokenRow>(
    `insert into hookyard.api_token (id, name, prefix, hash) values ($1, $2, $3, $4)
     returning id, name, prefix, created_at, revoked_at`,
    [newId('tok'), name, token.slice(0, DISPLAY_CHARS), tokenHash(token)],
  );
  return { token, record: toToken(rows[0]!) };
}

export async function tokenList(db: Queryable): Promise<ApiToken[]> {
  const { rows } = await db.query<TokenRow>('select id, name, prefix, created_at, revoked_at from hookyard.api_token order by id');
  return rows.map(toToken);
}

/** Revokes by id or display prefix; a prefix that matches several tokens revokes none. */
export async function tokenRevoke(db: Queryable, idOrPrefix: string): Promise<ApiToken> {
  const { rows } = await db.query<TokenRow>(
    `with target as (select id from hookyard.api_token where id = $1 or prefix = $1)
     update hookyard.api_token set revoked_at = coalesce(revoked_at, now())
      where id in (select id from target) and (select count(*) from target) = 1
      returning id, name, prefix, created_at, revoked_at`,
    [idOrPrefix],
  );
  if (rows.length !== 1) throw notFound('token');
  return toToken(rows[0]!);
}

export async function tokenCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from hookyard.api_token where revoked_at is null');
  return rows[0]!.n;
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
