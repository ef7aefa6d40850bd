import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { describeEachStorage, type TestHookyard } from '../test/storages.js';
import { countRows, deliveredTo, endpointFor } from '../test/fixtures.js';

class Rollback extends Error {}

function setupWith(env: () => TestHookyard) {
  return async () => {
    const { hookyard, storage, url } = env();
    await storage.query('create table if not exists public.orders (id serial primary key, note text)');
    const app = await hookyard.applications.create({ name: 'shop' });
    const ep = await endpointFor(hookyard, app.id);
    return { hookyard, storage, url: url!, app, ep };
  };
}

// A caller's own `pg` client needs a PostgreSQL server; the PGlite form follows.
describeEachStorage('transactional publish with the caller\'s pg client', (env) => {
  const setup = setupWith(env);

  test('message and deliveries commit with the business write', async () => {
    const { hookyard, storage, url, app, ep } = await setup();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`insert into public.orders (note) values ('committed')`);
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'order.created', payload: { note: 'committed' } }, { db: client });
      // Not visible outside the caller's transaction until it commits.
      assert.deepEqual(await deliveredTo(storage, message.id), []);
      await client.query('commit');
      assert.deepEqual(await deliveredTo(storage, message.id), [ep.id]);
    } finally {
      await client.end();
    }
  });

  test('a rollback leaves no message and no delivery', async () => {
    const { hookyard, storage, url, app } = await setup();
    const before = [await countRows(storage, 'message'), await countRows(storage, 'delivery')];
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`insert into public.orders (note) values ('rolled back')`);
      await hookyard.messages.publish(app.id, { eventType: 'order.created', payload: { note: 'rolled back' } }, { db: client });
      await client.query('rollback');
    } finally {
      await client.end();
    }
    assert.deepEqual([await countRows(storage, 'message'), await countRows(storage, 'delivery')], before);
    const { rows } = await storage.query(`select 1 from public.orders where note = 'rolled back'`);
    assert.equal(rows.length, 0);
  });

}, {}, ['postgres']);

describeEachStorage('transactional publish', (env) => {
  const setup = setupWith(env);

  test('inside storage.transaction: commit keeps both writes, a throw discards both', async () => {
    const { hookyard, storage, app, ep } = await setup();
    const committed = await storage.transaction(async (tx) => {
      await tx.query(`insert into public.orders (note) values ('tx-commit')`);
      return hookyard.messages.publish(app.id, { eventType: 'order.created', payload: {} }, { db: tx });
    });
    assert.deepEqual(await deliveredTo(storage, committed.message.id), [ep.id]);

    const before = [await countRows(storage, 'message'), await countRows(storage, 'delivery')];
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.query(`insert into public.orders (note) values ('tx-rollback')`);
        await hookyard.messages.publish(app.id, { eventType: 'order.created', payload: {} }, { db: tx });
        throw new Rollback('business rule failed');
      }),
      Rollback,
    );
    assert.deepEqual([await countRows(storage, 'message'), await countRows(storage, 'delivery')], before);
    assert.equal((await storage.query(`select 1 from public.orders where note = 'tx-rollback'`)).rows.length, 0);
  });
});
