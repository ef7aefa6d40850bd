-- An accepted request that was not verified says so in the request log: its reason is
-- `unverified` (a source whose type verifies nothing, such as generic-webhook, or a GitHub source
-- with no secret), where a verified one's is null. The receive answer said it already
-- (`"verified": false`); the log, which is what an operator reads, did not. `events` gains one
-- field, `verified` (absent: verified, as before this migration). Everything else is migration
-- 021's function, unchanged.

create or replace function hookyard.inbound_record(messages json, events json, channel text)
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
        client_ip text, user_agent text, headers jsonb, size integer, duration_ms real, content_type text,
        verified boolean)
    ), pub as (
      select p.n, p.outcome, p.id, p.deliveries from hookyard.message_publish(input, channel, 0, 60000) p
    ), logged as (
      insert into hookyard.inbound_request
        (id, source_id, received_at, outcome, reason, status, client_ip, user_agent, headers, size, duration_ms, message_id, event_type, content_type)
      select e.log_id, e.source_id, e.created_at,
             case p.outcome when 'created' then 'accepted' else 'duplicate' end,
             case when p.outcome <> 'created' then 'duplicate' when e.verified is false then 'unverified' end,
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
