import { endpointDisable } from '../endpoint/sql.js';
import type { Queryable, Storage } from '../store/port.js';
import type { DeliveryState } from './state.js';

/** One row of hookyard.attempt, as written. */
export interface AttemptRecord {
  id: string;
  deliveryId: number;
  messageId: string;
  endpointId: string;
  attemptNumber: number;
  trigger: 'scheduled' | 'manual';
  url: string;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  responseTruncated: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  succeeded: boolean;
  durationMs: number;
  createdAt: Date;
}

/** What a finished attempt does to its delivery. */
export interface Completion {
  deliveryId: number;
  /** The lease token from the claim. */
  claimedCount: number;
  /** attempt_count to store: the claimed count, or one less when no attempt was made. */
  attemptCount: number;
  state: Exclude<DeliveryState, 'sending'>;
  /** For `pending`: when to try again, from now (ms). */
  delayMs: number | null;
  attempt: AttemptRecord | null;
  /** Set on 410 Gone: disable the endpoint with this reason. */
  disableEndpoint?: { endpointId: string; reason: string };
}

/**
 * Writes a batch of results in one statement (group commit): the attempts are
 * inserted and the deliveries updated through data-modifying CTEs. A delivery
 * is updated only while it is still `sending` under the same lease, so a late
 * result from a worker whose lease ran out cannot overwrite a newer one; its
 * attempt is still recorded, because it happened. Given the worker's `lane`, it
 * first waits for that lane (migration 007).
 */
export async function deliveryComplete(storage: Storage, completions: Completion[], lane?: number): Promise<void> {
  if (completions.length === 0) return;
  const gone = completions.filter((c) => c.disableEndpoint);
  if (gone.length === 0) return deliveryCompleteIn(storage, completions, lane);
  await storage.transaction(async (tx) => {
    await deliveryCompleteIn(tx, completions, lane);
    for (const { disableEndpoint } of gone) await endpointGoneDisable(tx, disableEndpoint!.endpointId, disableEndpoint!.reason);
  });
}

async function deliveryCompleteIn(db: Queryable, completions: Completion[], lane: number | undefined): Promise<void> {
  const attempts = completions.flatMap((c) => (c.attempt ? [attemptJson(c.attempt)] : []));
  const updates = completions.map((c) => ({ id: c.deliveryId, claimed: c.claimedCount, count: c.attemptCount, state: c.state, delay_ms: c.delayMs, at: c.attempt?.createdAt ?? null }));
  await db.query(
    `with attempts as (
       insert into hookyard.attempt (id, delivery_id, message_id, endpoint_id, attempt_number, trigger, url, request_headers,
                                     response_status, response_headers, response_body, response_truncated,
                                     error_code, error_message, succeeded, duration_ms, created_at)
       select * from jsonb_to_recordset($1::jsonb) as a(id text, delivery_id bigint, message_id text, endpoint_id text,
                     attempt_number int, trigger text, url text, request_headers jsonb, response_status int,
                     response_headers jsonb, response_body text, response_truncated boolean, error_code text,
                     error_message text, succeeded boolean, duration_ms int, created_at timestamptz)
       returning 1
     )
     update hookyard.delivery d
        set state = x.state::hookyard.delivery_state,
            attempt_count = x.count,
            next_attempt_at = case when x.delay_ms is null then d.next_attempt_at else now() + x.delay_ms * interval '1 millisecond' end,
            last_attempt_at = coalesce(x.at, d.last_attempt_at),
            trigger = 'scheduled', one_shot = false, updated_at = now()
       from jsonb_to_recordset($2::jsonb) as x(id bigint, claimed int, count int, state text, delay_ms int, at timestamptz)
      where d.id = x.id and d.state = 'sending' and d.attempt_count = x.claimed and (select hookyard.lane_enter($3))`,
    [JSON.stringify(attempts), JSON.stringify(updates), lane ?? null],
  );
}

function attemptJson(a: AttemptRecord) {
  return {
    id: a.id,
    delivery_id: a.deliveryId,
    message_id: a.messageId,
    endpoint_id: a.endpointId,
    attempt_number: a.attemptNumber,
    trigger: a.trigger,
    url: a.url,
    request_headers: a.requestHeaders,
    response_status: a.responseStatus,
    response_headers: a.responseHeaders,
    response_body: a.responseBody,
    response_truncated: a.responseTruncated,
    error_code: a.errorCode,
    error_message: a.errorMessage,
    succeeded: a.succeeded,
    duration_ms: a.durationMs,
    created_at: a.createdAt.toISOString(),
  };
}

/**
 * 410 Gone: the receiver says the endpoint is no more. It is disabled with the
 * reason recorded, and its other pending deliveries are cancelled (they would
 * be cancelled at claim anyway; doing it now frees the queue). `recover`
 * re-queues cancelled deliveries once the endpoint is re-enabled.
 */
export async function endpointGoneDisable(db: Queryable, endpointId: string, reason: string): Promise<void> {
  await endpointDisable(db, endpointId, reason);
  await db.query(
    `update hookyard.delivery set state = 'cancelled', updated_at = now() where endpoint_id = $1 and state = 'pending'`,
    [endpointId],
  );
}
