import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { messageDeleteExpired } from '../maintenance/retention.js';
import { openPostgres } from '../store/postgres.js';
import type { Storage } from '../store/port.js';
import { endpointFor } from '../test/fixtures.js';
import { scratchDatabaseCreate, type ScratchDatabase } from '../test/scratch-database.js';
import { describeEachStorage, TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';
import { idBoundary } from './id.js';

// Ids sort by creation time only in byte order; migration 006 pins it on every id column.
const ID_COLUMNS = [
  'application.id', 'application.parent_id', 'endpoint.id', 'endpoint.app_id', 'endpoint_secret.endpoint_id',
  'message.id', 'message.app_id', 'delivery.message_id', 'delivery.endpoint_id',
  'attempt.id', 'attempt.message_id', 'attempt.endpoint_id', 'api_token.id', 'idempotency_key.token_id',
];

describeEachStorage('id collation', (env) => {
  test('every id column compares in byte order ("C")', async () => {
    const { rows } = await env().storage.query<{ col: string; collation: string | null }>(
      `select table_name || '.' || column_name as col, collation_name as collation
         from information_schema.columns where table_schema = 'hookyard' and table_name || '.' || column_name = any ($1::text[])`,
      [ID_COLUMNS],
    );
    assert.deepEqual(rows.map((r) => r.col).sort(), [...ID_COLUMNS].sort());
    for (const r of rows) assert.equal(r.collation, 'C', r.col);
  });
});

/**
 * A cut-off time and a minute later whose ids first differ at an upper-case letter (cut-off)
 * against a lower-case one (later) that English collation puts first, e.g. 'Z' against 'a'.
 */
function straddlingCase(): { cut: number; later: number } {
  const english = new Intl.Collator('en-US');
  for (let cut = Date.UTC(2026, 0, 1); cut < Date.UTC(2027, 0, 1); cut += 60_000) {
    const later = cut + 60_000;
    if (english.compare(idBoundary('msg', later), idBoundary('msg', cut)) < 0) return { cut, later };
  }
  throw new Error('no case-straddling pair in 2026');
}

// A database whose default collation is linguistic (ICU en-US), where text comparison is not byte
// order. PostgreSQL only: PGlite has no other collation to default to.
if (process.env.HOOKYARD_TEST_DATABASE_URL) describe('ids on a database with an English default collation [postgres]', () => {
  let scratch: ScratchDatabase;
  let storage: Storage;
  let hookyard: Hookyard;
  let clock = 0;
  before(async () => {
    scratch = await scratchDatabaseCreate(process.env.HOOKYARD_TEST_DATABASE_URL!, 'hookyard_test', { icuLocale: 'en-US' });
    storage = await openPostgres({ connectionString: scratch.url, max: 2 });
    hookyard = await openHookyard({ storage, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, now: () => new Date(clock) });
  });
  after(async () => {
    await hookyard?.close();
    await storage?.close();
    await scratch?.drop();
  });

  test('retention and listing keep creation order across a case boundary', async () => {
    const { cut, later } = straddlingCase();
    const app = await hookyard.applications.create({ name: 'collation' });
    await endpointFor(hookyard, app.id);
    clock = cut - 60_000;
    const older = (await hookyard.messages.publish(app.id, { eventType: 'x', payload: {} })).message.id;
    clock = later;
    const newer = (await hookyard.messages.publish(app.id, { eventType: 'x', payload: {} })).message.id;

    // The trap is real: compared as plain text in this database, the newer id sorts before the cut-off.
    const { rows } = await storage.query<{ misordered: boolean }>('select $1::text < $2::text as misordered', [newer, idBoundary('msg', cut)]);
    assert.equal(rows[0]!.misordered, true);

    assert.deepEqual((await hookyard.messages.list(app.id)).data.map((m) => m.id), [newer, older]);
    assert.equal(await messageDeleteExpired(storage, new Date(cut), 100), 1);
    assert.deepEqual((await hookyard.messages.list(app.id)).data.map((m) => m.id), [newer]);
  });
});
