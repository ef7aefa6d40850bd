import { attemptInsertSql, attemptToRow } from '../attempt/sql.js';
import { endpointDisable, toEndpoint, type EndpointRow } from '../endpoint/sql.js';
import type { SendOptions } from '../endpoint/send-options.js';
import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { Queryable, Storage } from '../store/port.js';
import { toMessage, type MessageRow } from '../message/sql.js';
import type { Claimed, Completion, EndpointMessage, EndpointStats, MessageDestination } from './model.js';
import type { DeliveryState } from './state.js';

// Every statement on hookyard.delivery, but the fan-out's insert (fanout.ts), lives here.

/** NOTIFY channel raised when deliveries become due. */
export const DELIVERY_CHANNEL = 'hookyard_delivery';

export interface ClaimQuery {
  limit: number;
  leaseMs: number;
  /** Rows an endpoint not in `endpointRoom` may get. */
  endpointCap: number;
  /** Endpoints this worker already holds (or holds back), and how many more each may take. */
  endpointRoom: Map<string, number>;
  /** The worker's lane (migration 007): the claim waits for it before it scans. */
  lane?: number;
  /** Start the scan here (migration 009): every due row before it belongs to a skipped endpoint (see scan-start.ts). */
  scanFrom?: Date | null;
}

export interface ClaimResult {
  claimed: Claimed[];
  /**
   * The scan found as many due rows as it may lock, so more are likely due. A
   * claim can come back short of the limit only because of per-endpoint caps;
   * this tells that apart from an empty queue.
   */
  more: boolean;
  /**
   * How far the scan got with nothing but skipped rows before it: its first
   * due row, or 2 s ago if that is earlier (rows of a transaction still open
   * may commit with an earlier next_attempt_at). Null when it scanned nothing.
   */
  scanReached: Date | null;
  /**
   * Controlled endpoints (rate limit, max_in_flight, fifo; migration 014) that the database gave
   * less than the claim wanted, with how long until they may get more (ms), or null when they wait
   * for a lease to end. Claims skip them meanwhile (see endpoint-holds.ts).
   */
  held: { endpointId: string; waitMs: number | null }[];
}

interface ClaimedRow {
  /** Null in the one row of a claim that took nothing. */
  id: number | null;
  message_id: string;
  endpoint_id: string;
  attempt_count: number;
  trigger: 'scheduled' | 'manual';
  one_shot: boolean;
  /** Null when the message's payload was removed (migration 016). */
  payload: string | null;
  content_type: string | null;
  url: string;
  headers: Record<string, string>;
  sensitive_headers: string[] | null;
  send_options: SendOptions | null;
  event_type: string | null;
  disabled: boolean;
  /** Comma-separated: cheaper to read than a text[] (which the driver parses element by element). */
  secrets: string | null;
  scanned: number;
  scan_reached: Date | null;
  held: [string, number | null][] | null;
}

/**
 * Claims due deliveries in one statement: the oldest `limit` due rows are
 * locked with SKIP LOCKED (concurrent workers split the work), at most each
 * endpoint's room of them is kept, and the kept rows are leased (`sending`,
 * next_attempt_at = now() + lease). A dead worker's leases simply run out.
 *
 * Plan expected: hookyard.delivery_due_lock (migrations 002, 009) pins an
 * ordered walk of delivery_due, from `scanFrom` when given, that stops at
 * `limit`, skipping endpoints with no room.
 * The kept rows are updated by primary key (`= any(array(...))`): joined, the
 * planner took the scan's default estimate of 1,000 rows and hashed a
 * sequential scan of the table. Payloads come by primary key per row, secrets
 * once per endpoint. Given a `lane`, the scan first waits for it.
 */
