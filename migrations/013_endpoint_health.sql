-- Endpoint health (issue 13): counters kept by the database as results are written, automatic
-- disabling, parking of a disabled endpoint's deliveries, and operational webhooks.
--
-- Why a trigger: every path that writes an attempt's result (the worker's group-commit write-back,
-- from any worker version) goes through one UPDATE of hookyard.delivery. A statement-level trigger
-- with transition tables sees each statement's results once, in the same transaction, so the
-- counters, the disabling and the operational events it causes commit or roll back with the result
-- itself: none is lost, none is invented, and the write-back statement stays as it was.
--
-- Counting (docs/delivery.md): a delivery that fails for good on its schedule (retries used up, or a
-- 410) counts one; any successful attempt to the endpoint resets the count. `fail_since` is the
-- first failed attempt since the last success; the periodic health pass (src/maintenance/) disables
-- an endpoint whose fail_since is older than the configured duration.

alter table hookyard.endpoint add column failure_threshold integer;
alter table hookyard.endpoint add column consecutive_failures integer not null default 0;
alter table hookyard.endpoint add column fail_since timestamptz;
alter table hookyard.endpoint add column last_success_at timestamptz;
alter table hookyard.endpoint add column last_failure_at timestamptz;
alter table hookyard.endpoint add column disabled_at timestamptz;

-- The health pass: endpoints failing without a success, oldest first. Small (failing endpoints only).
create index endpoint_failing on hookyard.endpoint (fail_since) where fail_since is not null and not disabled;

-- The server-wide threshold, one row, written by openHookyard from its option (src/config/defaults.ts
-- has the default; 50 here only until the first open).
create table hookyard.endpoint_health_setting (
  id                 boolean primary key default true check (id),
  failure_threshold  integer not null
);
insert into hookyard.endpoint_health_setting (failure_threshold) values (50);

-- Ids made by the database for operational messages: the same shape as src/ids/id.ts (48 bits of
-- milliseconds, then 112 random bits, base62 at width 27), so they sort by time with the others.
-- random() is enough: ids are not secrets.
create function hookyard.id_new(prefix text, at timestamptz) returns text
language plpgsql volatile as $$
declare
  alphabet constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  n numeric := floor(extract(epoch from at) * 1000);
  digits text := '';
begin
  for i in 1..4 loop
    n := n * 268435456 + floor(random() * 268435456); -- 4 x 28 random bits
  end loop;
  for i in 1..27 loop
    digits := substr(alphabet, (n % 62)::integer + 1, 1) || digits;
    n := floor(n / 62);
  end loop;
  return prefix || '_' || digits;
end
$$;

-- Operational webhooks go to the endpoints of one internal application, created with the first
-- operational endpoint (src/operational/) and hidden from the application routes. Its messages and
-- deliveries are ordinary rows, so the same engine signs, sends, retries and cleans them.
-- An event no operational endpoint wants is not stored. Disabled operational endpoints get a
-- parked delivery, as ordinary ones do.
create function hookyard.operational_emit(event_type text, data jsonb, at timestamptz) returns void
language plpgsql volatile as $$
declare
  msg text;
begin
  if not exists (select 1 from hookyard.endpoint e
                  where e.app_id = 'app_hookyard_operational'
                    and (e.filter_types is null or operational_emit.event_type = any (e.filter_types))) then
    return;
  end if;
  msg := hookyard.id_new('msg', at);
  insert into hookyard.message (id, app_id, event_type, payload, created_at)
  values (msg, 'app_hookyard_operational', operational_emit.event_type,
          jsonb_build_object('type', operational_emit.event_type, 'data', data)::text, at);
  insert into hookyard.delivery (message_id, endpoint_id, next_attempt_at)
  select msg, e.id, case when e.disabled then 'infinity'::timestamptz else now() end
    from hookyard.endpoint e
   where e.app_id = 'app_hookyard_operational'
     and (e.filter_types is null or operational_emit.event_type = any (e.filter_types));
  perform pg_notify('hookyard_delivery', '');
end
$$;

-- Svix's EndpointCreatedEventData and its siblings: the ids of the endpoint and its application.
create function hookyard.endpoint_event_data(endpoint_id text) returns jsonb
language sql stable as $$
  select jsonb_build_object('appId', a.id, 'appUid', a.uid, 'endpointId', e.id, 'endpointUid', e.uid)
    from hookyard.endpoint e join hookyard.application a on a.id = e.app_id
   where e.id = endpoint_event_data.endpoint_id
$$;

-- An endpoint event, unless the endpoint is an operational one (Svix does not report those).
create function hookyard.endpoint_emit(event_type text, endpoint_id text, at timestamptz, extra jsonb default '{}') returns void
language plpgsql volatile as $$
begin
  if exists (select 1 from hookyard.endpoint e where e.id = endpoint_emit.endpoint_id and e.app_id <> 'app_hookyard_operational') then
    perform hookyard.operational_emit(event_type, hookyard.endpoint_event_data(endpoint_emit.endpoint_id) || extra, at);
  end if;
