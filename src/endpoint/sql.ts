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
  failure_threshold: number | null;
  consecutive_failures: number;
  fail_since: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  disabled_at: Date | null;
}

const COLUMNS =
  'id, app_id, uid, url, description, version, filter_types, channels, disabled, disabled_reason, rate_limit, max_in_flight, fifo, metadata, send_options, created_at, updated_at, ' +
  'failure_threshold, consecutive_failures, fail_since, last_success_at, last_failure_at, disabled_at';

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
    failureThreshold: r.failure_threshold,
    health: {
      disabledAt: r.disabled_at,
      consecutiveFailures: r.consecutive_failures,
      failingSince: r.fail_since,
      lastSuccessAt: r.last_success_at,
      lastFailureAt: r.last_failure_at,
    },
  };
}

export type EndpointFields = Pick<Endpoint, 'uid' | 'url' | 'description' | 'version' | 'filterTypes' | 'channels' | 'disabled' | 'rateLimit' | 'metadata' | 'sendOptions'> &
  Partial<Pick<Endpoint, 'failureThreshold'>>;

export async function endpointInsert(db: Queryable, id: string, appId: string, f: EndpointFields, headers: Record<string, string>): Promise<Endpoint> {
  const { rows } = await db.query<EndpointRow>(
    `insert into hookyard.endpoint (id, app_id, uid, url, description, version, filter_types, channels, disabled, rate_limit, metadata, headers, send_options, failure_threshold)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning ${COLUMNS}`,
    [id, appId, f.uid, f.url, f.description, f.version, f.filterTypes, f.channels, f.disabled, f.rateLimit, f.metadata, headers, f.sendOptions, f.failureThreshold ?? null],
  );
  return toEndpoint(rows[0]!);
}