export async function deliveryClaimDue(db: Queryable, { limit, leaseMs, endpointCap, endpointRoom, lane, scanFrom }: ClaimQuery): Promise<ClaimResult> {
  const full = [...endpointRoom].filter(([, room]) => room <= 0).map(([id]) => id);
  const room = Object.fromEntries([...endpointRoom].filter(([, r]) => r > 0));
  const { rows } = await db.query<ClaimedRow>(
    `with candidate as (
       select * from hookyard.delivery_due_lock($1, $2::text[], $7::timestamptz) where (select hookyard.lane_enter($6))
     ), wanted as (
       select endpoint_id, least(count(*)::int, coalesce(($3::jsonb ->> endpoint_id)::int, $4)) as n, min(id) as first_id
         from candidate group by endpoint_id
     ), controlled as (
       -- Rate limit, max_in_flight and fifo, across workers (migration 014): controlled endpoints only.
       select r.* from (select array_agg(endpoint_id) as ids, array_agg(n) as ns, array_agg(first_id) as firsts from wanted) w,
              hookyard.endpoint_room(w.ids, w.ns, w.firsts) r
     ), chosen as (
       select ranked.id from (
         select id, endpoint_id, next_attempt_at,
                row_number() over (partition by endpoint_id order by next_attempt_at, id) as rank
           from candidate
       ) ranked left join controlled h on h.endpoint_id = ranked.endpoint_id
        where case when h.head is not null then ranked.id = h.head and h.room > 0
                   else rank <= coalesce(h.room, ($3::jsonb ->> ranked.endpoint_id)::int, $4) end
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
            least((select min(next_attempt_at) from candidate), now() - interval '2 seconds') as scan_reached,
            (select m.payload from hookyard.message m where m.id = c.message_id) as payload,
            -- Set only for received webhooks with a body that is not JSON (migration 012).
            (select r.content_type from hookyard.inbound_request r where r.message_id = c.message_id and r.content_type is not null limit 1) as content_type,
            -- Send options (migration 015); only their endpoints may need the event type, so only they look it up.
            e.send_options, case when e.send_options <> '{}' then (select m.event_type from hookyard.message m where m.id = c.message_id) end as event_type,
            (select json_agg(json_build_array(h.endpoint_id, h.wait_ms)) from controlled h join wanted w using (endpoint_id) where h.room < w.n) as held
       -- One row even when nothing is claimed (id null), to carry \`held\`.
       from (values (1)) as one (x) left join claimed c on true
       -- An endpoint deleted while its fan-out ran leaves no row: treated as disabled, the delivery is cancelled.
       left join hookyard.endpoint e on e.id = c.endpoint_id
       left join secrets s on s.endpoint_id = c.endpoint_id`,
    [limit, full, JSON.stringify(room), endpointCap, leaseMs, lane ?? null, scanFrom ?? null],
  );
  const secrets = new Map<string | null, string[]>();
  const secretsOf = (text: string | null) => {
    let list = secrets.get(text);
    if (!list) secrets.set(text, (list = text ? text.split(',') : []));
    return list;
  };
  const held = (rows[0]?.held ?? []).map(([endpointId, waitMs]) => ({ endpointId, waitMs }));
  const claimed = rows.filter((r) => r.id !== null).map((r) => ({
    id: r.id!,
    messageId: r.message_id,
    endpointId: r.endpoint_id,
    attemptCount: r.attempt_count,
    trigger: r.trigger,
    oneShot: r.one_shot,
    payload: r.payload ?? '',
    contentType: r.content_type,
    url: r.url,
    headers: r.headers,
    sensitiveHeaders: r.sensitive_headers ?? [],
    // A message whose payload was removed has nothing to send: cancelled like a disabled endpoint's
    // (expunging cancels its deliveries; this covers a resend that raced the expunge).
    endpointDisabled: r.disabled || r.payload === null,
    sendOptions: r.send_options ?? {},
    eventType: r.event_type,
    sealedSecrets: secretsOf(r.secrets),
  }));
  // As before the row for `held`: a claim that took nothing reports neither "more" nor how far it got.
  const first = claimed.length ? rows[0] : undefined;
  return { claimed, more: (first?.scanned ?? 0) >= limit, scanReached: first?.scan_reached ?? null, held };
}

/**
 * Gives leases back (shutdown, stale or held-back claims): the rows are due
 * now, and the attempt they were claimed for is uncounted: it never happened.
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

/**
 * Writes a batch of results in one statement (group commit): the attempts are
 * inserted and the deliveries updated through a data-modifying CTE. A delivery
 * is updated only while it is still `sending` under the same lease, so a late
 * result from a worker whose lease ran out cannot overwrite a newer one; its
 * attempt is still recorded, because it happened. Given the worker's `lane`,
 * it first waits for that lane (migration 007). Results that disable an
 * endpoint (410 Gone) are written in one transaction with the disabling.
 */
