-- A worker's lane: its claims and write-backs run one at a time inside
-- PostgreSQL. Run side by side they cost more database CPU per delivery (both
-- touch the same recent heap and index pages); run one after another from the
-- worker, each waited out a round trip and the worker's busy event loop before
-- the next could start. Each statement's first step now waits for its worker's
-- lane, a transaction-level advisory lock that the commit releases, so the next
-- statement is already at the server when the previous one ends.
--
-- Statements call it as `where (select hookyard.lane_enter($n))`: as an
-- uncorrelated subquery it becomes a one-time filter, checked before the scan
-- under it starts. A null lane waits for nothing.
create function hookyard.lane_enter(lane integer) returns boolean
language plpgsql volatile as $$
begin
  if lane is not null then
    -- The first key is fixed for Hookyard ('hkyd'); the second is the worker's own.
    perform pg_advisory_xact_lock(1751873892, lane);
  end if;
  return true;
end
$$;
