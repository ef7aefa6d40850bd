import type { DeliveryState } from '../delivery/state.js';
import { toEndpoint, type EndpointRow } from '../endpoint/sql.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import type { Attempt, EndpointStats, MessageDestination } from './model.js';

interface AttemptRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  url: string;
  attempt_number: number;
  trigger: string;
  response_status: number | null;
  response_body: string | null;
  error_code: string | null;
  error_message: string | null;
  succeeded: boolean;
  duration_ms: number;
  created_at: Date;
}

const COLUMNS = 'id, message_id, endpoint_id, url, attempt_number, trigger, response_status, response_body, error_code, error_message, succeeded, duration_ms, created_at';

const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  messageId: r.message_id,
  endpointId: r.endpoint_id,
  url: r.url,
  attemptNumber: r.attempt_number,
  trigger: r.trigger,
  responseStatus: r.response_status,
  responseBody: r.response_body,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  succeeded: r.succeeded,
  durationMs: r.duration_ms,
  createdAt: r.created_at,
});

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
  return pageFinish(plan, rows, (r) => r.id, toAttempt);
}

export async function attemptGet(db: Queryable, messageId: string, attemptId: string): Promise<Attempt | undefined> {
  const { rows } = await db.query<AttemptRow>(`select ${COLUMNS} from hookyard.attempt where id = $1 and message_id = $2`, [attemptId, messageId]);
  return rows[0] && toAttempt(rows[0]);
}

/** The endpoints a message fanned out to, by endpoint id, with their delivery's state. */
export async function messageDestinationList(db: Queryable, messageId: string, query: PageQuery): Promise<Page<MessageDestination>> {
  const plan = pagePlan(query, 'e.id', 2);
  const { rows } = await db.query<EndpointRow & { state: DeliveryState; next_attempt_at: Date }>(
    `select e.*, d.state, d.next_attempt_at
       from hookyard.delivery d join hookyard.endpoint e on e.id = d.endpoint_id
      where d.message_id = $1 and ${plan.where}
      order by ${plan.orderBy} limit ${plan.fetch}`,
    [messageId, ...(plan.cursor === undefined ? [] : [plan.cursor])],
  );
  return pageFinish(plan, rows, (r) => r.id, (r) => ({
    endpoint: toEndpoint(r),
    state: r.state,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at : null,
  }));
}

/** Deliveries to an endpoint by state, optionally for messages created in [since, until). */
export async function endpointStatsGet(db: Queryable, endpointId: string, since?: Date, until?: Date): Promise<EndpointStats> {
  const { rows } = await db.query<{ state: DeliveryState; n: number }>(
    `select state, count(*)::int as n from hookyard.delivery
      where endpoint_id = $1
        and ($2::timestamptz is null or created_at >= $2)
        and ($3::timestamptz is null or created_at < $3)
      group by state`,
    [endpointId, since ?? null, until ?? null],
  );
  const n = (s: DeliveryState) => rows.find((r) => r.state === s)?.n ?? 0;
  return { success: n('succeeded'), pending: n('pending'), sending: n('sending'), fail: n('failed'), canceled: n('cancelled') };
}
