import type { Queryable } from '../store/port.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import { EXPUNGED_PAYLOAD_TEXT, type Message } from './model.js';

export interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  /** Null once the payload was removed (migration 016). */
  payload: string | null;
  channels: string[] | null;
  tags: string[] | null;
  created_at: Date;
  /** Absent from hookyard.message_publish's answer. */
  deliver_at?: Date | null;
}

const COLUMNS = 'id, app_id, event_type, event_id, payload, channels, tags, created_at, deliver_at';

/**
 * A stored payload as the API shows it. A received webhook's body (src/inbound/) may be any text
 * (a form, XML): it is delivered as it is, and shown as a JSON string.
 */
function payloadRead(text: string): { payload: unknown; payloadText: string } {
  try {
    return { payload: JSON.parse(text), payloadText: text };
  } catch {
    return { payload: text, payloadText: JSON.stringify(text) };
  }
}

export function toMessage(r: MessageRow): Message {
  const text = r.payload ?? EXPUNGED_PAYLOAD_TEXT;
  return {
    id: r.id,
    appId: r.app_id,
    eventType: r.event_type,
    eventId: r.event_id,
    ...payloadRead(text),
    ...(r.payload === null ? { expunged: true } : {}),
    channels: r.channels,
    tags: r.tags,
    timestamp: r.created_at,
    deliverAt: r.deliver_at ?? null,
  };
}

/** One message handed to `hookyard.message_publish` (migration 008 says what each field does). */
export interface PublishItem {
  unit: number;
  app: string;
  id: string;
  eventType: string;
  eventId: string | null;
  /** The exact JSON text; stored and sent byte for byte. */
  payload: string;
  channels: string[] | null;
  tags: string[] | null;
  createdAt: Date;
  eventTypeVersion: number | null;
  endpoint: string | null;
  key: { scope: string; key: string; fingerprint: string; withContent: boolean } | null;
  /** When the payload is to be removed (MessageIn's retention fields); null: the server-wide retention. */
  payloadExpiresAt: Date | null;
}

export type PublishOutcome = 'created' | 'existing' | 'replayed' | 'key_busy' | 'key_reused' | 'no_app' | 'no_endpoint' | 'stale' | 'skipped';

export interface PublishRow {
  outcome: PublishOutcome;
  /** The message created, found by eventId, or replayed (null for refusals). */
  id: string | null;
  /** The application's id, once resolved. */
  appId: string | null;
  /** The message's fields, for existing and replayed outcomes (null otherwise, or when a replayed message is gone). */
  message: Message | null;
  deliveries: number;
  replayStatus: number | null;
  replayBody: string | null;
  replayWithContent: boolean | null;
}

interface PublishResultRow extends Omit<MessageRow, 'id' | 'app_id' | 'event_type' | 'payload' | 'created_at'> {
  n: number;
  outcome: PublishOutcome;
  id: string | null;
  app_id: string | null;
  event_type: string | null;
  payload: string | null;
  created_at: Date | null;
  deliveries: number;
  replay_status: number | null;
  replay_body: string | null;
  replay_with_content: boolean | null;
}

export interface PublishSettings {
  /** The NOTIFY channel raised once when the call created deliveries. */
  channel: string;
  keyRetentionMs: number; // ms
  /** A key left in progress longer than this was abandoned by a process that died; it is taken over. */
  keyAbandonedMs: number; // ms
}

/**
 * Publishes a group of messages in one statement (one round trip, one transaction unless `db`
 * is inside one already) and answers one row per item, in the order given.
 */
export async function messagePublish(db: Queryable, items: PublishItem[], settings: PublishSettings): Promise<PublishRow[]> {
  // Rows travel as one JSON document: arrays of arrays (channels, tags) cannot be unnested row by row.
  const input = JSON.stringify(items.map((m, i) => ({
    n: i + 1,
    unit: m.unit,
    app: m.app,
    id: m.id,
    event_type: m.eventType,
    event_id: m.eventId,
    payload: m.payload,
    channels: m.channels,
    tags: m.tags,
    created_at: m.createdAt,
    event_type_version: m.eventTypeVersion,
    endpoint: m.endpoint,
    ...(m.key ? { scope: m.key.scope, key: m.key.key, fingerprint: m.key.fingerprint, with_content: m.key.withContent } : {}),
  })));
  const expiries = items.flatMap((m) => (m.payloadExpiresAt ? [{ id: m.id, expires_at: m.payloadExpiresAt }] : []));
  const args = [input, settings.channel, settings.keyRetentionMs, settings.keyAbandonedMs];
  // Messages with a retention of their own have it recorded by the same statement, for the ones
  // created (not a repeated eventId or a replay); the data-modifying CTE runs to completion even
  // though the outer select does not read it. Without any, the publish is the bare call.
  const { rows } = expiries.length === 0
    ? await db.query<PublishResultRow>('select * from hookyard.message_publish($1::json, $2, $3, $4)', args)
    : await db.query<PublishResultRow>(
      `with published as (select * from hookyard.message_publish($1::json, $2, $3, $4)),
       expiry as (
         insert into hookyard.payload_expiry (message_id, expires_at)
         select x.id, x.expires_at from json_to_recordset($5::json) as x(id text, expires_at timestamptz)
           join published p on p.id = x.id and p.outcome = 'created'
         returning 1
       )
       select * from published`,
      [...args, JSON.stringify(expiries)],
    );
  const answers: PublishRow[] = new Array(items.length);
  for (const r of rows) {
    answers[r.n - 1] = {
      outcome: r.outcome,
      id: r.id,
      appId: r.app_id,
      message: r.event_type === null ? null : toMessage(r as MessageRow),
      deliveries: r.deliveries,
      replayStatus: r.replay_status,
      replayBody: r.replay_body,
      replayWithContent: r.replay_with_content,
    };
  }
  for (let i = 0; i < items.length; i++) {
    if (!answers[i]) throw new Error(`hookyard.message_publish gave no answer for item ${i + 1} of ${items.length}`);
  }
  return answers;
}

