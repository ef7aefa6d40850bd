-- Delivery engine.
-- A resend or recover queues a manual attempt: `trigger` is copied onto the
-- attempt it causes; `one_shot` means "do not retry after it" (the delivery
-- had already finished, so the retry schedule is not restarted).
alter table hookyard.delivery add column trigger text not null default 'scheduled';
alter table hookyard.delivery add column one_shot boolean not null default false;

-- recover: the unsuccessful deliveries of one endpoint in a time range.
create index delivery_endpoint_unsuccessful on hookyard.delivery (endpoint_id, created_at) where state in ('failed', 'cancelled');

-- The claim's scan: the oldest due live rows, locked, skipping rows other workers hold.
-- The plan must be an ordered walk of delivery_due that stops at the limit. With statistics
-- from before a burst, the planner expects a few due rows and instead bitmap-scans and sorts
-- every due row; the settings below rule that out for this one query only.
create function hookyard.delivery_due_lock(max_rows integer, skip_endpoints text[])
returns table (id bigint, endpoint_id text, next_attempt_at timestamptz)
language sql volatile
set enable_bitmapscan = off
set enable_seqscan = off
as $$
  select d.id, d.endpoint_id, d.next_attempt_at
    from hookyard.delivery d
   where d.state in ('pending', 'sending') and d.next_attempt_at <= now()
     and d.endpoint_id <> all (skip_endpoints)
   order by d.next_attempt_at
   limit max_rows
   for update skip locked
$$;
