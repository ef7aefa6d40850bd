import type { Queryable } from '../store/port.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { SourceStats } from './model.js';

/** A source row as stored: secrets still sealed. The service opens them. */
export interface SourceRow {
  id: string;
  uid: string | null;
  name: string;
  type: string;
  config: Record<string, unknown>;
  config_sealed: Buffer | Uint8Array | null;
  token_sealed: Buffer | Uint8Array;
  token_hash: string;
  app_id: string;
  disabled: boolean;
  max_body_bytes: number | null;
  rate_limit: number | null;
  allow_cidrs: string[] | null;
  mapping: Record<string, string> | null;
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date;
  /** updated_at in µs since the epoch, as text: what the record statement compares (migration 021). */
  version: string;
}

const COLUMNS = `id, uid, name, type, config, config_sealed, token_sealed, token_hash, app_id, disabled,
  max_body_bytes, rate_limit, allow_cidrs, mapping, metadata, created_at, updated_at,
  hookyard.inbound_source_version(updated_at)::text as version`;

/** What a create or an update writes. */
export interface SourceFields {
  uid: string | null;
  name: string;
  type: string;
  config: Record<string, unknown>;
  configSealed: Buffer | null;
  disabled: boolean;
  maxBodyBytes: number | null;
  rateLimit: number | null;
  allowedCidrs: string[] | null;
  mapping: Record<string, string> | null;
  metadata: Record<string, string>;
}

export async function sourceInsert(db: Queryable, id: string, appId: string, token: { hash: string; sealed: Buffer }, f: SourceFields): Promise<SourceRow> {
  const { rows } = await db.query<SourceRow>(
    `insert into hookyard.inbound_source
       (id, uid, name, type, config, config_sealed, token_hash, token_sealed, app_id, disabled, max_body_bytes, rate_limit, allow_cidrs, mapping, metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     returning ${COLUMNS}`,
    [id, f.uid, f.name, f.type, f.config, f.configSealed, token.hash, token.sealed, appId, f.disabled, f.maxBodyBytes, f.rateLimit, f.allowedCidrs, f.mapping === null ? null : JSON.stringify(f.mapping), f.metadata],
  );
  return rows[0]!;
}

export async function sourceUpdate(db: Queryable, id: string, f: SourceFields): Promise<SourceRow | undefined> {
  const { rows } = await db.query<SourceRow>(
    `update hookyard.inbound_source
        set uid = $2, name = $3, type = $4, config = $5, config_sealed = $6, disabled = $7, max_body_bytes = $8,
            rate_limit = $9, allow_cidrs = $10, mapping = $11, metadata = $12, updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [id, f.uid, f.name, f.type, f.config, f.configSealed, f.disabled, f.maxBodyBytes, f.rateLimit, f.allowedCidrs, f.mapping === null ? null : JSON.stringify(f.mapping), f.metadata],
  );
  return rows[0];
}

/** By id or uid, as Svix names sources. */
export async function sourceGet(db: Queryable, idOrUid: string): Promise<SourceRow | undefined> {
  const { rows } = await db.query<SourceRow>(`select ${COLUMNS} from hookyard.inbound_source where id = $1 or uid = $1 limit 1`, [idOrUid]);
  return rows[0];
}

/** The receive path's lookup: by the hash of the key in the URL (unique index). */
export async function sourceByTokenHash(db: Queryable, hash: string): Promise<SourceRow | undefined> {
  const { rows } = await db.query<SourceRow>(`select ${COLUMNS} from hookyard.inbound_source where token_hash = $1`, [hash]);
  return rows[0];
}

export async function sourceTokenSet(db: Queryable, id: string, token: { hash: string; sealed: Buffer }): Promise<boolean> {
  const { rows } = await db.query(`update hookyard.inbound_source set token_hash = $2, token_sealed = $3, updated_at = now() where id = $1 returning id`, [id, token.hash, token.sealed]);
  return rows.length > 0;
}

/** Deletes the source, its hidden application (with its endpoints and messages) and its request log. */
export async function sourceDelete(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query<{ app_id: string }>(
    `with gone as (delete from hookyard.inbound_source where id = $1 returning app_id),
     app as (delete from hookyard.application a using gone where a.id = gone.app_id returning 1),
     log as (delete from hookyard.inbound_request r where r.source_id = $1 returning 1)
     select app_id from gone`,
    [id],
  );
  return rows.length > 0;
}

export async function sourceList(db: Queryable, query: PageQuery): Promise<Page<SourceRow>> {
  const plan = pagePlan(query, 'id', 1);
  const { rows } = await db.query<SourceRow>(
    `select ${COLUMNS} from hookyard.inbound_source where ${plan.where} order by ${plan.orderBy} limit ${plan.fetch}`,
    plan.cursor === undefined ? [] : [plan.cursor],
  );
  return pageFinish(plan, rows, (r) => r.id, (r) => r);
}

export async function sourceStats(db: Queryable, id: string): Promise<SourceStats | undefined> {
  const { rows } = await db.query<{ events_received: number; last_event_at: Date | null; created_at: Date }>(
    // The columns hold the counts made before migration 021; since, each connection slot adds to its own row.
    `select s.events_received + coalesce(c.events, 0) as events_received, greatest(s.last_event_at, c.at) as last_event_at, s.created_at
       from hookyard.inbound_source s
       left join lateral (select sum(x.events) as events, max(x.last_event_at) as at
                            from hookyard.inbound_source_count x where x.source_id = s.id) c on true
      where s.id = $1`,
    [id],
  );
  const r = rows[0];
  return r && { eventsReceived: Number(r.events_received), lastEventAt: r.last_event_at, createdAt: r.created_at };
}
