-- The claim's scan may start partway down the queue.
-- Every claim walks the due rows in next_attempt_at order and skips the endpoints the worker has no
-- room for. An endpoint that hangs keeps its backlog at the head of the queue, so each claim walked
-- past all of it: with 20,000 due rows of 8 hanging endpoints, the scan took 10-20 ms instead of
-- 0.5 ms, and healthy endpoints got 0.59 of their throughput. The worker now passes the point its
-- last scan reached where every earlier due row belonged to an endpoint it skips (see
-- src/delivery/scan-start.ts), and scans from the start again when that may no longer hold.
--
-- A new overload: the two-argument function of migration 002 stays for workers of the previous
-- version during a rolling upgrade. Creating a function locks no table.
create function hookyard.delivery_due_lock(max_rows integer, skip_endpoints text[], due_from timestamptz)
returns table (id bigint, endpoint_id text, next_attempt_at timestamptz)
language sql volatile
set enable_bitmapscan = off
set enable_seqscan = off
as $$
  select d.id, d.endpoint_id, d.next_attempt_at
    from hookyard.delivery d
   where d.state in ('pending', 'sending')
     and d.next_attempt_at >= coalesce(due_from, '-infinity') and d.next_attempt_at <= now()
     and d.endpoint_id <> all (skip_endpoints)
   order by d.next_attempt_at
   limit max_rows
   for update skip locked
$$;
