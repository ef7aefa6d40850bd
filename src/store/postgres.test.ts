import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openPostgres } from './postgres.js';
import { storageKinds, testDatabase } from '../test/storages.js';

if (storageKinds().includes('postgres')) {
  describe('postgres adapter', () => {
    test('prepared statements on and off give the same results, in and out of transactions', async () => {
      const db = await testDatabase('postgres');
      try {
        for (const prepare of [true, false]) {
          const storage = await openPostgres({ connectionString: db.url!, max: 2, prepare });
          try {
            // Repeated, so a prepared statement is reused on a connection (and planned generically).
            for (let i = 0; i < 7; i++) {
              const { rows } = await storage.query<{ n: number; s: string }>('select $1::int + 1 as n, $2::text as s', [i, `v${i}`]);
              assert.deepEqual(rows, [{ n: i + 1, s: `v${i}` }]);
            }
            const inTx = await storage.transaction((tx) => tx.query<{ n: number }>('select $1::int * 2 as n', [21]));
            assert.equal(inTx.rows[0]!.n, 42);
            // Statements without parameters are never named.
            assert.equal((await storage.query<{ one: number }>('select 1 as one')).rows[0]!.one, 1);
          } finally {
            await storage.close();
          }
        }
      } finally {
        await db.close();
      }
    });
  });
}