export async function endpointUpdate(db: Queryable, id: string, f: EndpointFields): Promise<Endpoint | undefined> {
  // Re-enabling an endpoint clears the reason it was disabled for.
  const { rows } = await db.query<EndpointRow>(
    `update hookyard.endpoint
        set uid = $2, url = $3, description = $4, version = $5, filter_types = $6, channels = $7,
            disabled = $8, disabled_reason = case when $8 then disabled_reason end,
            rate_limit = $9, metadata = $10, send_options = $11, failure_threshold = $12, updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [id, f.uid, f.url, f.description, f.version, f.filterTypes, f.channels, f.disabled, f.rateLimit, f.metadata, f.sendOptions, f.failureThreshold ?? null],
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

/**
 * Disables an enabled endpoint (migration 013's hookyard.endpoint_disable): records when and why,
 * parks its pending deliveries until it is enabled again, and emits endpoint.disabled. False when
 * it was disabled already.
 */
export async function endpointDisable(db: Queryable, id: string, reason: string, trigger: 'manual' | 'automatic' = 'automatic', at: Date = new Date()): Promise<boolean> {
  const { rows } = await db.query<{ done: boolean }>('select hookyard.endpoint_disable($1, $2, $3, $4) as done', [id, at, reason, trigger]);
  return rows[0]?.done === true;
}

/** Enables a disabled endpoint: counters reset, parked deliveries due now, endpoint.enabled emitted. False when it was enabled. */
export async function endpointEnable(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await db.query<{ done: boolean }>('select hookyard.endpoint_enable($1, $2) as done', [id, at]);
  return rows[0]?.done === true;
}

/** Emits an endpoint event (endpoint.created, .updated, .deleted) to the operational webhooks, in the caller's transaction. */
export async function endpointEmit(db: Queryable, type: 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted', id: string, at: Date): Promise<void> {
  await db.query('select hookyard.endpoint_emit($1, $2, $3)', [type, id, at]);
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

/** For the dashboard: how many endpoints there are and are disabled, and the most recently changed disabled ones (with why). */
export async function endpointDisabledSummary(db: Queryable, limit = 20): Promise<{ total: number; disabled: number; recent: { id: string; appId: string; reason: string | null; updatedAt: Date }[] }> {
  const [counts, recent] = await Promise.all([
    db.query<{ total: number; disabled: number }>('select count(*)::int as total, (count(*) filter (where disabled))::int as disabled from hookyard.endpoint'),
    db.query<{ id: string; app_id: string; disabled_reason: string | null; updated_at: Date }>(
      'select id, app_id, disabled_reason, updated_at from hookyard.endpoint where disabled order by updated_at desc limit $1',
      [limit],
    ),
  ]);
  return { ...counts.rows[0]!, recent: recent.rows.map((r) => ({ id: r.id, appId: r.app_id, reason: r.disabled_reason, updatedAt: r.updated_at })) };
}

/** An endpoint in trouble, for the dashboard: failing now (a failed attempt since its last success), or disabled. */
export interface EndpointTrouble {
  id: string;
  appId: string;
  appName: string;
  url: string;
  disabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  consecutiveFailures: number;
  lastFailureAt: Date | null;
}

/**
 * The endpoints failing or disabled now, failing ones first, newest trouble first, leaving out
 * those of `exceptAppId` (the operational endpoints' internal application, which no page shows).
 * Small: failing endpoints are few (the partial index endpoint_failing), disabled ones too.
 */
export async function endpointTroubleList(db: Queryable, exceptAppId: string, limit = 50): Promise<EndpointTrouble[]> {
  const { rows } = await db.query<{
    id: string; app_id: string; app_name: string; url: string; disabled: boolean; disabled_reason: string | null;
    disabled_at: Date | null; fail_since: Date | null; consecutive_failures: number; last_failure_at: Date | null;
  }>(
    `select e.id, e.app_id, a.name as app_name, e.url, e.disabled, e.disabled_reason, e.disabled_at, e.fail_since, e.consecutive_failures, e.last_failure_at
       from hookyard.endpoint e join hookyard.application a on a.id = e.app_id
      where (e.disabled or e.fail_since is not null) and e.app_id <> $1
      order by e.disabled, coalesce(e.fail_since, e.disabled_at, e.updated_at) desc
      limit $2`,
    [exceptAppId, limit],
  );
  return rows.map((r) => ({
    id: r.id, appId: r.app_id, appName: r.app_name, url: r.url, disabled: r.disabled, disabledReason: r.disabled_reason,
    disabledAt: r.disabled_at, failingSince: r.fail_since, consecutiveFailures: r.consecutive_failures, lastFailureAt: r.last_failure_at,
  }));
}

/** The server-wide failure threshold (migration 013's one-row table), written only when it changes. */
export async function endpointHealthSettingSet(db: Queryable, failureThreshold: number): Promise<void> {
  await db.query(
    `update hookyard.endpoint_health_setting set failure_threshold = $1 where failure_threshold is distinct from $1`,
    [failureThreshold],
  );
}

/**
 * The health pass's statement: disables, as `automatic`, each enabled endpoint failing since
 * before `failingBefore`, or at its threshold of deliveries failed in a row. Returns how many.
 * Plan expected: the partial index endpoint_failing (every failing endpoint has a fail_since).
 */
export async function endpointDisableFailing(db: Queryable, now: Date, failingBefore: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with due as (
       select e.id,
              case when e.fail_since <= $2
                   then format('failed without a success since %s', to_char(e.fail_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                   else format('%s deliveries in a row failed (the threshold is %s)', e.consecutive_failures, coalesce(e.failure_threshold, s.failure_threshold)) end as reason
         from hookyard.endpoint e cross join hookyard.endpoint_health_setting s
        where e.fail_since is not null and not e.disabled
          and (e.fail_since <= $2 or e.consecutive_failures >= coalesce(e.failure_threshold, s.failure_threshold))
        order by e.id
     )
     select count(*) filter (where hookyard.endpoint_disable(due.id, $1, due.reason, 'automatic'))::int as n from due`,
    [now, failingBefore],
  );
  return rows[0]?.n ?? 0;
}
