import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import type { ApiEnv } from './env.js';

/**
 * Idempotency-Key on POST: the first response (status and body) is stored
 * per token and key and replayed to any repeat for `retentionMs`. A repeat
 * that arrives while the first is still running gets 409; a key reused for a
 * different request gets 422. Server errors are not stored, so they can be retried.
 */
const ABANDONED_MS = 60_000; // longer than any request should run

export function idempotency(db: Queryable, { retentionMs = 24 * 60 * 60 * 1000 /* ms */ } = {}): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > 256) throw new HookyardError('validation', 'invalid Idempotency-Key', { fields: [{ loc: ['header', 'idempotency-key'], msg: 'must be 1 to 256 characters', type: 'value_error' }] });
    const tokenId = c.get('tokenId');
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${await c.req.text()}`).digest('hex');
    const expired = new Date(Date.now() - retentionMs);
    if (!(await idempotencyKeyClaim(db, tokenId, key, fingerprint, expired, new Date(Date.now() - ABANDONED_MS)))) {
      const first = await idempotencyKeyGet(db, tokenId, key);
      if (first && first.fingerprint !== fingerprint) {
        throw new HookyardError('validation', 'Idempotency-Key was used for a different request', { fields: [{ loc: ['header', 'idempotency-key'], msg: 'was used for a different request', type: 'value_error' }] });
      }
      if (!first || first.status === null) throw new HookyardError('conflict', 'a request with this Idempotency-Key is in progress');
      c.header('Idempotent-Replayed', 'true');
      if (first.body === null || first.body === '') return c.body(null, first.status as 204);
      return c.body(first.body, first.status as 200, { 'content-type': 'application/json' });
    }
    let stored = false;
    try {
      await next();
      if (c.res.status < 500) {
        const body = await c.res.clone().text();
        await idempotencyKeyStore(db, tokenId, key, c.res.status, body);
        stored = true;
      }
    } finally {
      if (!stored) await idempotencyKeyRelease(db, tokenId, key);
    }
  };
}

/**
 * Claims a key for this request; false when another request holds it. An
 * expired row, or one left in progress by a process that died mid-request
 * (created before `abandonedBefore`), is taken over in the same statement.
 */
async function idempotencyKeyClaim(db: Queryable, tokenId: string, key: string, fingerprint: string, expiredBefore: Date, abandonedBefore: Date): Promise<boolean> {
  const { rows } = await db.query(
    `insert into hookyard.idempotency_key (token_id, key, fingerprint) values ($1, $2, $3)
     on conflict (token_id, key) do update set fingerprint = excluded.fingerprint, status = null, body = null, created_at = now()
       where hookyard.idempotency_key.created_at < $4
          or (hookyard.idempotency_key.status is null and hookyard.idempotency_key.created_at < $5)
     returning token_id`,
    [tokenId, key, fingerprint, expiredBefore, abandonedBefore],
  );
  return rows.length > 0;
}

async function idempotencyKeyGet(db: Queryable, tokenId: string, key: string): Promise<{ fingerprint: string; status: number | null; body: string | null } | undefined> {
  const { rows } = await db.query<{ fingerprint: string; status: number | null; body: string | null }>(
    'select fingerprint, status, body from hookyard.idempotency_key where token_id = $1 and key = $2',
    [tokenId, key],
  );
  return rows[0];
}

/** Keeps the first response, to replay to repeats. */
async function idempotencyKeyStore(db: Queryable, tokenId: string, key: string, status: number, body: string): Promise<void> {
  await db.query('update hookyard.idempotency_key set status = $3, body = $4 where token_id = $1 and key = $2', [tokenId, key, status, body]);
}

/** Frees the key after a server error, so the request can be retried. */
async function idempotencyKeyRelease(db: Queryable, tokenId: string, key: string): Promise<void> {
  await db.query('delete from hookyard.idempotency_key where token_id = $1 and key = $2', [tokenId, key]);
}
