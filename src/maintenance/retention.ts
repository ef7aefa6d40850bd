import { idBoundary } from '../ids/id.js';
import type { Queryable } from '../store/port.js';

/**
 * Deletes up to `limit` messages created before `before`, with their
 * deliveries and attempts (statement-level triggers, migrations 004 and 005). Ids sort by creation time,
 * so the primary-key index finds them; batches keep each transaction short.
 */
export async function messageDeleteExpired(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with doomed as (
       select id from hookyard.message where id < $1 order by id limit $2
     ), gone as (
       delete from hookyard.message m using doomed where m.id = doomed.id returning 1
     )
     select count(*)::int as n from gone`,
    [idBoundary('msg', before.getTime()), limit],
  );
  return rows[0]?.n ?? 0;
}

/** Idempotency-Key records older than `before`: past that, a repeated key is a new request. */
export async function idempotencyKeyDeleteExpired(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with gone as (delete from hookyard.idempotency_key where created_at < $1 returning 1)
     select count(*)::int as n from gone`,
    [before],
  );
  return rows[0]?.n ?? 0;
}

/** Rotated-out signing secrets whose grace window has passed are no use to anyone. */
export async function endpointSecretDeleteExpired(db: Queryable, now: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with gone as (delete from hookyard.endpoint_secret where expires_at is not null and expires_at <= $1 returning 1)
     select count(*)::int as n from gone`,
    [now],
  );
  return rows[0]?.n ?? 0;
}
