-- `hookyard.message_publish` looks up the messages it answers with (existing, replayed) one by
-- one, by primary key. Migration 019's final query joined hookyard.message as a whole: planned
-- while the table was small (a fresh database, before any ANALYZE; and PGlite has no autovacuum),
-- the plan was a hash join over a sequential scan of every message, and a connection kept that
-- plan, so each publish and each received webhook cost time in proportion to the table's size
-- (4.9 ms a statement at 19,000 messages, most of the receive path's database time). A lateral
-- lookup by key has no such plan: its `limit 1` keeps the planner from flattening it back into
-- a join, so it runs per answer, as an index probe, and only for existing and replayed ones.
-- Everything else is migration 019's function, unchanged.
-- Replacing a function locks no table.

create or replace function hookyard.message_publish(input json, channel text, key_retention_ms bigint, key_abandoned_ms bigint)
returns table (n integer, outcome text, id text, app_id text, event_type text, event_id text, payload text,
               channels text[], tags text[], created_at timestamptz, deliveries integer,
               replay_status integer, replay_body text, replay_with_content boolean)
language plpgsql volatile as $$
#variable_conflict use_column
declare
  r record;
  key_expired timestamptz := now() - make_interval(secs => key_retention_ms / 1000.0);
  key_abandoned timestamptz := now() - make_interval(secs => key_abandoned_ms / 1000.0);
  -- The answers so far, one element per message; `ref` is the message an existing or replayed
  -- outcome answers with, read in the final query.
  o_n integer[] := '{}';
  o_outcome text[] := '{}';
  o_app text[] := '{}';
  o_ref text[] := '{}';
  o_deliveries integer[] := '{}';
  o_status integer[] := '{}';
  o_body text[] := '{}';
  o_with_content boolean[] := '{}';
  -- Messages whose key or eventId turned out to be taken by a row this statement's snapshot could
  -- not see (another transaction's, committed while it ran, or another message of this group's).
  lost_key integer[] := '{}';
  lost_event_id integer[] := '{}';
  lost_app text[] := '{}';
  fanned integer := 0;
begin
  for r in
    with recursive
    item as (
      select i.* from json_to_recordset(input) as i(
        n integer, unit integer, app text, id text, event_type text, event_id text, payload text,
        channels text[], tags text[], created_at timestamptz, event_type_version bigint, endpoint text,
        scope text, key text, fingerprint text, with_content boolean)
    ),
    -- Each application named, by id or uid, once; locked as the foreign key used to (see above).
    app as (
      select d.app, x.id
        from (select distinct i.app from item i) d
        left join lateral (select y.id from hookyard.application y where y.id = d.app or y.uid = d.app limit 1 for key share) x on true
    ),
    -- What each message refers to, and its own reason to be refused. A live key row comes first,
    -- as the Idempotency-Key middleware answered before the route ran.
    checked as (
      select i.*, a.id as app_id, e.id as endpoint_id,
             k.status as key_status, k.body as key_body, k.message_id as key_message_id, k.with_content as key_with_content,
             case
               when k.token_id is not null then
                 case when k.fingerprint <> i.fingerprint then 'key_reused' when k.status is null then 'key_busy' else 'replayed' end
               when a.id is null then 'no_app'
               when i.endpoint is not null and e.id is null then 'no_endpoint'
               when (select hookyard.event_type_version(t.updated_at) from hookyard.event_type t where t.name = i.event_type)
                    is distinct from i.event_type_version then 'stale'
             end as refusal
        from item i
        left join app a on a.app = i.app
        left join lateral (select x.id from hookyard.endpoint x
                            where i.endpoint is not null and x.app_id = a.id and (x.id = i.endpoint or x.uid = i.endpoint) limit 1) e on true
        left join hookyard.idempotency_key k
               on k.token_id = i.scope and k.key = i.key and k.created_at >= key_expired
              and (k.status is not null or k.created_at >= key_abandoned)
    ),
    judged as (
      select c.*, coalesce(bool_or(c.refusal in ('no_app', 'no_endpoint', 'stale')) over (partition by c.unit), false) as unit_refused
        from checked c
    ),
    go as (select j.* from judged j where j.refusal is null and not j.unit_refused),
    -- Keys first, so that a message whose key another request holds is not inserted. Within the
    -- group only the first message with a key claims it (one row cannot be claimed twice).
    claimed as (
      insert into hookyard.idempotency_key as k (token_id, key, fingerprint, status, message_id, with_content)
      select distinct on (g.scope, g.key) g.scope, g.key, g.fingerprint, 202, g.id, g.with_content
        from go g where g.key is not null
       order by g.scope, g.key, g.n
      on conflict (token_id, key) do update
         set fingerprint = excluded.fingerprint, status = excluded.status, body = null,
             message_id = excluded.message_id, with_content = excluded.with_content, created_at = now()
       where k.created_at < key_expired or (k.status is null and k.created_at < key_abandoned)
      returning k.message_id
    ),
    inserted as (
      insert into hookyard.message as m (id, app_id, event_type, event_id, payload, channels, tags, created_at)
      select g.id, g.app_id, g.event_type, g.event_id, g.payload, g.channels, g.tags, g.created_at
        from go g
       where g.key is null or g.id in (select c.message_id from claimed c)
       order by g.n -- of two messages with one eventId, the first is kept
      on conflict (app_id, event_id) where event_id is not null do nothing
      returning m.id, m.app_id, m.event_type, m.channels
    ),
    -- Each application of the group and its ancestors; the depth bound stops a cycle.
    chain (root, id, parent_id, depth) as (
      select x.id, x.id, x.parent_id, 0 from hookyard.application x where x.id in (select g.app_id from go g)
      union all
      select c.root, x.id, x.parent_id, c.depth + 1
        from chain c join hookyard.application x on x.id = c.parent_id
       where c.depth < 32
    ),
    -- Fan-out: every endpoint of the message's application or an ancestor whose filter_types is
    -- null or names the event type and whose channels is null or shares one with the message.
    -- A disabled endpoint's delivery is parked (due at 'infinity', migrations 013 and 019) until
    -- the endpoint is enabled again. The plan expected: a few chain rows, each an index scan of
    -- endpoint_app.
    fanned_out as (
      insert into hookyard.delivery (message_id, endpoint_id, next_attempt_at)
      select m.id, e.id, case when e.disabled then 'infinity'::timestamptz else now() end
        from inserted m
        join go g on g.id = m.id
        join chain c on c.root = m.app_id
        join hookyard.endpoint e on e.app_id = c.id
       where case when g.endpoint_id is not null then e.id = g.endpoint_id
                  else (e.filter_types is null or m.event_type = any (e.filter_types))
                       and (e.channels is null or e.channels && m.channels) end
      on conflict (message_id, endpoint_id) do nothing
      returning message_id
    ),
    fan_count as (select f.message_id, count(*)::integer as deliveries from fanned_out f group by f.message_id)
    select j.n, j.app_id, j.id as own_id, j.key as item_key,
           case when j.refusal is not null then j.refusal
                when j.unit_refused then 'skipped'
                when m.id is not null then 'created'
                when j.key is not null and j.id not in (select c.message_id from claimed c) then 'lost_key'
                else 'lost_event_id' end as verdict,
           j.key_status, j.key_body, j.key_with_content, j.key_message_id,
           coalesce(fc.deliveries, 0) as fanned
      from judged j
      left join inserted m on m.id = j.id
      left join fan_count fc on fc.message_id = j.id
  loop
    if r.verdict = 'lost_key' then
      lost_key := lost_key || r.n;
    elsif r.verdict = 'lost_event_id' then
      lost_event_id := lost_event_id || r.n;
      lost_app := lost_app || r.app_id;
    else
      fanned := fanned + r.fanned;
      o_n := o_n || r.n; o_outcome := o_outcome || r.verdict; o_app := o_app || r.app_id;
      o_ref := o_ref || case when r.verdict = 'replayed' then r.key_message_id when r.verdict = 'created' then r.own_id end;
      o_deliveries := o_deliveries || r.fanned; o_status := o_status || r.key_status; o_body := o_body || r.key_body;
      o_with_content := o_with_content || r.key_with_content;
    end if;
  end loop;

  -- An eventId already used (by an earlier message, or by another message of this group): the
  -- message that holds it, seen with a fresh snapshot. A key claimed for the lost message is
  -- pointed at that one, so that its replay answers what this call answers.
  if cardinality(lost_event_id) > 0 then
    for r in
      with lost as (
        select i.n, i.event_id, i.id as own_id, i.scope, i.key, l.app_id
          from json_to_recordset(input) as i(n integer, id text, event_id text, scope text, key text)
          join unnest(lost_event_id, lost_app) as l(n, app_id) on l.n = i.n
      ),
      found as (
        select l.*, m.id as message_id from lost l
          join hookyard.message m on m.app_id = l.app_id and m.event_id = l.event_id
      ),
      repointed as (
        update hookyard.idempotency_key k set message_id = f.message_id
          from found f where f.key is not null and k.token_id = f.scope and k.key = f.key and k.message_id = f.own_id
        returning 1
      )
      select f.n, f.app_id, f.message_id from found f
    loop
      o_n := o_n || r.n; o_outcome := o_outcome || 'existing'::text; o_app := o_app || r.app_id; o_ref := o_ref || r.message_id;
      o_deliveries := o_deliveries || 0; o_status := o_status || null::integer; o_body := o_body || null::text;
      o_with_content := o_with_content || null::boolean;
    end loop;
  end if;

  -- A key claimed by another request after this statement's snapshot was taken, or by an
  -- earlier message of this group: answered as the key row says now.
  if cardinality(lost_key) > 0 then
    for r in
      select i.n, k.fingerprint <> i.fingerprint as reused, k.status, k.body, k.message_id, k.with_content, k.token_id is null as gone
        from json_to_recordset(input) as i(n integer, scope text, key text, fingerprint text)
        left join hookyard.idempotency_key k on k.token_id = i.scope and k.key = i.key
       where i.n = any (lost_key)
    loop
      o_n := o_n || r.n;
      o_outcome := o_outcome || case when r.gone or r.status is null then 'key_busy' when r.reused then 'key_reused' else 'replayed' end;
      o_app := o_app || null::text; o_ref := o_ref || r.message_id; o_deliveries := o_deliveries || 0;
      o_status := o_status || r.status; o_body := o_body || r.body; o_with_content := o_with_content || r.with_content;
    end loop;
  end if;

  -- One notification for the whole group. NOTIFY is transactional, and commits that notify
  -- take turns in PostgreSQL, so one per group rather than one per message.
  if fanned > 0 then
    perform pg_notify(channel, '');
  end if;

  -- An existing or replayed message answers with its own row, looked up by its key (the lateral
  -- join: see this migration's header).
  return query
    select o.n, o.outcome, o.ref, coalesce(m.app_id, o.app), m.event_type, m.event_id, m.payload, m.channels, m.tags,
           m.created_at, o.deliveries, o.status, o.body, o.with_content
      from unnest(o_n, o_outcome, o_app, o_ref, o_deliveries, o_status, o_body, o_with_content)
           as o(n, outcome, app, ref, deliveries, status, body, with_content)
      left join lateral (select x.* from hookyard.message x
                          where x.id = o.ref and o.outcome in ('existing', 'replayed') limit 1) m on true;
end
$$;
