import type { Queryable } from '../store/port.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { Message } from './model.js';

interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  payload: string;
  channels: string[] | null;
  tags: string[] | null;
  created_at: Date;
}

const COLUMNS = 'id, app_id, event_type, event_id, payload, channels, tags, created_at';

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
  return {
    id: r.id,
    appId: r.app_id,
    eventType: r.event_type,
    eventId: r.event_id,
    ...payloadRead(r.payload),
    channels: r.channels,
    tags: r.tags,
    timestamp: r.created_at,
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
  const { rows } = await db.query<PublishResultRow>(
    'select * from hookyard.message_publish($1::json, $2, $3, $4)',
    [input, settings.channel, settings.keyRetentionMs, settings.keyAbandonedMs],
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

/** A message of this application by id or by eventId (Svix accepts either). */
export async function messageGet(db: Queryable, appId: string, idOrEventId: string): Promise<Message | undefined> {
  const { rows } = await db.query<MessageRow>(
    `select ${COLUMNS} from hookyard.message where app_id = $1 and (id = $2 or event_id = $2) limit 1`,
    [appId, idOrEventId],
  );
  return rows[0] && toMessage(rows[0]);
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
