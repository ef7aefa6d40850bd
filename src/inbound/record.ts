import type { Context } from '../context.js';
import { DELIVERY_CHANNEL } from '../delivery/state.js';
import { groupCommit, type Settled } from '../message/group.js';
import type { Queryable } from '../store/port.js';

/** An accepted request, ready to be recorded and forwarded. */
export interface AcceptedEvent {
  sourceId: string;
  /** The key's hash as the request saw it: the statement records nothing if the key has changed since. */
  tokenHash: string;
  /** The source's version the request was verified against (SourceWithToken.version). */
  sourceVersion: string;
  appId: string;
  messageId: string;
  eventType: string;
  /** The provider's delivery id (dedup key): a repeat within the retention window is a duplicate. */
  eventId: string | null;
  /** The exact body text, forwarded byte for byte. */
  payload: string;
  /** False when the source's type checked nothing (no secret, or generic-webhook): logged as `unverified`. */
  verified: boolean;
  receivedAt: Date;
  log: {
    id: string;
    clientIp: string | null;
    userAgent: string | null;
    headers: Record<string, string>;
    size: number;
    durationMs: number;
    /** Set for bodies that are not JSON: the type they are forwarded with. */
    contentType: string | null;
  };
}

export type RecordOutcome =
  | { kind: 'created'; messageId: string; deliveries: number }
  | { kind: 'duplicate'; messageId: string }
  /** The key was rotated, or the source deleted, since the request looked it up. */
  | { kind: 'gone' }
  /** The source was disabled since the request looked it up. */
  | { kind: 'disabled' }
  /** The source was updated since the request looked it up: verify again against it as it is. */
  | { kind: 'changed' }
  /** The event type changed under the statement; worth one more try. */
  | { kind: 'stale' };

interface RecordRow {
  n: number;
  outcome: string | null;
  id: string | null;
  deliveries: number | null;
}

/**
 * Records accepted requests and forwards them, in one statement for a whole group
 * (`hookyard.inbound_record`, migrations 021 and 027): each becomes a message of its source's hidden
 * application through `hookyard.message_publish` (fan-out to the ingest endpoints, eventId dedup,
 * NOTIFY), its request-log row (the event's metadata) is written beside it, and the source's
 * statistics are added to, provided the source is still as the request saw it. The messages go
 * in message_publish's own input shape, apart from the rest, so the database reads each payload
 * once. The version of each event type is read there, so a payload is never refused by an event
 * type's schema: a third party's body is what it is.
 */
export async function inboundRecord(db: Queryable, events: AcceptedEvent[]): Promise<RecordOutcome[]> {
  const messages = events.map((e, i) => ({
    n: i + 1,
    unit: i + 1,
    app: e.appId,
    id: e.messageId,
    event_type: e.eventType,
    event_id: e.eventId,
    payload: e.payload,
    created_at: e.receivedAt.toISOString(),
  }));
  const rest = events.map((e, i) => ({
    n: i + 1,
    source_id: e.sourceId,
    token_hash: e.tokenHash,
    source_version: e.sourceVersion,
    log_id: e.log.id,
    id: e.messageId,
    event_type: e.eventType,
    created_at: messages[i]!.created_at,
    client_ip: e.log.clientIp,
    user_agent: e.log.userAgent,
    headers: e.log.headers,
    size: e.log.size,
    duration_ms: e.log.durationMs,
    content_type: e.log.contentType,
    verified: e.verified,
  }));
  const { rows } = await db.query<RecordRow>('select * from hookyard.inbound_record($1::json, $2::json, $3)', [
    JSON.stringify(messages),
    JSON.stringify(rest),
    DELIVERY_CHANNEL,
  ]);
  return rows.map((r): RecordOutcome => {
    if (r.outcome === 'created') return { kind: 'created', messageId: r.id!, deliveries: r.deliveries ?? 0 };
    if (r.outcome === 'existing') return { kind: 'duplicate', messageId: r.id! };
    if (r.outcome === 'stale') return { kind: 'stale' };
    if (r.outcome === 'disabled') return { kind: 'disabled' };
    if (r.outcome === 'changed') return { kind: 'changed' };
    return { kind: 'gone' };
  });
}

interface Unit {
  size: number;
  bytes: number;
  event: AcceptedEvent;
}

/**
 * The receive path's writer: requests that arrive while a statement runs go together in the next
 * one (src/message/group.ts), so a busy source costs one round trip per group, not per request.
 * If a statement fails, each of its events runs alone, so only the one at fault fails.
 *
 * One statement at a time. With two, the second slot took whatever arrived next, so groups
 * finished together and their senders' next requests arrived together: at 32 in flight every
 * group held all 32, and the thread and the database took turns, each idle while the other
 * worked (46% of the machine idle; issue 12's benchmark, docs/inbound.md#performance). With one,
 * the requests that arrive while a statement runs make the next group, so the groups alternate
 * (two of about 16) and one is recorded while the thread answers the other: 10–25% more accepted
 * per second in the same runs.
 */
export function inboundRecorder(ctx: Pick<Context, 'storage' | 'onDeliveriesCreated'>) {
  const run = async (units: Unit[]): Promise<RecordOutcome[]> => {
    const outcomes = await inboundRecord(ctx.storage, units.map((u) => u.event));
    if (outcomes.some((o) => o.kind === 'created' && o.deliveries > 0)) ctx.onDeliveriesCreated();
    return outcomes;
  };
  const group = groupCommit<Unit, RecordOutcome>(async (units): Promise<Settled<RecordOutcome>[]> => {
    try {
      return (await run(units)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (units.length === 1) return [{ ok: false, error }];
      return Promise.all(units.map(async (u): Promise<Settled<RecordOutcome>> => {
        try {
          return { ok: true, value: (await run([u]))[0]! };
        } catch (e) {
          return { ok: false, error: e };
        }
      }));
    }
  }, { inFlight: 1 });
  return {
    async record(event: AcceptedEvent): Promise<RecordOutcome> {
      const outcome = await group.submit({ size: 1, bytes: event.payload.length, event });
      // A changed event type is a race with another process; once more sees it as it is now.
      return outcome.kind === 'stale' ? group.submit({ size: 1, bytes: event.payload.length, event }) : outcome;
    },
  };
}
