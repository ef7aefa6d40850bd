import type { Queryable } from '../store/port.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { EventType } from './model.js';

interface EventTypeRow {
  name: string;
  description: string;
  schemas: Record<string, unknown> | null;
  archived: boolean;
  deprecated: boolean;
  feature_flag: string | null;
  group_name: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'name, description, schemas, archived, deprecated, feature_flag, group_name, created_at, updated_at';

function toEventType(r: EventTypeRow): EventType {
  return {
    name: r.name,
    description: r.description,
    schemas: r.schemas,
    archived: r.archived,
    deprecated: r.deprecated,
    featureFlag: r.feature_flag,
    groupName: r.group_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type EventTypeFields = Omit<EventType, 'createdAt' | 'updatedAt'>;

function values(f: EventTypeFields): unknown[] {
  return [f.name, f.description, f.schemas === null ? null : JSON.stringify(f.schemas), f.archived, f.deprecated, f.featureFlag, f.groupName];
}

export async function eventTypeInsert(db: Queryable, f: EventTypeFields): Promise<EventType> {
  const { rows } = await db.query<EventTypeRow>(
    `insert into hookyard.event_type (name, description, schemas, archived, deprecated, feature_flag, group_name)
     values ($1, $2, $3::jsonb, $4, $5, $6, $7) returning ${COLUMNS}`,
    values(f),
  );
  return toEventType(rows[0]!);
}

/** Creates or replaces (Svix's PUT creates an event type that does not exist). */
export async function eventTypeUpsert(db: Queryable, f: EventTypeFields): Promise<{ eventType: EventType; created: boolean }> {
  const { rows } = await db.query<EventTypeRow & { inserted: boolean }>(
    `insert into hookyard.event_type (name, description, schemas, archived, deprecated, feature_flag, group_name)
     values ($1, $2, $3::jsonb, $4, $5, $6, $7)
     on conflict (name) do update set description = excluded.description, schemas = excluded.schemas,
       archived = excluded.archived, deprecated = excluded.deprecated, feature_flag = excluded.feature_flag,
       group_name = excluded.group_name, updated_at = now()
     returning ${COLUMNS}, (xmax = 0) as inserted`,
    values(f),
  );
  const row = rows[0]!;
  return { eventType: toEventType(row), created: row.inserted };
}

export async function eventTypeGet(db: Queryable, name: string): Promise<EventType | undefined> {
  const { rows } = await db.query<EventTypeRow>(`select ${COLUMNS} from hookyard.event_type where name = $1`, [name]);
  return rows[0] && toEventType(rows[0]);
}

/** The event types among `names` that exist; used to validate payloads at publish. */
export async function eventTypeGetMany(db: Queryable, names: string[]): Promise<EventType[]> {
  const { rows } = await db.query<EventTypeRow>(`select ${COLUMNS} from hookyard.event_type where name = any ($1::text[])`, [names]);
  return rows.map(toEventType);
}

/**
 * Like eventTypeGetMany, with each type's version as `hookyard.message_publish` compares it
 * (migration 008), for the publish path's cache.
 */
export async function eventTypeGetVersioned(db: Queryable, names: string[]): Promise<{ eventType: EventType; version: number }[]> {
  const { rows } = await db.query<EventTypeRow & { version: number }>(
    `select ${COLUMNS}, hookyard.event_type_version(updated_at) as version from hookyard.event_type where name = any ($1::text[])`,
    [names],
  );
  return rows.map((r) => ({ eventType: toEventType(r), version: Number(r.version) }));
}

export async function eventTypeArchive(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query(`update hookyard.event_type set archived = true, updated_at = now() where name = $1 returning name`, [name]);
  return rows.length > 0;
}

export async function eventTypeDelete(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query('delete from hookyard.event_type where name = $1 returning name', [name]);
  return rows.length > 0;
}

export interface EventTypeListQuery extends PageQuery {
  includeArchived?: boolean;
}

export async function eventTypeList(db: Queryable, query: EventTypeListQuery): Promise<Page<EventType>> {
  const plan = pagePlan(query, 'name', 1);
  const archived = query.includeArchived ? '' : 'and not archived';
  const { rows } = await db.query<EventTypeRow>(
    `select ${COLUMNS} from hookyard.event_type where ${plan.where} ${archived} order by ${plan.orderBy} limit ${plan.fetch}`,
    plan.cursor === undefined ? [] : [plan.cursor],
  );
  return pageFinish(plan, rows, (r) => r.name, toEventType);
}
