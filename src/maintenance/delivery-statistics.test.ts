import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logCapture } from '../test/log-capture.js';
import type { Storage } from '../store/port.js';
import { describeEachStorage } from '../test/storages.js';
import { deliveryStatistics } from './delivery-statistics.js';

/** The real storage, noting each statement that passes through. */
function recording(storage: Storage): { storage: Storage; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    storage: {
      ...storage,
      capabilities: storage.capabilities,
      kind: storage.kind,
      query: (text: string, params?: unknown[]) => {
        statements.push(text);
        return storage.query(text, params);
      },
    } as Storage,
  };
}

describeEachStorage('delivery table statistics', (env) => {
  test('analyzed after `every` written results (vacuumed too without autovacuum), then at most once per interval with autovacuum', async () => {
    const { storage: real } = env();
    const { storage, statements } = recording(real);
    let now = 0;
    const stats = deliveryStatistics(storage, logCapture().log, { every: 100, analyzeEveryMs: 60_000, now: () => now });
    await stats.written(60);
    assert.deepEqual(statements, []);
    await stats.written(60);
    const expected = real.capabilities.autovacuum ? 'analyze hookyard.delivery' : 'vacuum (analyze) hookyard.delivery';
    assert.deepEqual(statements, [expected]);
    now = 1_000;
    await stats.written(200);
    assert.equal(statements.length, real.capabilities.autovacuum ? 1 : 2, 'PostgreSQL: not again within the minute; PGlite: every 100');
    now = 61_000;
    await stats.written(1);
    assert.equal(statements.length, 2);
    const { rows } = await real.query<{ n: number }>(`select coalesce(analyze_count + autoanalyze_count, 0)::int as n from pg_stat_user_tables where schemaname = 'hookyard' and relname = 'delivery'`);
    assert.ok(rows[0]!.n >= 1, 'the table was analyzed');
  });
});
