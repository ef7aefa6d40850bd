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

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    appId: r.app_id,
    eventType: r.event_type,
    eventId: r.event_id,
    payload: JSON.parse(r.payload),
    channels: r.channels,
    tags: r.tags,
    timestamp: r.created_at,
  };
}

export interface MessageInsert {
  id: string;
  eventType: string;
  eventId: string | null;
  /** Serialised JSON; stored and sent byte for byte. */
  payload: string;
  channels: string[] | null;
  tags: string[] | null;
}

/**
 * Inserts many messages in one statement. A message whose eventId the
 * application already used is skipped (the idempotency rule); the ids that
 * were really inserted come back.
 */
export async function messageInsertMany(db: Queryable, appId: string, createdAt: Date, messages: MessageInsert[]): Promise<Set<string>> {
  // Arrays of arrays cannot be unnested row by row, so rows travel as one JSON document.
  const { rows } = await db.query<{ id: string }>(
    `insert into hookyard.message (id, app_id, event_type, event_id, payload, channels, tags, created_at)
     select m.id, $1, m.event_type, m.event_id, m.payload, m.channels, m.tags, $3
       from jsonb_to_recordset($2::jsonb) as m(id text, event_type text, event_id text, payload text, channels text[], tags text[])
     on conflict (app_id, event_id) where event_id is not null do nothing
     returning id`,
    [
      appId,
      JSON.stringify(messages.map((m) => ({ id: m.id, event_type: m.eventType, event_id: m.eventId, payload: m.payload, channels: m.channels, tags: m.tags }))),
      createdAt,
    ],
  );
  return new Set(rows.map((r) => r.id));
}

export async function messageGetByEventIds(db: Queryable, appId: string, eventIds: string[]): Promise<Message[]> {
  const { rows } = await db.query<MessageRow>(
    `select ${COLUMNS} from hookyard.message where app_id = $1 and event_id = any ($2::text[])`,
    [appId, eventIds],
  );
  return rows.map(toMessage);
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