/** Records when the messages' deliveries are due (Svix's deliverAt); deliverySchedule moves the deliveries. */
export async function messageDeliverAtSet(db: Queryable, messageIds: string[], at: Date): Promise<void> {
  await db.query('update hookyard.message set deliver_at = $2 where id = any ($1::text[])', [messageIds, at]);
}

/** A message of this application by id or by eventId (Svix accepts either). */
export async function messageGet(db: Queryable, appId: string, idOrEventId: string): Promise<Message | undefined> {
  const { rows } = await db.query<MessageRow>(
    `select ${COLUMNS} from hookyard.message where app_id = $1 and (id = $2 or event_id = $2) limit 1`,
    [appId, idOrEventId],
  );
  return rows[0] && toMessage(rows[0]);
}

/** Messages of this application by id, for showing beside their attempts; missing ids are left out. */
export async function messageGetMany(db: Queryable, appId: string, ids: readonly string[]): Promise<Map<string, Message>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<MessageRow>(`select ${COLUMNS} from hookyard.message where app_id = $1 and id = any ($2::text[])`, [appId, [...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id, toMessage(r)]));
}

export interface MessageListQuery extends PageQuery {
  eventTypes?: string[];
  channel?: string;
  before?: Date;
  after?: Date;
  /** Only messages carrying this tag. */
  tag?: string;
}

export async function messageList(db: Queryable, appId: string, query: MessageListQuery): Promise<Page<Message>> {
  const plan = pagePlan(query, 'id', 7, 'descending');
  const { rows } = await db.query<MessageRow>(
    `select ${COLUMNS} from hookyard.message
      where app_id = $1
        and ($2::text[] is null or event_type = any ($2::text[]))
        and ($3::text is null or $3 = any (channels))
        and ($4::timestamptz is null or created_at < $4)
        and ($5::timestamptz is null or created_at > $5)
        and ($6::text is null or $6 = any (tags))
        and ${plan.where}
      order by ${plan.orderBy} limit ${plan.fetch}`,
    [appId, query.eventTypes?.length ? query.eventTypes : null, query.channel ?? null, query.before ?? null, query.after ?? null, query.tag ?? null, ...(plan.cursor === undefined ? [] : [plan.cursor])],
  );
  return pageFinish(plan, rows, (r) => r.id, toMessage);
}

/**
 * Removes the payloads of these messages (of one application when `appId` is given) and their
 * expiry rows; answers the ids whose payload was there. The rows stay, so the messages are still
 * listed (with Svix's `{"expired":true}`) until the server-wide retention deletes them.
 */
export async function messagePayloadExpunge(db: Queryable, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `with expiry as (delete from hookyard.payload_expiry where message_id = any ($1::text[]) returning 1)
     update hookyard.message set payload = null where id = any ($1::text[]) and payload is not null returning id`,
    [ids],
  );
  return rows.map((r) => r.id);
}

/**
 * Takes up to `limit` expiry rows that are due (SKIP LOCKED: cleaners in several processes share
 * them) and removes those messages' payloads; answers the ids emptied. Rows of messages deleted
 * meanwhile are removed with nothing to do. Plan expected: an ordered walk of payload_expiry_due.
 */
export async function messagePayloadExpireDue(db: Queryable, now: Date, limit: number): Promise<{ taken: number; emptied: string[] }> {
  const { rows } = await db.query<{ id: string | null }>(
    `with due as (
       select message_id from hookyard.payload_expiry where expires_at <= $1 order by expires_at limit $2 for update skip locked
     ), gone as (
       delete from hookyard.payload_expiry x using due where x.message_id = due.message_id returning x.message_id
     ), emptied as (
       update hookyard.message m set payload = null from gone where m.id = gone.message_id and m.payload is not null returning m.id
     )
     select e.id from gone g left join emptied e on e.id = g.message_id`,
    [now, limit],
  );
  return { taken: rows.length, emptied: rows.flatMap((r) => (r.id ? [r.id] : [])) };
}

/**
 * Whether a message of this event type and these channels would go to any endpoint now: the
 * fan-out rule of hookyard.message_publish (migration 008), over the application and its
 * ancestors, for enabled endpoints whose filters let it through.
 */
export async function messagePrecheck(db: Queryable, appId: string, eventType: string, channels: string[] | null): Promise<boolean> {
  const { rows } = await db.query<{ active: boolean }>(
    `with recursive chain (id, parent_id, depth) as (
       select x.id, x.parent_id, 0 from hookyard.application x where x.id = $1
       union all
       select x.id, x.parent_id, c.depth + 1 from chain c join hookyard.application x on x.id = c.parent_id where c.depth < 32
     )
     select exists (
       select 1 from chain c join hookyard.endpoint e on e.app_id = c.id
        where not e.disabled
          and (e.filter_types is null or $2 = any (e.filter_types))
          and (e.channels is null or e.channels && $3::text[])
     ) as active`,
    [appId, eventType, channels],
  );
  return rows[0]?.active ?? false;
}
