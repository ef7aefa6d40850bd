import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HookyardError } from '../errors.js';
import { migrate, migrationsLoad } from './migrate.js';
import { openPostgres } from './postgres.js';
import { storageKinds, testDatabase } from '../test/storages.js';

for (const kind of storageKinds()) {
  describe(`migrations [${kind}]`, () => {
    test('concurrent starts apply each migration exactly once', async () => {
      const db = await testDatabase(kind, { migrated: false });
      try {
        // On PostgreSQL, separate pools race like separate processes; PGlite is one process by nature.
        const storages = db.url ? await Promise.all([1, 2, 3, 4].map(() => openPostgres({ connectionString: db.url!, max: 2 }))) : [db.storage, db.storage, db.storage];
        const results = await Promise.all(storages.map((s) => migrate(s)));
        const latest = (await migrationsLoad()).length;
        assert.equal(results.flatMap((r) => r.applied).length, latest, 'every migration applied once in total');
        assert.equal(results.filter((r) => r.applied.length > 0).length, 1, 'one process did the work');
        const { rows } = await db.storage.query<{ n: number }>('select count(*)::int as n from hookyard.migration');
        assert.equal(rows[0]!.n, latest);
        if (db.url) await Promise.all(storages.map((s) => s.close()));
      } finally {
        await db.close();
      }
    });

    test('a database newer than the code is refused with a clear message', async () => {
      const db = await testDatabase(kind);
      try {
        await db.storage.query(`insert into hookyard.migration (id, name) values (999, 'from_the_future')`);
        await assert.rejects(migrate(db.storage), (e: HookyardError) => e.code === 'database_too_new' && /999/.test(e.message) && /upgrade Hookyard/.test(e.message));
      } finally {
        await db.close();
      }
    });
  });
}
