-- The dashboard's latency histograms as one row per minute (issue 14: stats well under a second
-- with a million attempts a day, on PGlite too).
--
-- Until now each latency bucket was its own rollup_minute row (metric 'delivery.latency', key =
-- bucket): with latencies spread over 20 buckets, three quarters of a day's rollup rows were
-- histogram buckets, and a wide spread (up to 81 buckets) would make it 117,000 rows a day for the
-- stats to read. Here a minute's histogram is one array of counts (index = bucket + 1), so a day is
-- at most 1,440 histogram rows, whatever the spread. The flush adds arrays element by element
-- (hookyard.counts_add) in the same upsert it already makes, one row per minute and metric.
--
-- The existing bucket rows move into arrays and leave rollup_minute. Both tables are small (a few
-- rows per minute, kept a month by the console cleanup, src/console/cleanup.ts); the move takes
-- the usual row locks on rollup_minute only, for the time of the migration's transaction.

-- Element-wise sum; the shorter array counts as zeros beyond its end.
create function hookyard.counts_add(a int8[], b int8[]) returns int8[]
language sql immutable parallel safe as $$
  select coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) order by i), '{}') from unnest(a, b) with ordinality as u(x, y, i)
$$;

create table hookyard.rollup_histogram (
  minute timestamptz not null,
  metric text collate "C" not null,
  counts int8[] not null,
  primary key (minute, metric)
);

insert into hookyard.rollup_histogram (minute, metric, counts)
select m.minute, m.metric, array_agg(coalesce(r.value, 0) order by b.bucket)
  from (select distinct minute, metric from hookyard.rollup_minute where metric = 'delivery.latency') as m
 cross join generate_series(0, 80) as b(bucket)
  left join hookyard.rollup_minute r on r.minute = m.minute and r.metric = m.metric and r.key = b.bucket::text
 group by m.minute, m.metric;

delete from hookyard.rollup_minute where metric = 'delivery.latency';
