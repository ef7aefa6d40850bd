import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import type { Attempt, AttemptErrorCode } from './model.js';

/** One row of hookyard.attempt as the database holds it; every read and write goes through this shape. */
export interface AttemptRow {
  id: string;
  delivery_id: number;
  message_id: string;
  endpoint_id: string;
  attempt_number: number;
  trigger: 'scheduled' | 'manual';
  url: string;
  request_headers: Record<string, string>;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_truncated: boolean;
  error_code: string | null;
  error_message: string | null;
  succeeded: boolean;
  duration_ms: number;
  created_at: Date;
}

/** The columns and their types, in table order: the select list, the insert list and the recordset come from here. */
const COLUMN_TYPES: [keyof AttemptRow, string][] = [
  ['id', 'text'], ['delivery_id', 'bigint'], ['message_id', 'text'], ['endpoint_id', 'text'], ['attempt_number', 'int'],
  ['trigger', 'text'], ['url', 'text'], ['request_headers', 'jsonb'], ['response_status', 'int'], ['response_headers', 'jsonb'],
  ['response_body', 'text'], ['response_truncated', 'boolean'], ['error_code', 'text'], ['error_message', 'text'],
  ['succeeded', 'boolean'], ['duration_ms', 'int'], ['created_at', 'timestamptz'],
];
const COLUMNS = COLUMN_TYPES.map(([name]) => name).join(', ');
const RECORDSET = COLUMN_TYPES.map(([name, type]) => `${name} ${type}`).join(', ');

export const attemptFromRow = (r: AttemptRow): Attempt => ({
  id: r.id,
  deliveryId: r.delivery_id,
  messageId: r.message_id,
  endpointId: r.endpoint_id,
  attemptNumber: r.attempt_number,
  trigger: r.trigger,
  url: r.url,
  requestHeaders: r.request_headers,
  responseStatus: r.response_status,
  responseHeaders: r.response_headers,
  responseBody: r.response_body,
  responseTruncated: r.response_truncated,
  errorCode: r.error_code as AttemptErrorCode | null,
  errorMessage: r.error_message,
  succeeded: r.succeeded,
  durationMs: r.duration_ms,
  createdAt: r.created_at,
});

/** An attempt as a JSON record for `attemptInsertSql` (timestamps as ISO text). */
export const attemptToRow = (a: Attempt): Omit<AttemptRow, 'created_at'> & { created_at: string } => ({
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
});

/**
 * The insert of attempts given as a JSON array (of `attemptToRow` records) in
 * parameter `param`. It is a fragment so that the worker's write-back can
 * record attempts in the same statement that updates their deliveries.
 */
export const attemptInsertSql = (param: string) =>
  `insert into hookyard.attempt (${COLUMNS}) select * from jsonb_to_recordset(${param}::jsonb) as a(${RECORDSET})`;

/** Inserts attempts on their own (the write-back embeds the same insert instead). */
export async function attemptInsert(db: Queryable, attempts: Attempt[]): Promise<void> {
  if (attempts.length) await db.query(attemptInsertSql('$1'), [JSON.stringify(attempts.map(attemptToRow))]);
}

export interface AttemptListQuery extends PageQuery {
  /** Only successful (true) or only failed (false) attempts. */
  succeeded?: boolean;
  before?: Date;
  after?: Date;
  /** Only attempts of messages with one of these event types / this channel / this tag. */
  eventTypes?: string[];
  channel?: string;
  tag?: string;
}

/**
 * Attempts of one message or to one endpoint, newest first. Both filters are
 * the leading column of an (x, id) index, so each page is one index range.
 */
export async function attemptList(db: Queryable, by: { messageId?: string; endpointId?: string }, query: AttemptListQuery): Promise<Page<Attempt>> {
  const plan = pagePlan(query, 'id', 9, 'descending');
  // Message-side filters are an EXISTS on the message's primary key, so the
  // attempt index still drives the page and unfiltered lists pay nothing.
  const { rows } = await db.query<AttemptRow>(
    `select ${COLUMNS} from hookyard.attempt a
      where ($1::text is null or message_id = $1)
        and ($2::text is null or endpoint_id = $2)
        and ($3::boolean is null or succeeded = $3)
        and ($4::timestamptz is null or created_at < $4)
        and ($5::timestamptz is null or created_at > $5)
        and (($6::text[] is null and $7::text is null and $8::text is null) or exists (
              select 1 from hookyard.message m
               where m.id = a.message_id
                 and ($6::text[] is null or m.event_type = any ($6::text[]))
                 and ($7::text is null or $7 = any (m.channels))
                 and ($8::text is null or $8 = any (m.tags))))
        and ${plan.where}
      order by ${plan.orderBy} limit ${plan.fetch}`,
    [
      by.messageId ?? null,
      by.endpointId ?? null,
      query.succeeded ?? null,
      query.before ?? null,
      query.after ?? null,
      query.eventTypes?.length ? query.eventTypes : null,
      query.channel ?? null,
      query.tag ?? null,
      ...(plan.cursor === undefined ? [] : [plan.cursor]),
    ],
  );
  return pageFinish(plan, rows, (r) => r.id, attemptFromRow);
}

export async function attemptGet(db: Queryable, messageId: string, attemptId: string): Promise<Attempt | undefined> {
  const { rows } = await db.query<AttemptRow>(`select ${COLUMNS} from hookyard.attempt where id = $1 and message_id = $2`, [attemptId, messageId]);
  return rows[0] && attemptFromRow(rows[0]);
}

/** What Svix leaves in place of an attempt's response body once it is expunged. */
export const EXPUNGED_RESPONSE = 'EXPUNGED';

/**
 * Deletes what the receiver sent back in one attempt of a message: the body becomes Svix's
 * `EXPUNGED`, the response headers go. False if there is no such attempt of that message.
 */
export async function attemptExpungeContent(db: Queryable, messageId: string, attemptId: string): Promise<boolean> {
  const result = await db.query(
    `update hookyard.attempt set response_body = $3, response_headers = null, response_truncated = false
      where id = $1 and message_id = $2`,
    [attemptId, messageId, EXPUNGED_RESPONSE],
  );
  return (result.rowCount ?? 0) > 0;
}
