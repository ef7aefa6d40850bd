-- Live updates for the console and the app portal (src/live/, docs/console.md#live-updates).
--
-- Writers tell the processes that serve event streams what changed: NOTIFY on channel
-- `hookyard_live`, in the writer's own transaction (so a listener hears of a row only once it is
-- committed and readable), one per statement, carrying ids, states and application ids only,
-- never payloads, bodies, headers or secrets. Payload: {"k": kind, "r": [item, ...]}; an item
-- names its application as "app" (a source request: its source as "src"), so that the server can
-- give an app portal stream the items of its own application and nothing else.
--
-- A NOTIFY is not free: a transaction that notified takes PostgreSQL's notify lock at commit and
-- holds it until its commit is flushed, so notifying commits take turns with every other one (the
-- publish path's NOTIFY included). So writers notify only while some process serves a stream:
-- such a process keeps a row in live_listener, renewed while it has streams (`until` a minute
-- ahead; one left by a process that died lapses by itself). With no console open, what a write
-- pays is one look at this tiny table per statement.
--
-- Where the notifications come from:
--   attempt         delivery results: a statement-level trigger on hookyard.delivery, sharing the
--                   transition tables that delivery_results_health (013) already captures
--   message         the publish statement itself (src/message/sql.ts wraps message_publish)
--   source-request  a statement-level trigger on hookyard.inbound_request inserts
--   task            a row trigger on hookyard.background_task (rare, small)
--   endpoint        row triggers on hookyard.endpoint: created, deleted, changed (updated_at moves) or
--                   disabled/enabled; the health counters' updates (013) fire nothing
create table hookyard.live_listener (
  id     text collate "C" primary key,
  until  timestamptz not null
);

-- NOTIFYs `items` (a jsonb array) as few notifications as fit: a notification holds at most 8000
-- bytes, so a large batch goes as several, each under 7,800 bytes. Identical notifications of one
-- transaction arrive once (PostgreSQL folds them), which is what a listener wants anyway.
create function hookyard.live_notify(kind text, items jsonb) returns boolean
language plpgsql volatile as $$
declare
  item text;
  chunk text := '';
  head text := '{"k":' || to_json(kind)::text || ',"r":[';
begin
  if items is null or jsonb_array_length(items) = 0 then
    return true;
  end if;
  for item in select value::text from jsonb_array_elements(items) loop
    if chunk <> '' and octet_length(head) + octet_length(chunk) + octet_length(item) + 3 > 7800 then
      perform pg_notify('hookyard_live', head || chunk || ']}');
      chunk := '';
    end if;
    chunk := case when chunk = '' then item else chunk || ',' || item end;
  end loop;
  perform pg_notify('hookyard_live', head || chunk || ']}');
  return true;
end
$$;

-- Delivery results: a row that leaves `sending` with its claimed attempt_count kept had an attempt
-- made (a release or a skip gives the count back). Claims, releases and the health trigger's own
-- updates pay the listener check only.
create function hookyard.live_delivery_results() returns trigger
language plpgsql volatile as $$
begin
  if not exists (select 1 from hookyard.live_listener where until > now()) then
    return null;
  end if;
  perform hookyard.live_notify('attempt', (
    select jsonb_agg(jsonb_build_object('app', e.app_id, 'ep', n.endpoint_id, 'msg', n.message_id, 'state', n.state) order by n.id)
      from new_rows n join old_rows o on o.id = n.id
      left join hookyard.endpoint e on e.id = n.endpoint_id
     where o.state = 'sending' and n.state <> 'sending' and n.attempt_count = o.attempt_count));
  return null;
end
$$;

create trigger delivery_results_live
  after update on hookyard.delivery
  referencing old table as old_rows new table as new_rows
  for each statement execute function hookyard.live_delivery_results();

-- Received webhooks' log rows, accepted or rejected (written in batches by src/inbound/).
create function hookyard.live_inbound_requests() returns trigger
language plpgsql volatile as $$
begin
  if not exists (select 1 from hookyard.live_listener where until > now()) then
    return null;
  end if;
  perform hookyard.live_notify('source-request', (
    select jsonb_agg(jsonb_build_object('src', n.source_id, 'id', n.id, 'outcome', n.outcome, 'msg', n.message_id) order by n.id)
      from new_rows n));
  return null;
end
$$;

create trigger inbound_request_live
  after insert on hookyard.inbound_request
  referencing new table as new_rows
  for each statement execute function hookyard.live_inbound_requests();

-- A background task's progress (one row per step). An error text is cut short: it is for display.
create function hookyard.live_task() returns trigger
language plpgsql volatile as $$
begin
  if not exists (select 1 from hookyard.live_listener where until > now()) then
    return null;
  end if;
  perform hookyard.live_notify('task', jsonb_build_array(jsonb_build_object(
    'app', new.app_id, 'ep', new.endpoint_id, 'id', new.id, 'task', new.task, 'status', new.status,
    'queued', coalesce((new.data ->> 'queued')::int, 0), 'error', left(new.data ->> 'error', 200))));
  return null;
end
$$;

create trigger background_task_live
  after insert or update on hookyard.background_task
  for each row execute function hookyard.live_task();

create function hookyard.live_endpoint() returns trigger
language plpgsql volatile as $$
declare
  r record;
begin
  if not exists (select 1 from hookyard.live_listener where until > now()) then
    return null;
  end if;
  if tg_op = 'DELETE' then r := old; else r := new; end if;
  perform hookyard.live_notify('endpoint', jsonb_build_array(jsonb_build_object(
    'app', r.app_id, 'ep', r.id, 'op', lower(tg_op), 'disabled', r.disabled)));
  return null;
end
$$;

create trigger endpoint_live_change
  after update on hookyard.endpoint
  for each row when (old.disabled is distinct from new.disabled or old.updated_at is distinct from new.updated_at)
  execute function hookyard.live_endpoint();

create trigger endpoint_live_create_delete
  after insert or delete on hookyard.endpoint
  for each row execute function hookyard.live_endpoint();