end
$$;

-- Disables an endpoint that is enabled: records when and why, parks its pending deliveries (due at
-- 'infinity', which no claim reaches; re-enabling makes them due again) and emits endpoint.disabled.
-- Returns false when it was disabled already, so callers (the trigger, the pass, 410s, the API) may
-- all call it without checking first.
create function hookyard.endpoint_disable(endpoint_id text, at timestamptz, reason text, by_trigger text) returns boolean
language plpgsql volatile as $$
declare
  failing timestamptz;
begin
  update hookyard.endpoint e
     set disabled = true, disabled_reason = reason, disabled_at = at, updated_at = now()
   where e.id = endpoint_disable.endpoint_id and not e.disabled
  returning e.fail_since into failing;
  if not found then
    return false;
  end if;
  update hookyard.delivery d set next_attempt_at = 'infinity', updated_at = now()
   where d.endpoint_id = endpoint_disable.endpoint_id and d.state = 'pending' and d.next_attempt_at <> 'infinity';
  perform hookyard.endpoint_emit('endpoint.disabled', endpoint_disable.endpoint_id, at,
                                 jsonb_build_object('failSince', failing, 'trigger', by_trigger));
  return true;
end
$$;

-- Enables a disabled endpoint: the counters start again, its parked deliveries are due now, and
-- endpoint.enabled is emitted. Returns false when it was enabled already.
create function hookyard.endpoint_enable(endpoint_id text, at timestamptz) returns boolean
language plpgsql volatile as $$
begin
  update hookyard.endpoint e
     set disabled = false, disabled_reason = null, disabled_at = null, consecutive_failures = 0, fail_since = null, updated_at = now()
   where e.id = endpoint_enable.endpoint_id and e.disabled;
  if not found then
    return false;
  end if;
  update hookyard.delivery d set next_attempt_at = now(), updated_at = now()
   where d.endpoint_id = endpoint_enable.endpoint_id and d.state = 'pending' and d.next_attempt_at = 'infinity';
  perform pg_notify('hookyard_delivery', '');
  perform hookyard.endpoint_emit('endpoint.enabled', endpoint_enable.endpoint_id, at);
  return true;
end
$$;

-- After each UPDATE statement on hookyard.delivery: the results it wrote (a row leaving `sending`
-- with its claimed attempt_count kept: an attempt was made; a release or a skip gives the count
-- back) update their endpoints' health. Claims, releases, resends and parking cost one empty join.
create function hookyard.delivery_results_health() returns trigger
language plpgsql volatile as $$
declare
  r record;
  threshold integer;
  ops boolean;
  ids text[];
  last_oks timestamptz[];
  last_bads timestamptz[];
  first_bads timestamptz[];
  faileds integer[];