export async function deliveryComplete(storage: Storage, completions: Completion[], lane?: number): Promise<void> {
  if (completions.length === 0) return;
  const gone = completions.flatMap((c) => (c.disableEndpoint ? [{ ...c.disableEndpoint, at: c.attempt?.createdAt }] : []));
  if (gone.length === 0) return deliveryCompleteIn(storage, completions, lane);
  await storage.transaction(async (tx) => {
    await deliveryCompleteIn(tx, completions, lane);
    // Disabling parks the endpoint's pending deliveries (migration 013): re-enabling delivers them.
    for (const { endpointId, reason, at } of gone) await endpointDisable(tx, endpointId, reason, 'automatic', at);
  });
}

async function deliveryCompleteIn(db: Queryable, completions: Completion[], lane: number | undefined): Promise<void> {
  const attempts = completions.flatMap((c) => (c.attempt ? [attemptToRow(c.attempt)] : []));
  const updates = completions.map((c) => ({ id: c.deliveryId, claimed: c.claimedCount, count: c.attemptCount, state: c.state, delay_ms: c.delayMs, at: c.attempt?.createdAt ?? null }));
  await db.query(
    `with attempts as (${attemptInsertSql('$1')} returning 1)
     update hookyard.delivery d
        set state = x.state::hookyard.delivery_state,
            attempt_count = x.count,
            next_attempt_at = case when x.delay_ms is null then d.next_attempt_at else now() + x.delay_ms * interval '1 millisecond' end,
            last_attempt_at = coalesce(x.at, d.last_attempt_at),
            trigger = 'scheduled', one_shot = false, updated_at = now()
       from jsonb_to_recordset($2::jsonb) as x(id bigint, claimed int, count int, state text, delay_ms int, at timestamptz)
      where d.id = x.id and d.state = 'sending' and d.attempt_count = x.claimed and (select hookyard.lane_enter($3))`,
    [JSON.stringify(attempts), JSON.stringify(updates), lane ?? null],
  );
}

/**
 * Cancels the deliveries of these messages that are still waiting, pending or in flight (their
 * payloads were removed). A lease cancelled this way makes the worker's write-back a no-op (it
 * applies only to `sending` rows under the same lease); the attempt is still recorded.
 */
export async function deliveryCancelForMessages(db: Queryable, messageIds: string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const result = await db.query(
    `update hookyard.delivery set state = 'cancelled', updated_at = now()
      where message_id = any ($1::text[]) and state in ('pending', 'sending')`,
    [messageIds],
  );
  return result.rowCount ?? 0;
}

/**
 * Queues one manual attempt of a delivery, now. A delivery still waiting for
 * a retry keeps its schedule after it; a finished one (succeeded, failed,
 * cancelled) gets exactly that one attempt (`one_shot`).
 */
export async function deliveryResend(db: Queryable, messageId: string, endpointIdOrUid: string): Promise<boolean> {
  const { rows } = await db.query(
    `update hookyard.delivery d
        set state = 'pending', next_attempt_at = now(), trigger = 'manual',
            one_shot = d.one_shot or d.state not in ('pending', 'sending'), updated_at = now()
       from hookyard.endpoint e
      where d.message_id = $1 and e.id = d.endpoint_id and (e.id = $2 or e.uid = $2)
     returning d.id`,
    [messageId, endpointIdOrUid],
  );
  return rows.length > 0;
}

/**
 * Re-queues, as one manual attempt each, the deliveries of an endpoint that
 * did not succeed (failed, or cancelled because the endpoint was disabled)
 * and were created in [since, until). Uses delivery_endpoint_unsuccessful.
 */
