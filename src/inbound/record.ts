import type { Context } from '../context.js';
import { DELIVERY_CHANNEL } from '../delivery/state.js';
import { groupCommit, type Settled } from '../message/group.js';
import type { Queryable } from '../store/port.js';

/** An accepted request, ready to be recorded and forwarded. */
export interface AcceptedEvent {
  sourceId: string;
  /** The key's hash as the request saw it: the statement records nothing if the key has changed since. */
  tokenHash: string;
  appId: string;
  messageId: string;
  eventType: string;
  /** The provider's delivery id (dedup key): a repeat within the retention window is a duplicate. */
  eventId: string | null;
  /** The exact body text, forwarded byte for byte. */
  payload: string;
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
  /** The key was rotated, or the source disabled or deleted, since the request looked it up. */
  | { kind: 'gone' }
  /** The event type changed under the statement; worth one more try. */
  | { kind: 'stale' };

interface RecordRow {
  n: number;
  outcome: string | null;
  id: string | null;
  deliveries: number | null;
}

/**
 * Records accepted requests and forwards them, in one statement for a whole group: each becomes a
 * message of its source's hidden application through `hookyard.message_publish` (migration 008:
 * fan-out to the ingest endpoints, eventId dedup, NOTIFY), its request-log row (the event's
 * metadata) is written beside it, and the source's statistics are added to. Sources are locked
 * in id order first, so that groups naming several sources cannot deadlock on the statistics.
 * The version of each event type is read here, so a payload is never refused by an event type's
 * schema: a third party's body is what it is.
 */
export async function inboundRecord(db: Queryable, events: AcceptedEvent[]): Promise<RecordOutcome[]> {
  const input = events.map((e, i) => ({
    n: i + 1,
    source_id: e.sourceId,
    token_hash: e.tokenHash,
    app_id: e.appId,
    id: e.messageId,
    event_type: e.eventType,
    event_id: e.eventId,
    payload: e.payload,
    created_at: e.receivedAt.toISOString(),
    log_id: e.log.id,
    client_ip: e.log.clientIp,
    user_agent: e.log.userAgent,
    headers: e.log.headers,
    size: e.log.size,
    duration_ms: e.log.durationMs,
    content_type: e.log.contentType,
  }));
  const { rows } = await db.query<RecordRow>(
    `with item as (
       select i.* from json_to_recordset($1::json) as i(
         n integer, source_id text, token_hash text, app_id text, id text, event_type text, event_id text, payload text,
         created_at timestamptz, log_id text, client_ip text, user_agent text, headers jsonb, size integer, duration_ms real, content_type text)
     ), locked as (
       select s.id, s.token_hash, s.disabled from hookyard.inbound_source s
        where s.id in (select source_id from item) order by s.id for no key update
     ), live as (
       select i.* from item i join locked s on s.id = i.source_id and s.token_hash = i.token_hash and not s.disabled
     ), pub as (
       select p.n, p.outcome, p.id, p.deliveries from hookyard.message_publish(
         (select coalesce(json_agg(json_build_object(
                   'n', l.n, 'unit', l.n, 'app', l.app_id, 'id', l.id, 'event_type', l.event_type, 'event_id', l.event_id,
                   'payload', l.payload, 'created_at', l.created_at,
                   'event_type_version', (select hookyard.event_type_version(t.updated_at) from hookyard.event_type t where t.name = l.event_type))),
                 '[]'::json)
            from live l),
         $2, 0, 60000) p
     ), logged as (
       insert into hookyard.inbound_request
         (id, source_id, received_at, outcome, reason, status, client_ip, user_agent, headers, size, duration_ms, message_id, event_type, content_type)
       select i.log_id, i.source_id, i.created_at,
              case p.outcome when 'created' then 'accepted' else 'duplicate' end,
              case p.outcome when 'created' then null else 'duplicate' end,
              200, i.client_ip, i.user_agent, coalesce(i.headers, '{}'::jsonb), i.size, i.duration_ms, p.id, i.event_type,
              case p.outcome when 'created' then i.content_type end
         from item i join pub p on p.n = i.n
        where p.outcome in ('created', 'existing')
     ), counted as (
       update hookyard.inbound_source s
          set events_received = s.events_received + c.k, last_event_at = greatest(s.last_event_at, c.at)
         from (select i.source_id, count(*)::int as k, max(i.created_at) as at
                 from item i join pub p on p.n = i.n and p.outcome = 'created' group by i.source_id) c
        where s.id = c.source_id
     )
     select i.n, p.outcome, p.id, p.deliveries from item i left join pub p on p.n = i.n order by i.n`,
    [JSON.stringify(input), DELIVERY_CHANNEL],
  );
  return rows.map((r): RecordOutcome => {
    if (r.outcome === 'created') return { kind: 'created', messageId: r.id!, deliveries: r.deliveries ?? 0 };
    if (r.outcome === 'existing') return { kind: 'duplicate', messageId: r.id! };
    if (r.outcome === 'stale') return { kind: 'stale' };
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
  });
  return {
    async record(event: AcceptedEvent): Promise<RecordOutcome> {
      const outcome = await group.submit({ size: 1, bytes: event.payload.length, event });
      // A changed event type is a race with another process; once more sees it as it is now.
      return outcome.kind === 'stale' ? group.submit({ size: 1, bytes: event.payload.length, event }) : outcome;
    },
  };
}
