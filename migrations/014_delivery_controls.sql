-- Delivery controls per endpoint (issue 13), enforced by the claim across every worker on the
-- database: `rate_limit` (deliveries per second, Svix's rateLimit/throttleRate: stored since 001,
-- ignored until now), `max_in_flight` (leases at once, lowering the worker's per-endpoint share;
-- 1 for receivers that take one request at a time) and `fifo` (attempted in delivery order, one at
-- a time; a delivery waiting for a retry holds the later ones of its endpoint only). Plain columns,
-- constant defaults: adding them rewrites nothing and takes a brief lock on hookyard.endpoint.
alter table hookyard.endpoint add column max_in_flight integer;
alter table hookyard.endpoint add column fifo boolean not null default false;

-- Svix's deliverAt: the message's deliveries are due at this time, not at publish.
alter table hookyard.message add column deliver_at timestamptz;

-- One row per controlled endpoint, written by claims only. `next_at` is the rate limit's state (the
-- theoretical arrival time of GCRA: the next delivery is due then, and a burst may run ahead of it
-- by burst - 1 steps). The row lock is also how claims of different workers take turns for one
-- endpoint, so that each counts the leases the other has just taken. Its own table, so that claims
-- never lock endpoint rows that the API and the write-back update.
create table hookyard.endpoint_flow (
  endpoint_id  text primary key references hookyard.endpoint (id) on delete cascade,
  next_at      timestamptz not null default '-infinity'
);

-- The open deliveries of an endpoint by state: its live leases (max_in_flight) and its oldest open
-- delivery (fifo), each a short range scan instead of a walk of the endpoint's history.
create index delivery_endpoint_open on hookyard.delivery (endpoint_id, state, id) where state in ('pending', 'sending');

-- What the claim may take of each controlled endpoint among its candidates. Called once per claim
-- with the candidate endpoints, how many rows of each the claim would take (`wanted`, within the
-- worker's own room) and the lowest candidate id of each. Endpoints without rate_limit,
-- max_in_flight or fifo are not answered: the worker's room alone applies to them.
--
-- Volatile plpgsql on purpose: each statement below takes a fresh snapshot, so the leases counted
-- after the endpoint_flow row lock is granted include those of a claim that held it and committed.
-- Rows are locked in endpoint id order, so two claims cannot deadlock on them. `wait_ms` says how
-- long until the endpoint may get more (the rate limit's next step, or a fifo head's retry), null
-- when it waits for a lease to end; it is null too when nothing held the endpoint back.
create function hookyard.endpoint_room(endpoint_ids text[], wanted integer[], first_ids bigint[])
returns table (endpoint_id text, room integer, head bigint, wait_ms double precision)
language plpgsql volatile as $$
declare
  e record;
  live integer;
  tat timestamptz;
  step interval;
  burst integer;
  tokens integer;
  head_state hookyard.delivery_state;
  head_due timestamptz;
begin
  for e in
    select x.id, x.rate_limit, x.max_in_flight, x.fifo, w.n, w.first_id
      from unnest(endpoint_ids, wanted, first_ids) as w (id, n, first_id)
      join hookyard.endpoint x on x.id = w.id
     where x.rate_limit is not null or x.max_in_flight is not null or x.fifo
     order by x.id
  loop
    insert into hookyard.endpoint_flow as f (endpoint_id) values (e.id)
      on conflict on constraint endpoint_flow_pkey do update set endpoint_id = f.endpoint_id
      returning f.next_at into tat;
    endpoint_id := e.id;
    room := e.n;
    head := null;
    wait_ms := null;
    if e.max_in_flight is not null or e.fifo then
      select count(*)::int into live from hookyard.delivery d
       where d.endpoint_id = e.id and d.state = 'sending' and d.next_attempt_at > now();
      room := least(room, greatest(0, coalesce(e.max_in_flight, room) - live));
    end if;
    if e.fifo then
      select d.id, d.state, d.next_attempt_at into head, head_state, head_due from hookyard.delivery d
       where d.endpoint_id = e.id and d.state in ('pending', 'sending') order by d.id limit 1;
      if live > 0 then
        room := 0;
      elsif head is distinct from e.first_id then
        -- The oldest open delivery is not among the candidates: not due yet (a retry), or locked by
        -- another claim's scan. Nothing else of this endpoint may go before it.
        room := 0;
        if head_state = 'pending' and head_due > now() then wait_ms := extract(epoch from head_due - now()) * 1000; end if;
      else
        room := least(room, 1);
      end if;
    end if;
    if e.rate_limit is not null then
      -- GCRA: each delivery takes one step of 1/rate s; a burst of a tenth of a second's worth (at
      -- least one) may run ahead of the schedule, so a high rate is still claimed in batches. A
      -- claim that comes a little late (up to half a step, at most 25 ms) keeps the schedule rather
      -- than restarting it from now, so wake-up latency does not slow the rate down.
      step := interval '1 second' / e.rate_limit;
      burst := greatest(1, ceil(e.rate_limit / 10.0)::int);
      tat := greatest(tat, now() - least(step / 2, interval '25 milliseconds'));
      tokens := greatest(0, floor(extract(epoch from now() + step * burst - tat) / extract(epoch from step) + 0.001)::int);
      if tokens < room then
        room := tokens;
        -- When the step after the last one taken here comes within the burst.
        wait_ms := greatest(0, extract(epoch from tat + step * (room + 1 - burst) - now()) * 1000);
      end if;
      if room > 0 then
        update hookyard.endpoint_flow f set next_at = tat + step * room where f.endpoint_id = e.id;
      end if;
    end if;
    if room >= e.n then wait_ms := null; end if;
    return next;
  end loop;
end
$$;
