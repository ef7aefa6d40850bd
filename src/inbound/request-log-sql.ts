import { idBoundary } from '../ids/id.js';
import type { Queryable } from '../store/port.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { RequestLogEntry, RequestOutcome } from './model.js';

interface RequestRow {
  id: string;
  source_id: string | null;
  received_at: Date;
  outcome: RequestOutcome;
  reason: string | null;
  status: number;
  client_ip: string | null;
  user_agent: string | null;
  headers: Record<string, string>;
  size: number;
  duration_ms: number;
  count: number;
  message_id: string | null;
  event_type: string | null;
  content_type: string | null;
}

const COLUMNS = 'id, source_id, received_at, outcome, reason, status, client_ip, user_agent, headers, size, duration_ms, count, message_id, event_type, content_type';

const toEntry = (r: RequestRow): RequestLogEntry => ({
  id: r.id,
  sourceId: r.source_id,
  receivedAt: r.received_at,
  outcome: r.outcome,
  reason: r.reason,
  status: r.status,
  clientIp: r.client_ip,
  userAgent: r.user_agent,
  headers: r.headers,
  size: r.size,
  durationMs: r.duration_ms,
  count: r.count,
  messageId: r.message_id,
  eventType: r.event_type,
  contentType: r.content_type,
});

/** Many log rows in one statement (the rejected-request writer's batches). */
export async function requestLogInsert(db: Queryable, rows: RequestLogEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `insert into hookyard.inbound_request (${COLUMNS})
     select * from json_to_recordset($1::json) as r(
       id text, source_id text, received_at timestamptz, outcome text, reason text, status integer, client_ip text, user_agent text,
       headers jsonb, size integer, duration_ms real, count integer, message_id text, event_type text, content_type text)`,
    [JSON.stringify(rows.map((r) => ({
      id: r.id, source_id: r.sourceId, received_at: r.receivedAt.toISOString(), outcome: r.outcome, reason: r.reason, status: r.status,
      client_ip: r.clientIp, user_agent: r.userAgent, headers: r.headers, size: r.size, duration_ms: r.durationMs, count: r.count,
      message_id: r.messageId, event_type: r.eventType, content_type: r.contentType,
    })))],
  );
}

export interface RequestLogQuery extends PageQuery {
  outcome?: RequestOutcome | undefined;
  reason?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** A source's log, newest first by default; ids sort by time, so the time filters are id ranges. */
export async function requestLogList(db: Queryable, sourceId: string, query: RequestLogQuery): Promise<Page<RequestLogEntry>> {
  const plan = pagePlan(query, 'id', 2, 'descending');
  // The cursor is $2 when there is one; the filters take the numbers after it.
  const params: unknown[] = plan.cursor === undefined ? [sourceId] : [sourceId, plan.cursor];
  const where = [plan.where];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (query.outcome) add('outcome = ?', query.outcome);
  if (query.reason) add('reason = ?', query.reason);
  if (query.since) add('id >= ?', idBoundary('inreq', query.since.getTime()));
  if (query.until) add('id < ?', idBoundary('inreq', query.until.getTime()));
  const { rows } = await db.query<RequestRow>(
    `select ${COLUMNS} from hookyard.inbound_request
      where source_id = $1 and ${where.join(' and ')}
      order by ${plan.orderBy} limit ${plan.fetch}`,
    params,
  );
  return pageFinish(plan, rows, (r) => r.id, toEntry);
}

/** Retention: log rows older than `before` (the cleaner's window for messages). */
export async function requestLogDeleteExpired(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with doomed as (select id from hookyard.inbound_request where id < $1 order by id limit $2),
     gone as (delete from hookyard.inbound_request r using doomed where r.id = doomed.id returning 1)
     select count(*)::int as n from gone`,
    [idBoundary('inreq', before.getTime()), limit],
  );
  return rows[0]?.n ?? 0;
}