export async function deliveryRecover(db: Queryable, endpointId: string, since: Date, until: Date | null): Promise<number> {
  const result = await db.query(
    `update hookyard.delivery
        set state = 'pending', next_attempt_at = now(), trigger = 'manual', one_shot = true, updated_at = now()
      where endpoint_id = $1 and state in ('failed', 'cancelled')
        and created_at >= $2 and ($3::timestamptz is null or created_at < $3)
        -- a message whose payload was removed cannot be sent again
        and exists (select 1 from hookyard.message m where m.id = message_id and m.payload is not null)`,
    [endpointId, since, until],
  );
  return result.rowCount ?? 0;
}

/**
 * Makes the pending deliveries of these messages due at `at` (Svix's deliverAt), in the
 * transaction that published them: no worker can have claimed them yet.
 */
export async function deliverySchedule(db: Queryable, messageIds: string[], at: Date): Promise<number> {
  const result = await db.query(
    `update hookyard.delivery set next_attempt_at = greatest($2::timestamptz, now()) where message_id = any ($1::text[]) and state = 'pending'`,
    [messageIds, at],
  );
  return result.rowCount ?? 0;
}

export interface TaskStep {
  /** The last id this step handled (message id for replay, delivery id for recover), null if none. */
  last: string | null;
  /** Rows looked at; fewer than the limit means the range is done. */
  scanned: number;
  /** Deliveries queued by this step. */
  queued: number;
}

/**
 * One step of replay-missing (Svix's `replay-missing`): the next `limit` messages after `after`,
 * created in [since, until), of the endpoint's application and its descendants (they fan out to
 * it), that match its filters and channels and that it never received: no delivery to it yet (it
 * was disabled, or created later), or one cancelled before any attempt. Each gets a delivery with
 * one manual attempt first and the retry schedule after it. Walks message_app by id (ids sort by
 * creation time), so `since`/`until` are id bounds.
 */
export async function deliveryReplayMissing(db: Queryable, q: { endpointId: string; appId: string; fromId: string; toId: string | null; after: string | null; limit: number }): Promise<TaskStep> {
  const { rows } = await db.query<{ last: string | null; scanned: number; queued: number }>(
    `with recursive apps as (
       select id from hookyard.application where id = $2
       union all select a.id from hookyard.application a join apps on a.parent_id = apps.id
     ), batch as (
       select m.id, m.event_type, m.channels, m.payload is not null as sendable from hookyard.message m
        where m.app_id in (select id from apps) and m.id >= $3 and ($4::text is null or m.id < $4) and ($5::text is null or m.id > $5)
        order by m.id limit $6
     ), matching as (
       select b.id from batch b join hookyard.endpoint e on e.id = $1
        where b.sendable -- a message whose payload was removed cannot be sent again
          and (e.filter_types is null or b.event_type = any (e.filter_types)) and (e.channels is null or b.channels && e.channels)
     ), inserted as (
       insert into hookyard.delivery (message_id, endpoint_id, trigger)
       select id, $1, 'manual' from matching
       on conflict (message_id, endpoint_id) do nothing
       returning 1
     ), requeued as (
       update hookyard.delivery d set state = 'pending', next_attempt_at = now(), trigger = 'manual', one_shot = false, updated_at = now()
        where d.endpoint_id = $1 and d.message_id in (select id from matching) and d.state = 'cancelled' and d.attempt_count = 0
       returning 1
     )
     select (select max(id) from batch) as last, (select count(*)::int from batch) as scanned,
            (select count(*)::int from inserted) + (select count(*)::int from requeued) as queued`,
    [q.endpointId, q.appId, q.fromId, q.toId, q.after, q.limit],
  );
  return rows[0]!;
}

/**
 * One step of recover, for the background task: the next `limit` unsuccessful deliveries (failed,
 * or cancelled) of the endpoint after delivery id `after`, created in [since, until), each given
 * one manual attempt. By id, so that one that fails again meanwhile is not taken twice.
 */
