import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import type { ApiEnv } from './env.js';
import { errorResponse } from './error.js';

/**
 * Idempotency-Key on POST: the first response (status and body) is stored
 * per token and key and replayed to any repeat for `retentionMs`. A repeat
 * that arrives while the first is still running gets 409; a key reused for a
 * different request gets 422. Server errors are not stored, so they can be retried.
 *
 * Publishing records its key in its own single statement, with the message instead of a copy
 * of the response (`deferred`); this middleware then only steps in when the route answered
 * before reaching that statement (a 4xx), and records that answer as it would have.
 */
const ABANDONED_MS = 60_000; // longer than any request should run

export interface IdempotencyRequest {
  /** The API token's id: keys belong to a token. */
  scope: string;
  key: string;
  /** SHA-256 of method, path and the body's bytes. */
  fingerprint: string;
  retentionMs: number; // ms
}

/** Rebuilds a publish's response from the message its key points at. */
export type MessageReplay = (c: Context<ApiEnv>, messageId: string, withContent: boolean) => Promise<Response>;

const keyReused = () =>
  new HookyardError('validation', 'Idempotency-Key was used for a different request', { fields: [{ loc: ['header', 'idempotency-key'], msg: 'was used for a different request', type: 'value_error' }] });
const keyBusy = () => new HookyardError('conflict', 'a request with this Idempotency-Key is in progress');

export function idempotency(db: Queryable, { retentionMs = 24 * 60 * 60 * 1000 /* ms */ } = {}) {
  async function requestOf(c: Context<ApiEnv>): Promise<IdempotencyRequest | undefined> {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return undefined;
    if (key.length === 0 || key.length > 256) throw new HookyardError('validation', 'invalid Idempotency-Key', { fields: [{ loc: ['header', 'idempotency-key'], msg: 'must be 1 to 256 characters', type: 'value_error' }] });
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n`).update(c.get('body') ?? Buffer.from(await c.req.arrayBuffer())).digest('hex');
    return { scope: c.get('tokenId'), key, fingerprint, retentionMs };
  }

  /** Claims the key for this request; false when another request holds it. */
  const claim = (r: IdempotencyRequest) =>
    idempotencyKeyClaim(db, r.scope, r.key, r.fingerprint, new Date(Date.now() - retentionMs), new Date(Date.now() - ABANDONED_MS));

  /** The answer for a key another request holds: replay, 409 or 422. */
  async function answerFromFirst(c: Context<ApiEnv>, r: IdempotencyRequest, replay?: MessageReplay): Promise<Response> {
    const first = await idempotencyKeyGet(db, r.scope, r.key);
    if (first && first.fingerprint !== r.fingerprint) throw keyReused();
    if (!first || first.status === null) throw keyBusy();
    c.header('Idempotent-Replayed', 'true');
    if (first.messageId !== null && replay) return replay(c, first.messageId, first.withContent ?? true);
    if (first.body === null || first.body === '') return c.body(null, first.status as 204);
    return c.body(first.body, first.status as 200, { 'content-type': 'application/json' });
  }

  /** For every POST route but publish: claim, run, store the response. */
  const middleware: MiddlewareHandler<ApiEnv> = async (c, next) => {
    const r = await requestOf(c);
    if (!r) return next();
    if (!(await claim(r))) return answerFromFirst(c, r);
    let stored = false;
    try {
      await next();
      if (c.res.status < 500) {
        const body = await c.res.clone().text();
        await idempotencyKeyStore(db, r.scope, r.key, c.res.status, body);
        stored = true;
      }
    } finally {
      if (!stored) await idempotencyKeyRelease(db, r.scope, r.key);
    }
  };

  /** For a route whose statement checks and records the key (publish); see above. */
  const deferred = (replay: MessageReplay): MiddlewareHandler<ApiEnv> => async (c, next) => {
    const r = await requestOf(c);
    if (!r) return next();
    c.set('idempotency', r);
    await next();
    if (c.get('idempotencyHandled') || c.res.status >= 500) return;
    // Refused before its statement ran: record the refusal, unless another request holds the key.
    if (await claim(r)) {
      await idempotencyKeyStore(db, r.scope, r.key, c.res.status, await c.res.clone().text());
      return;
    }
    try {
      c.res = await answerFromFirst(c, r, replay);
    } catch (error) {
      c.res = errorResponse(error, c);
    }
  };

  return { middleware, deferred };
}

/**
 * Claims a key for this request; false when another request holds it. An
 * expired row, or one left in progress by a process that died mid-request
 * (created before `abandonedBefore`), is taken over in the same statement.
 */
async function idempotencyKeyClaim(db: Queryable, tokenId: string, key: string, fingerprint: string, expiredBefore: Date, abandonedBefore: Date): Promise<boolean> {
  const { rows } = await db.query(
    `insert into hookyard.idempotency_key (token_id, key, fingerprint) values ($1, $2, $3)
     on conflict (token_id, key) do update set fingerprint = excluded.fingerprint, status = null, body = null,
       message_id = null, with_content = null, created_at = now()
       where hookyard.idempotency_key.created_at < $4
          or (hookyard.idempotency_key.status is null and hookyard.idempotency_key.created_at < $5)
     returning token_id`,
    [tokenId, key, fingerprint, expiredBefore, abandonedBefore],
  );
  return rows.length > 0;
}

interface KeyRecord {
  fingerprint: string;
  status: number | null;
  body: string | null;
  messageId: string | null;
  withContent: boolean | null;
}

async function idempotencyKeyGet(db: Queryable, tokenId: string, key: string): Promise<KeyRecord | undefined> {
  const { rows } = await db.query<KeyRecord>(
    `select fingerprint, status, body, message_id as "messageId", with_content as "withContent"
       from hookyard.idempotency_key where token_id = $1 and key = $2`,
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
