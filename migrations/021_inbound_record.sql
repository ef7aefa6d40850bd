-- The receive path's record, faster (issue 12's benchmark target), as one function: the statement
-- of src/inbound/record.ts moves here, so that its plans are cached per connection instead of
-- planned per group, and it changes in three ways.
--
-- 1. The payload is parsed once. The caller sends the messages in `hookyard.message_publish`'s
--    own input shape (`messages`) and the rest of each request (its source, its log row) apart
--    (`events`, small). When every source is as the request saw it and no event type of the
--    group's names exists (the usual case: a provider's event names are rarely declared), the
--    messages go to message_publish as they came; before, their JSON was read, rebuilt with each
--    event type's version, and read again, three passes over every payload.
-- 2. Sources are locked FOR SHARE, not FOR NO KEY UPDATE, and the statistics move to their own
--    table, one row per source and connection slot: two groups of one busy source ran one after
--    the other on the source row's lock; now they overlap. A rotate, disable or update still
--    waits for the groups that hold the lock, and they for it, so a group forwards only with the
--    key and settings it was verified with. The old columns keep the counts made before this
--    migration; the statistics are their sum with the new rows (src/inbound/sql.ts).
-- 3. A request is checked against the source as it is now: `gone` (deleted, or the key rotated),
--    `disabled`, or `changed` (updated since the request looked it up: its verification used old
--    settings, so the caller looks again and verifies once more). So a cache of sources in
--    another process can never forward with an old key, an old secret, or to a disabled source.
--
-- `messages` (json, read once by message_publish): n, unit, app, id, event_type, event_id,
--   payload, created_at, as message_publish takes them (its header, migration 008/019).
-- `events` (json): n, source_id, token_hash, source_version (the source's updated_at as the
--   request saw it, in µs since the epoch), and the log row: log_id, id (the message), event_type,
--   created_at, client_ip, user_agent, headers, size, duration_ms, content_type.
-- Outcomes per n: message_publish's (created, existing, stale) or gone | disabled | changed.
create table hookyard.inbound_source_count (
  source_id     text collate "C" not null references hookyard.inbound_source (id) on delete cascade,
  -- The connection's slot (its backend pid modulo 16): concurrent groups rarely share a row.
  slot          integer not null,
  events        bigint not null default 0,
  last_event_at timestamptz,
  primary key (source_id, slot)
);

-- The version a request compares: updated_at in µs since the epoch (exact, unlike a JS Date).
create function hookyard.inbound_source_version(at timestamptz) returns bigint
language sql immutable as $$ select (extract(epoch from at) * 1000000)::bigint $$;

create function hookyard.inbound_record(messages json, events json, channel text)
returns table (n integer, outcome text, id text, deliveries integer)
language plpgsql volatile as $$
#variable_conflict use_column
declare
  refused_n integer[];
  refused_why text[];
  typed boolean;
  input json := messages;
begin
  -- Sources in id order, so that groups naming several sources cannot deadlock.
  perform 1 from hookyard.inbound_source s
    where s.id in (select e.source_id from json_to_recordset(events) as e(source_id text))
    order by s.id for share;

  select coalesce(array_agg(e.n), '{}'),
         coalesce(array_agg(case when s.id is null or s.token_hash <> e.token_hash then 'gone'
                                 when s.disabled then 'disabled' else 'changed' end), '{}')
    into refused_n, refused_why
    from json_to_recordset(events) as e(n integer, source_id text, token_hash text, source_version bigint)
    left join hookyard.inbound_source s on s.id = e.source_id
   where s.id is null or s.token_hash <> e.token_hash or s.disabled
      or hookyard.inbound_source_version(s.updated_at) <> e.source_version;

  select exists (select 1 from hookyard.event_type t
                  where t.name in (select e.event_type from json_to_recordset(events) as e(event_type text)))
    into typed;

  -- The unusual case: some are refused, or an event type is declared (a payload is never refused
  -- by its schema: the version read here is the one message_publish checks).
  if cardinality(refused_n) > 0 or typed then
    select coalesce(json_agg(json_build_object(
             'n', m.n, 'unit', m.unit, 'app', m.app, 'id', m.id, 'event_type', m.event_type, 'event_id', m.event_id,
             'payload', m.payload, 'created_at', m.created_at,
             'event_type_version', (select hookyard.event_type_version(t.updated_at) from hookyard.event_type t where t.name = m.event_type))),
           '[]'::json)
      into input
      from json_to_recordset(messages) as m(n integer, unit integer, app text, id text, event_type text, event_id text, payload text, created_at timestamptz)
     where m.n <> all (refused_n);
  end if;

  return query
    with e as (
      select e.* from json_to_recordset(events) as e(
        n integer, source_id text, log_id text, id text, event_type text, created_at timestamptz,
        client_ip text, user_agent text, headers jsonb, size integer, duration_ms real, content_type text)
    ), pub as (
      select p.n, p.outcome, p.id, p.deliveries from hookyard.message_publish(input, channel, 0, 60000) p
    ), logged as (
      insert into hookyard.inbound_request
        (id, source_id, received_at, outcome, reason, status, client_ip, user_agent, headers, size, duration_ms, message_id, event_type, content_type)
      select e.log_id, e.source_id, e.created_at,
             case p.outcome when 'created' then 'accepted' else 'duplicate' end,
             case p.outcome when 'created' then null else 'duplicate' end,
             200, e.client_ip, e.user_agent, coalesce(e.headers, '{}'::jsonb), e.size, e.duration_ms, p.id, e.event_type,
             case p.outcome when 'created' then e.content_type end
        from e join pub p on p.n = e.n
       where p.outcome in ('created', 'existing')
    ), counted as (
      insert into hookyard.inbound_source_count as c (source_id, slot, events, last_event_at)
      select e.source_id, pg_backend_pid() % 16, count(*), max(e.created_at)
        from e join pub p on p.n = e.n and p.outcome = 'created'
       group by e.source_id
       order by e.source_id
      on conflict (source_id, slot) do update
         set events = c.events + excluded.events, last_event_at = greatest(c.last_event_at, excluded.last_event_at)
    )
    select e.n, coalesce(p.outcome, r.why), p.id, p.deliveries
      from e
      left join pub p on p.n = e.n
      left join unnest(refused_n, refused_why) as r(n, why) on r.n = e.n
     order by e.n;
end
$$;
