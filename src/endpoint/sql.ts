import type { Queryable } from '../store/port.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { Endpoint } from './model.js';
import type { SendOptions } from './send-options.js';

export interface EndpointRow {
  id: string;
  app_id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  filter_types: string[] | null;
  channels: string[] | null;
  disabled: boolean;
  disabled_reason: string | null;
  rate_limit: number | null;
  max_in_flight: number | null;
  fifo: boolean;
  metadata: Record<string, string>;
  send_options: SendOptions;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, app_id, uid, url, description, version, filter_types, channels, disabled, disabled_reason, rate_limit, max_in_flight, fifo, metadata, send_options, created_at, updated_at';

export function toEndpoint(r: EndpointRow): Endpoint {
  return {
    id: r.id,
    appId: r.app_id,
    uid: r.uid,
    url: r.url,
    description: r.description,
    version: r.version,
    filterTypes: r.filter_types,
    channels: r.channels,
    disabled: r.disabled,
    disabledReason: r.disabled_reason,
    rateLimit: r.rate_limit,
    maxInFlight: r.max_in_flight,
    fifo: r.fifo,
    metadata: r.metadata,
    sendOptions: r.send_options ?? {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type EndpointFields = Pick<Endpoint, 'uid' | 'url' | 'description' | 'version' | 'filterTypes' | 'channels' | 'disabled' | 'rateLimit' | 'metadata' | 'sendOptions'>;

export async function endpointInsert(db: Queryable, id: string, appId: string, f: EndpointFields, headers: Record<string, string>): Promise<Endpoint> {
  const { rows } = await db.query<EndpointRow>(
    `insert into hookyard.endpoint (id, app_id, uid, url, description, version, filter_types, channels, disabled, rate_limit, metadata, headers, send_options)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning ${COLUMNS}`,
    [id, appId, f.uid, f.url, f.description, f.version, f.filterTypes, f.channels, f.disabled, f.rateLimit, f.metadata, headers, f.sendOptions],
  );
  return toEndpoint(rows[0]!);
}

export async function endpointUpdate(db: Queryable, id: string, f: EndpointFields): Promise<Endpoint | undefined> {
  // Re-enabling an endpoint clears the reason it was disabled for.
  const { rows } = await db.query<EndpointRow>(
    `update hookyard.endpoint
        set uid = $2, url = $3, description = $4, version = $5, filter_types = $6, channels = $7,
            disabled = $8, disabled_reason = case when $8 then disabled_reason end,
            rate_limit = $9, metadata = $10, send_options = $11, updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [id, f.uid, f.url, f.description, f.version, f.filterTypes, f.channels, f.disabled, f.rateLimit, f.metadata, f.sendOptions],
  );
  return rows[0] && toEndpoint(rows[0]);
}

/** The delivery controls the claim enforces (migration 014); answers the endpoint as it now is. */
export async function endpointControlsSet(db: Queryable, id: string, f: Pick<Endpoint, 'maxInFlight' | 'fifo'>): Promise<Endpoint | undefined> {
  const { rows } = await db.query<EndpointRow>(
    `update hookyard.endpoint set max_in_flight = $2, fifo = $3 where id = $1 returning ${COLUMNS}`,
    [id, f.maxInFlight, f.fifo],
  );
  return rows[0] && toEndpoint(rows[0]);
}

/** An endpoint of this application, by id or uid. */
export async function endpointGet(db: Queryable, appId: string, idOrUid: string): Promise<Endpoint | undefined> {
  const { rows } = await db.query<EndpointRow>(
    `select ${COLUMNS} from hookyard.endpoint where app_id = $1 and (id = $2 or uid = $2) limit 1`,
    [appId, idOrUid],
  );
  return rows[0] && toEndpoint(rows[0]);
}

export async function endpointDelete(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('delete from hookyard.endpoint where id = $1 returning id', [id]);
  return rows.length > 0;
}

export async function endpointList(db: Queryable, appId: string, query: PageQuery): Promise<Page<Endpoint>> {
  const plan = pagePlan(query, 'id', 2);
  const { rows } = await db.query<EndpointRow>(
    `select ${COLUMNS} from hookyard.endpoint where app_id = $1 and ${plan.where} order by ${plan.orderBy} limit ${plan.fetch}`,
    plan.cursor === undefined ? [appId] : [appId, plan.cursor],
  );
  return pageFinish(plan, rows, (r) => r.id, toEndpoint);
}

/** Disables an endpoint on Hookyard's own initiative, recording why. */
export async function endpointDisable(db: Queryable, id: string, reason: string): Promise<void> {
  await db.query(
    `update hookyard.endpoint set disabled = true, disabled_reason = $2, updated_at = now() where id = $1`,
    [id, reason],
  );
}

export async function endpointHeadersGet(db: Queryable, id: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ headers: Record<string, string> }>('select headers from hookyard.endpoint where id = $1', [id]);
  return rows[0]?.headers ?? {};
}

/** The custom headers with the names marked sensitive (lowercased). */
export async function endpointHeadersRead(db: Queryable, id: string): Promise<{ headers: Record<string, string>; marked: string[] }> {
  const { rows } = await db.query<{ headers: Record<string, string>; sensitive_headers: string[] }>(
    'select headers, sensitive_headers from hookyard.endpoint where id = $1',
    [id],
  );
  return { headers: rows[0]?.headers ?? {}, marked: rows[0]?.sensitive_headers ?? [] };
}

/** Replaces the custom headers, and the marked names when given. */
export async function endpointHeadersSet(db: Queryable, id: string, headers: Record<string, string>, marked?: string[]): Promise<void> {
  await db.query(
    'update hookyard.endpoint set headers = $2, sensitive_headers = coalesce($3::text[], sensitive_headers), updated_at = now() where id = $1',
    [id, headers, marked ?? null],
  );
}

export interface SealedSecretRow {
  id: number;
  endpoint_id: string;
  sealed: Buffer | Uint8Array;
  expires_at: Date | null;
}

export async function endpointSecretInsert(db: Queryable, endpointId: string, sealed: Buffer): Promise<void> {
  await db.query('insert into hookyard.endpoint_secret (endpoint_id, sealed) values ($1, $2)', [endpointId, sealed]);
}

/** Retires the current secret: it keeps co-signing until `expiresAt`. */
export async function endpointSecretRetire(db: Queryable, endpointId: string, expiresAt: Date): Promise<void> {
  await db.query(
    'update hookyard.endpoint_secret set expires_at = $2 where endpoint_id = $1 and expires_at is null',
    [endpointId, expiresAt],
  );
}

/** Secrets that sign now, newest first: the current one and any rotated-out one still in its grace window. */
export async function endpointSecretsActive(db: Queryable, endpointIds: string[], now: Date): Promise<SealedSecretRow[]> {
  const { rows } = await db.query<SealedSecretRow>(
    `select id, endpoint_id, sealed, expires_at from hookyard.endpoint_secret
      where endpoint_id = any ($1::text[]) and (expires_at is null or expires_at > $2)
      order by endpoint_id, id desc`,
    [endpointIds, now],
  );
  return rows;
}
