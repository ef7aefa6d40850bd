import type { Queryable } from '../store/port.js';

/** A delivery a worker holds under lease, with what it needs to send it. */
export interface Claimed {
  id: number;
  messageId: string;
  endpointId: string;
  /** Including this attempt; also the lease token: write-back applies only while it still matches. */
  attemptCount: number;
  trigger: 'scheduled' | 'manual';
  oneShot: boolean;
  payload: string;
  url: string;
  headers: Record<string, string>;
  /** Custom header names the endpoint's owner marked sensitive (migration 011), lowercased: redacted in the stored attempt. */
  sensitiveHeaders?: string[];
  endpointDisabled: boolean;
  /**
   * Sealed signing secrets that sign now, newest first (see endpointSecretsActive), hex-encoded: a
   * string is both a cheap cache key and cheap to parse. Rows of one endpoint in one claim share
   * the same array, so a cache keyed by it opens them once per claim.
   */
  sealedSecrets: string[];
}

export interface ClaimQuery {
  limit: number;
  leaseMs: number;
  /** In-flight cap per endpoint for this worker. */
  endpointCap: number;
  /** Endpoints this worker already sends to, and how many more each may take. */
  endpointRoom: Map<string, number>;
  /** The worker's lane (migration 007): the claim waits for it before it scans. */
  lane?: number;
}

interface ClaimedRow {
  id: number;
  message_id: string;
  endpoint_id: string;
  attempt_count: number;
  trigger: 'scheduled' | 'manual';
  one_shot: boolean;
  payload: string;
  url: string;
  headers: Record<string, string>;
  sensitive_headers: string[] | null;
  disabled: boolean;
  /** Comma-separated: cheaper to read than a text[] (which the driver parses element by element). */
  secrets: string | null;
  scanned: number;
}

export interface ClaimResult {
  claimed: Claimed[];
  /**
   * The scan found as many due rows as it may lock, so more are likely due. A
   * claim can come back short of the limit only because of per-endpoint caps;
   * this tells that apart from an empty queue. (Every endpoint in the scan has
   * room for at least one row, so no rows claimed means no rows scanned.)
   */
  more: boolean;
}

/**
 * Claims due deliveries in one statement. The oldest `limit` due rows are
 * locked with SKIP LOCKED (so concurrent workers split the work); of those, at
 * most `endpointCap` per endpoint are kept (so one endpoint's backlog cannot
 * fill the batch; the rest stay due and their locks end with the statement),
 * and the kept rows are leased: `sending` with next_attempt_at = now() + lease.
 * When a worker dies, the lease simply runs out and the row is due again.
 *
 * Plan expected: an index scan of delivery_due (partial, live rows only) in
 * next_attempt_at order, stopped at `limit`; endpoints this worker has
 * filled are skipped in that scan rather than ranked. The scan lives in the
 * function hookyard.delivery_due_lock (migration 002), which pins that plan.
 * Locking only the rows it may keep matters: each lock is a write. The kept
 * rows are updated by primary key (`= any(array(...))`): joined instead, the
 * planner took the scan's default estimate of 1,000 rows and, on a table of
 * 20,000, hashed a sequential scan of all of it for 40 rows (4.2 ms against
 * 0.8 ms). Payloads are fetched by primary key per row, secrets once per
 * endpoint. Given the worker's `lane`, the scan waits for that lane first
 * (migration 007), and its rows are the ones due once the wait is over.
 */
export async function deliveryClaimDue(db: Queryable, { limit, leaseMs, endpointCap, endpointRoom, lane }: ClaimQuery): Promise<ClaimResult> {
  const full = [...endpointRoom].filter(([, room]) => room <= 0).map(([id]) => id);
  const room = Object.fromEntries([...endpointRoom].filter(([, r]) => r > 0));
  const { rows } = await db.query<ClaimedRow>(
    `with candidate as (
       select * from hookyard.delivery_due_lock($1, $2::text[]) where (select hookyard.lane_enter($6))
     ), chosen as (
       select id from (
         select id, endpoint_id, next_attempt_at,
                row_number() over (partition by endpoint_id order by next_attempt_at, id) as rank
           from candidate
       ) ranked
        where rank <= coalesce(($3::jsonb ->> endpoint_id)::int, $4)
     ), claimed as (
       update hookyard.delivery d
          set state = 'sending', attempt_count = d.attempt_count + 1,
              next_attempt_at = now() + $5 * interval '1 millisecond', updated_at = now()
        where d.id = any (array(select id from chosen))
       returning d.id, d.message_id, d.endpoint_id, d.attempt_count, d.trigger, d.one_shot
     ), secrets as (
       select s.endpoint_id, string_agg(encode(s.sealed, 'hex'), ',' order by s.id desc) as sealed
         from hookyard.endpoint_secret s
        where s.endpoint_id in (select endpoint_id from claimed) and (s.expires_at is null or s.expires_at > now())
        group by s.endpoint_id
     )
     select c.*, e.url, e.headers, e.sensitive_headers, coalesce(e.disabled, true) as disabled, s.sealed as secrets, (select count(*)::int from candidate) as scanned,
            (select m.payload from hookyard.message m where m.id = c.message_id) as payload
       from claimed c
       -- An endpoint deleted while its fan-out ran leaves no row: treated as disabled, the delivery is cancelled.
       left join hookyard.endpoint e on e.id = c.endpoint_id
       left join secrets s on s.endpoint_id = c.endpoint_id`,
    [limit, full, JSON.stringify(room), endpointCap, leaseMs, lane ?? null],
  );
  const secrets = new Map<string | null, string[]>();
  const secretsOf = (text: string | null) => {
    let list = secrets.get(text);
    if (!list) secrets.set(text, (list = text ? text.split(',') : []));
    return list;
  };
  const claimed = rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    endpointId: r.endpoint_id,
    attemptCount: r.attempt_count,
    trigger: r.trigger,
    oneShot: r.one_shot,
    payload: r.payload,
    url: r.url,
    headers: r.headers,
    sensitiveHeaders: r.sensitive_headers ?? [],
    endpointDisabled: r.disabled,
    sealedSecrets: secretsOf(r.secrets),
  }));
  return { claimed, more: (rows[0]?.scanned ?? 0) >= limit };
}

/**
 * Gives leases back (worker shutdown): the rows are due now, and the attempt
 * they were claimed for is uncounted because it was never recorded.
 */
export async function deliveryRelease(db: Queryable, claims: { id: number; attemptCount: number }[]): Promise<number> {
  if (claims.length === 0) return 0;
  const result = await db.query(
    `update hookyard.delivery d
        set state = 'pending', next_attempt_at = now(), attempt_count = d.attempt_count - 1, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as x(id bigint, attempt_count int)
      where d.id = x.id and d.state = 'sending' and d.attempt_count = x.attempt_count`,
    [JSON.stringify(claims.map((c) => ({ id: c.id, attempt_count: c.attemptCount })))],
  );
  return result.rowCount ?? 0;
}
