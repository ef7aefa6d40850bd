import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openHookyard, type Hookyard } from '../hookyard.js';
import type { PublishOnceResult, PublishResult } from './model.js';
import { openPostgres } from '../store/postgres.js';
import type { Queryable, Storage } from '../store/port.js';
import { countRows, deliveredTo, endpointFor, unique } from '../test/fixtures.js';
import { describeEachStorage, TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';

/** The same storage, counting every statement sent (a transaction's BEGIN and COMMIT count too). */
function counting(storage: Storage): { storage: Storage; statements: string[] } {
  const statements: string[] = [];
  const count = (db: Queryable): Queryable => ({
    query: (text, params) => {
      statements.push(text);
      return db.query(text, params);
    },
  });
  return {
    statements,
    storage: {
      ...storage,
      query: count(storage).query,
      transaction: (fn) => {
        statements.push('begin', 'commit');
        return storage.transaction((tx) => fn(count(tx)));
      },
      close: async () => {},
    },
  };
}

const publishes = (statements: string[]) => statements.filter((s) => s.includes('hookyard.message_publish')).length;

describeEachStorage('publish: one round trip, group commit', (env) => {
  let counted: ReturnType<typeof counting>;
  let hookyard: Hookyard;

  async function setup() {
    counted = counting(env().storage);
    // The dashboard's counters flush on a timer of their own, not as part of a publish: kept out of the count.
    hookyard = await openHookyard({ storage: counted.storage, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false, rollupFlushMs: 3_600_000 });
    const app = await hookyard.applications.create({ name: 'round-trips', uid: unique('rt') });
    const ep = await endpointFor(hookyard, app.id, { channels: ['eu'] });
    return { app, ep };
  }

  test('one statement per publish: plain, with eventId, channels and tags, batch, under a key, in a caller\'s transaction', async () => {
    const { app, ep } = await setup();
    const eventType = unique('order.paid');
    await hookyard.messages.publish(app.id, { eventType, payload: {} }); // the event type is now known to this process
    const cases: [string, () => Promise<unknown>][] = [
      ['plain', () => hookyard.messages.publish(app.uid!, { eventType, payload: { n: 1 } })],
      ['eventId, channels, tags', () => hookyard.messages.publish(app.id, { eventType, eventId: unique('evt'), channels: ['eu'], tags: ['t1'], payload: { n: 2 } })],
      ['batch', () => hookyard.messages.publishBatch(app.id, [{ eventType, payload: { n: 3 } }, { eventType, payload: { n: 4 }, channels: ['eu'] }])],
      ['Idempotency-Key', () => hookyard.messages.publishOnce(app.id, { eventType, payload: { n: 5 } }, { scope: 'tok_test', key: unique('k'), fingerprint: 'f', withContent: true, retentionMs: 60_000 })],
    ];
    for (const [name, run] of cases) {
      counted.statements.length = 0;
      await run();
      assert.deepEqual(counted.statements.length, 1, `${name}: ${counted.statements.join(' | ')}`);
    }
    // Inside a caller's transaction: one statement on their connection, nothing through the pool.
    const before = await countRows(env().storage, 'delivery');
    counted.statements.length = 0;
    const theirs: string[] = [];
    const result = await env().storage.transaction(async (tx) =>
      hookyard.messages.publish(app.id, { eventType, channels: ['eu'], payload: { n: 6 } }, { db: { query: (t, p) => (theirs.push(t), tx.query(t, p)) } }),
    );
    assert.equal(theirs.length, 1, theirs.join(' | '));
    assert.equal(counted.statements.length, 0);
    assert.deepEqual(await deliveredTo(env().storage, result.message.id), [ep.id]);
    assert.equal(await countRows(env().storage, 'delivery'), before + 1);
  });

  test('concurrent publishes share statements, and each gets its own answer; bad ones fail alone', async () => {
    const { app } = await setup();
    const typed = unique('typed');
    await hookyard.eventTypes.create({ name: typed, description: 'id must be a string', schemas: { '1': { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } });
    const plain = unique('plain');
    const earlier = await hookyard.messages.publish(app.id, { eventType: plain, eventId: unique('evt'), payload: { first: true } });
    const claim = { scope: 'tok_group', key: unique('key'), fingerprint: 'one', withContent: true, retentionMs: 60_000 };
    await hookyard.messages.publishOnce(app.id, { eventType: plain, payload: {} }, claim);
    await hookyard.messages.publish(app.id, { eventType: typed, payload: { id: 'warm' } });

    counted.statements.length = 0;
    const good = Array.from({ length: 16 }, (_, i) => hookyard.messages.publish(app.id, { eventType: plain, payload: { i } }));
    const settled = await Promise.allSettled([
      ...good,
      hookyard.messages.publish('app_missing', { eventType: plain, payload: {} }),
      hookyard.messages.publish(app.id, { eventType: typed, payload: { id: 7 } }),
      hookyard.messages.publish(app.id, { eventType: plain, eventId: earlier.message.eventId!, payload: { second: true } }),
      hookyard.messages.publishOnce(app.id, { eventType: plain, payload: {} }, { ...claim, fingerprint: 'another' }),
      hookyard.messages.publishBatch(app.id, [{ eventType: plain, payload: { b: 1 } }, { eventType: typed, payload: { id: 'ok' } }]),
    ]);
    const [missing, mismatch, repeat, reused, batch] = settled.slice(16) as [PromiseSettledResult<PublishResult>, PromiseSettledResult<PublishResult>, PromiseSettledResult<PublishResult>, PromiseSettledResult<PublishOnceResult>, PromiseSettledResult<PublishResult[]>];
    for (const [i, s] of (settled.slice(0, 16) as PromiseSettledResult<PublishResult>[]).entries()) {
      assert.equal(s.status, 'fulfilled', `publish ${i}: ${s.status === 'rejected' ? String(s.reason) : ''}`);
      if (s.status === 'fulfilled') {
        assert.deepEqual(s.value.message.payload, { i });
        assert.deepEqual(await deliveredTo(env().storage, s.value.message.id), [], 'the endpoint wants channel eu only');
      }
    }
    assert.ok(missing!.status === 'rejected' && (missing.reason as { code: string }).code === 'not_found');
    assert.ok(mismatch!.status === 'rejected' && (mismatch.reason as { code: string }).code === 'validation');
    assert.ok(repeat!.status === 'fulfilled' && !repeat.value.created && repeat.value.message.id === earlier.message.id);
    assert.deepEqual(repeat.value.message.payload, { first: true });
    assert.ok(reused!.status === 'fulfilled' && reused.value.kind === 'key-reused');
    assert.ok(batch!.status === 'fulfilled' && batch.value.length === 2 && batch.value.every((r) => r.created));
    const statements = publishes(counted.statements);
    assert.ok(statements <= 4, `21 publishes went out in ${statements} statements`);
  });

  test('a unit whose data fails the statement fails alone: the others of its group are run again without it', async () => {
    const { app } = await setup();
    counted.statements.length = 0;
    const settled = await Promise.allSettled([
      ...Array.from({ length: 5 }, (_, i) => hookyard.messages.publish(app.id, { eventType: 'x', payload: { i } })),
      // PostgreSQL refuses a NUL character in text: this fails the whole statement it is in.
      hookyard.messages.publish('app_\u0000nul', { eventType: 'x', payload: {} }),
    ]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    assert.ok(publishes(counted.statements) >= 2, 'the group failed, then its units ran alone');
  });

  test('a batch is all or nothing inside a group: one unknown endpoint refuses only its own unit', async () => {
    const { app, ep } = await setup();
    const before = await countRows(env().storage, 'message');
    const [alone, toEndpoint, toMissing] = await Promise.allSettled([
      hookyard.messages.publish(app.id, { eventType: 'a', channels: ['eu'], payload: {} }),
      hookyard.messages.publish(app.id, { eventType: 'a', payload: {} }, { endpoint: ep.id }),
      hookyard.messages.publish(app.id, { eventType: 'a', payload: {} }, { endpoint: 'ep_missing' }),
    ]);
    assert.equal(alone!.status, 'fulfilled');
    assert.ok(toEndpoint!.status === 'fulfilled' && toEndpoint.value.deliveries === 1, 'to one endpoint, whatever its channels');
    assert.ok(toMissing!.status === 'rejected' && /endpoint/.test(String(toMissing.reason)));
    assert.equal(await countRows(env().storage, 'message'), before + 2);
  });
});

// Two API processes on one database: each caches event types, and a change made through one is
// seen by the other's next publish, because the statement checks the version validated against.
describeEachStorage('publish: event type cache across processes', (env) => {
  test('a schema created, tightened and relaxed elsewhere applies to the next publish here', async () => {
    const other = await openPostgres({ connectionString: env().url!, max: 2 });
    const there = await openHookyard({ storage: other, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false });
    try {
      const here = env().hookyard;
      const app = await here.applications.create({ name: 'cache' });
      const name = unique('cached');
      assert.equal((await here.messages.publish(app.id, { eventType: name, payload: { id: 7 } })).created, true, 'no such type yet: anything goes');

      await there.eventTypes.create({ name, description: 'id is a string', schemas: { '1': { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } });
      await assert.rejects(here.messages.publish(app.id, { eventType: name, payload: { id: 7 } }), { code: 'validation' });
      assert.equal((await here.messages.publish(app.id, { eventType: name, payload: { id: 'x' } })).created, true);

      await there.eventTypes.update(name, { description: 'id is a number', schemas: { '2': { type: 'object', required: ['id'], properties: { id: { type: 'number' } } } } });
      await assert.rejects(here.messages.publish(app.id, { eventType: name, payload: { id: 'x' } }), { code: 'validation' });
      assert.equal((await here.messages.publish(app.id, { eventType: name, payload: { id: 8 } })).created, true);

      await there.eventTypes.delete(name, { expunge: true });
      assert.equal((await here.messages.publish(app.id, { eventType: name, payload: { anything: true } })).created, true, 'gone again: anything goes');
    } finally {
      await there.close();
      await other.close();
    }
  });
}, {}, ['postgres']);