export async function deliveryRecoverStep(db: Queryable, q: { endpointId: string; since: Date; until: Date | null; after: string | null; limit: number }): Promise<TaskStep> {
  const { rows } = await db.query<{ last: string | null; scanned: number; queued: number }>(
    `with batch as (
       select id from hookyard.delivery
        where endpoint_id = $1 and state in ('failed', 'cancelled') and created_at >= $2 and ($3::timestamptz is null or created_at < $3)
          and id > coalesce($4::bigint, 0)
        order by id limit $5
     ), requeued as (
       update hookyard.delivery d set state = 'pending', next_attempt_at = now(), trigger = 'manual', one_shot = true, updated_at = now()
        where d.id in (select id from batch)
          -- a message whose payload was removed cannot be sent again
          and exists (select 1 from hookyard.message m where m.id = d.message_id and m.payload is not null)
       returning 1
     )
     select (select max(id)::text from batch) as last, (select count(*)::int from batch) as scanned, (select count(*)::int from requeued) as queued`,
    [q.endpointId, q.since, q.until, q.after, q.limit],
  );
  return rows[0]!;
}

/**
 * Tells listening workers that deliveries of `appId` are due. NOTIFY is
 * transactional: listeners hear it only if the surrounding transaction commits.
 */
export async function deliveryNotify(db: Queryable, appId: string): Promise<void> {
  await db.query('select pg_notify($1, $2)', [DELIVERY_CHANNEL, appId]);
}

/** The endpoints a message fanned out to, by endpoint id, with their delivery's state. */
export async function deliveryListByMessage(db: Queryable, messageId: string, query: PageQuery): Promise<Page<MessageDestination>> {
  const plan = pagePlan(query, 'e.id', 2);
  const { rows } = await db.query<EndpointRow & { state: DeliveryState; next_attempt_at: Date | null }>(
    // A parked delivery (its endpoint is disabled, migration 013) is due at 'infinity': no time to show.
    `select e.*, d.state, case when d.next_attempt_at <> 'infinity' then d.next_attempt_at end as next_attempt_at
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

export interface EndpointMessageQuery extends PageQuery {
  state?: DeliveryState;
  eventTypes?: string[];
  channel?: string;
  tag?: string;
  before?: Date;
  after?: Date;
}

/**
 * The messages fanned out to an endpoint, newest delivery first, with their delivery's state
 * (Svix's list-attempted-messages). The iterator is a message id, as in Svix, and stands for that
 * message's delivery to this endpoint: found by the (message_id, endpoint_id) key, after which a
 * page is one range of delivery_endpoint (endpoint_id, id), whatever the filters.
 */
export async function deliveryListByEndpoint(db: Queryable, endpointId: string, query: EndpointMessageQuery): Promise<Page<EndpointMessage>> {
  const plan = pagePlan(query, 'd.id', 8, 'descending');
  const ascending = plan.orderBy.endsWith('asc');
  const cursor = plan.cursor === undefined
    ? 'true'
    : `d.id ${ascending ? '>' : '<'} (select x.id from hookyard.delivery x where x.message_id = $8 and x.endpoint_id = $1)`;
  const { rows } = await db.query<MessageRow & { state: DeliveryState; next_attempt_at: Date }>(
    `select m.id, m.app_id, m.event_type, m.event_id, m.payload, m.channels, m.tags, m.created_at, d.state, d.next_attempt_at
       from hookyard.delivery d join hookyard.message m on m.id = d.message_id
      where d.endpoint_id = $1
        and ($2::hookyard.delivery_state is null or d.state = $2)
        and ($3::text[] is null or m.event_type = any ($3::text[]))
        and ($4::text is null or $4 = any (m.channels))
        and ($5::text is null or $5 = any (m.tags))
        and ($6::timestamptz is null or m.created_at < $6)
        and ($7::timestamptz is null or m.created_at > $7)
        and ${cursor}
      order by ${plan.orderBy} limit ${plan.fetch}`,
    [
      endpointId,
      query.state ?? null,
      query.eventTypes?.length ? query.eventTypes : null,
      query.channel ?? null,
      query.tag ?? null,
      query.before ?? null,
      query.after ?? null,
      ...(plan.cursor === undefined ? [] : [plan.cursor]),
    ],
  );
  return pageFinish(plan, rows, (r) => r.id, (r) => ({
    message: toMessage(r),
    state: r.state,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at : null,
  }));
}

/** Deliveries to an endpoint by state, optionally for messages created in [since, until). */
export async function deliveryStatsByEndpoint(db: Queryable, endpointId: string, since?: Date, until?: Date): Promise<EndpointStats> {
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