begin
  -- The updates this function makes (parking, below) fire it again, even when they change no row:
  -- those write no results, and returning at once ends the recursion.
  if pg_trigger_depth() > 1 then
    return null;
  end if;

  -- A delivery claimed while its endpoint was being disabled is cancelled by the worker without an
  -- attempt; it is parked instead, so that re-enabling delivers it.
  if exists (select 1 from new_rows n join old_rows o on o.id = n.id where o.state = 'sending' and n.state = 'cancelled') then
    update hookyard.delivery d set state = 'pending', next_attempt_at = 'infinity', updated_at = now()
      from new_rows n join old_rows o on o.id = n.id
      join hookyard.endpoint e on e.id = n.endpoint_id
     where d.id = n.id and o.state = 'sending' and n.state = 'cancelled' and e.disabled
       and n.attempt_count < o.attempt_count;
  end if;

  if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                  where o.state = 'sending' and n.state in ('pending', 'succeeded', 'failed') and n.attempt_count = o.attempt_count) then
    return null;
  end if;

  -- Per endpoint: its latest success and failure in this statement, the first failure after that
  -- success, and the deliveries failed for good after it (kept in arrays: a temporary table per
  -- write-back would churn the catalog). Rows are locked in id order first, so two workers writing
  -- results for the same endpoints cannot deadlock. An endpoint that only succeeds and is healthy
  -- already is written at most once a second (last_success_at is kept to the second).
  select coalesce(array_agg(x.endpoint_id order by x.endpoint_id), '{}'), array_agg(x.last_ok order by x.endpoint_id),
         array_agg(x.last_bad order by x.endpoint_id), array_agg(x.first_bad_after order by x.endpoint_id),
         array_agg(x.failed_after order by x.endpoint_id)
    into ids, last_oks, last_bads, first_bads, faileds
    from (
      select y.endpoint_id, y.last_ok, y.last_bad,
             min(y.at) filter (where not y.ok and y.at > coalesce(y.last_ok, '-infinity')) as first_bad_after,
             count(*) filter (where y.exhausted and y.at > coalesce(y.last_ok, '-infinity'))::integer as failed_after
        from (
          select n.endpoint_id, n.last_attempt_at as at, n.state = 'succeeded' as ok,
                 n.state = 'failed' and not o.one_shot as exhausted,
                 max(n.last_attempt_at) filter (where n.state = 'succeeded') over (partition by n.endpoint_id) as last_ok,
                 max(n.last_attempt_at) filter (where n.state <> 'succeeded') over (partition by n.endpoint_id) as last_bad
            from new_rows n join old_rows o on o.id = n.id
           where o.state = 'sending' and n.state in ('pending', 'succeeded', 'failed') and n.attempt_count = o.attempt_count
        ) y
       group by y.endpoint_id, y.last_ok, y.last_bad
    ) x;

  perform 1 from hookyard.endpoint e
    join unnest(ids, last_oks, last_bads) as b(endpoint_id, last_ok, last_bad) on b.endpoint_id = e.id
   where b.last_bad is not null or e.consecutive_failures <> 0 or e.fail_since is not null
      or e.last_success_at is null or e.last_success_at < b.last_ok - interval '1 second'
   order by e.id for update of e;

  update hookyard.endpoint e
     set consecutive_failures = case when b.last_ok is not null then b.failed_after else e.consecutive_failures + b.failed_after end,
         fail_since = case when b.last_ok is not null then b.first_bad_after else coalesce(e.fail_since, b.first_bad_after) end,
         last_success_at = greatest(e.last_success_at, b.last_ok),
         last_failure_at = greatest(e.last_failure_at, b.last_bad)
    from unnest(ids, last_oks, last_bads, first_bads, faileds) as b(endpoint_id, last_ok, last_bad, first_bad_after, failed_after)
   where b.endpoint_id = e.id
     and (b.last_bad is not null or e.consecutive_failures <> 0 or e.fail_since is not null
          or e.last_success_at is null or e.last_success_at < b.last_ok - interval '1 second');

  -- Too many deliveries failed for good in a row: disable (the endpoint's own threshold, else the server's).
  threshold := (select s.failure_threshold from hookyard.endpoint_health_setting s);
  for r in
    select e.id, e.consecutive_failures, coalesce(e.failure_threshold, threshold) as limit_, b.last_bad
      from hookyard.endpoint e
      join unnest(ids, last_bads, faileds) as b(endpoint_id, last_bad, failed_after) on b.endpoint_id = e.id
     where not e.disabled and b.failed_after > 0 and e.consecutive_failures >= coalesce(e.failure_threshold, threshold)
     order by e.id
  loop
    perform hookyard.endpoint_disable(r.id, r.last_bad,
      format('%s deliveries in a row failed (the threshold is %s)', r.consecutive_failures, r.limit_), 'automatic');
  end loop;

  -- Svix's message.attempt.* events, when some operational endpoint exists: failing on a fourth
  -- failed attempt, exhausted when a delivery fails for good on its schedule, recovered on a success
  -- after failing was sent. Not for deliveries to operational endpoints themselves.
  ops := exists (select 1 from hookyard.endpoint e where e.app_id = 'app_hookyard_operational');
  if ops then
    for r in
      select ev.type, n.last_attempt_at as at,
             jsonb_build_object('appId', a.id, 'appUid', a.uid, 'endpointId', e.id, 'msgId', m.id, 'msgEventId', m.event_id,
                                'lastAttempt', jsonb_build_object('id', t.id, 'responseStatusCode', coalesce(t.response_status, 0), 'timestamp', t.created_at)) as data
        from new_rows n join old_rows o on o.id = n.id
        join hookyard.endpoint e on e.id = n.endpoint_id and e.app_id <> 'app_hookyard_operational'
        join hookyard.application a on a.id = e.app_id
        join hookyard.message m on m.id = n.message_id
        cross join lateral (
          select 'message.attempt.failing' as type where n.state <> 'succeeded' and n.attempt_count = 4
          union all select 'message.attempt.exhausted' where n.state = 'failed' and not o.one_shot
          union all select 'message.attempt.recovered' where n.state = 'succeeded' and n.attempt_count > 4
        ) ev
        left join lateral (select x.id, x.response_status, x.created_at from hookyard.attempt x
                            where x.delivery_id = n.id and x.attempt_number = n.attempt_count order by x.id desc limit 1) t on true
       where o.state = 'sending' and n.state in ('pending', 'succeeded', 'failed') and n.attempt_count = o.attempt_count
       order by n.id, ev.type desc
    loop
      perform hookyard.operational_emit(r.type, r.data, r.at);
    end loop;
  end if;
  return null;
end
$$;

create trigger delivery_results_health
  after update on hookyard.delivery
  referencing old table as old_rows new table as new_rows
  for each statement execute function hookyard.delivery_results_health();
