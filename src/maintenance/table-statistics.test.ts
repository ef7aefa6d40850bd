import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { tablesDue, tableStatisticsPass, type TableSize } from './table-statistics.js';

const size = (table: string, analyzedPages: number, pages: number, analyzed = true): TableSize => ({ table, analyzedPages, analyzed, pages });

test('tablesDue: tables that moved by more than the share, or were never analyzed, once they are not tiny', () => {
  const sizes = [
    size('never', 0, 40, false),
    size('tiny-never', 0, 3, false),
    size('grown', 100, 121),
    size('steady', 100, 119),
    size('shrunk', 100, 40),
    size('was-empty', 0, 9),
  ];
  assert.deepEqual(tablesDue(sizes), ['never', 'grown', 'shrunk', 'was-empty']);
  assert.deepEqual(tablesDue(sizes, { changeShare: 0.5, minPages: 50 }), []);
  assert.deepEqual(tablesDue(sizes, { changeShare: 0.5, minPages: 10 }), ['never', 'shrunk']);
});

describeEachStorage('table statistics pass', (env) => {
  test('a table that grew is vacuumed and analyzed, so its statistics count its rows; then nothing is due', async () => {
    const { storage, hookyard } = env();
    const app = await hookyard.applications.create({ name: 'stats' });
    await storage.query(
      `insert into hookyard.message (id, app_id, event_type, payload)
       select 'msg_stats_' || g, $1, 'x', repeat('y', 200) from generate_series(1, 3000) g`,
      [app.id],
    );
    const done = await tableStatisticsPass(storage);
    assert.ok(done.includes('message'), `message among the tables done: ${done.join(', ')}`);
    const { rows } = await storage.query<{ reltuples: number }>(`select reltuples::float8 as reltuples from pg_class where oid = 'hookyard.message'::regclass`);
    assert.ok(rows[0]!.reltuples >= 2_500, `the statistics count the rows (${rows[0]!.reltuples})`);
    assert.deepEqual(await tableStatisticsPass(storage), [], 'nothing has changed since');
  });
});
