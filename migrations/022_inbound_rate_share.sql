-- The receive path's rate limits across API processes (src/inbound/rate-share.ts). Each process
-- counts in memory and, about once a second, adds what it admitted per limit key (`*` global,
-- `ip:<address>`, `src:<source id>`) to its own row for the current minute, and reads what the
-- other processes' rows say, in one statement; it then enforces its own counts plus theirs. No
-- query runs per request. Only PostgreSQL servers with several API processes write here: PGlite
-- is one process, and its limits stay in memory.
--
-- Unlogged: the counts are worth a couple of minutes and are rebuilt by the next syncs, so a crash
-- that empties the table only forgets the last minute's counts (the limits are briefly looser).
-- Keyed by (minute, key, process): each process upserts only its own rows, so processes never wait
-- for each other's locks when adding; old minutes are a range of the key to delete.
create unlogged table hookyard.inbound_rate (
  minute      bigint not null,
  key         text collate "C" not null,
  process     text collate "C" not null,
  n           bigint not null,
  updated_at  timestamptz not null,
  primary key (minute, key, process)
);

-- Each sync reads only the rows changed since its previous one (a few seconds back), not every
-- key of the last two minutes.
create index inbound_rate_updated on hookyard.inbound_rate (updated_at);
