import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HookyardError } from '../errors.js';
import { describeEachStorage } from '../test/storages.js';
import type { Queryable } from '../store/port.js';
import type { PublishResult } from './model.js';
import { countRows, deliveredTo, endpointFor, unique } from '../test/fixtures.js';

describeEachStorage('publish', (env) => {
  test('a repeated eventId returns the original message and creates nothing', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'idem' });
    await endpointFor(hookyard, app.id);
    const eventId = unique('evt');
    const first = await hookyard.messages.publish(app.id, { eventType: 'order.paid', eventId, payload: { amount: 1 } });
    const before = { messages: await countRows(storage, 'message'), deliveries: await countRows(storage, 'delivery') };
    const again = await hookyard.messages.publish(app.id, { eventType: 'order.paid', eventId, payload: { amount: 999 } });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.message.id, first.message.id);
    assert.deepEqual(again.message.payload, { amount: 1 }, 'the original payload, not the repeat');
    assert.equal(again.deliveries, 0);
    assert.deepEqual({ messages: await countRows(storage, 'message'), deliveries: await countRows(storage, 'delivery') }, before);
    assert.equal((await hookyard.messages.get(app.id, eventId)).id, first.message.id, 'a message can be fetched by eventId');
  });

  test('eventId is unique per application, not globally', async () => {
    const { hookyard } = env();
    const a = await hookyard.applications.create({ name: 'a' });
    const b = await hookyard.applications.create({ name: 'b' });
    const eventId = unique('shared');
    const inA = await hookyard.messages.publish(a.id, { eventType: 'x', eventId, payload: {} });
    const inB = await hookyard.messages.publish(b.id, { eventType: 'x', eventId, payload: {} });
    assert.notEqual(inA.message.id, inB.message.id);
    assert.equal(inB.created, true);
  });

  test('concurrent publishes of one eventId create exactly one message', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'race' });
    await endpointFor(hookyard, app.id);
    const eventId = unique('race');
    const results = await Promise.all(Array.from({ length: 8 }, () => hookyard.messages.publish(app.id, { eventType: 'x', eventId, payload: {} })));
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
    assert.equal((await deliveredTo(storage, results[0]!.message.id)).length, 1);
  });

  test('batch publish writes every message and fans each out, in input order', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'batch' });
    const ep = await endpointFor(hookyard, app.id, { filterTypes: ['keep'] });
    const eventId = unique('dup');
    const results = await hookyard.messages.publishBatch(app.id, [
      { eventType: 'keep', payload: { i: 0 }, eventId },
      { eventType: 'skip', payload: { i: 1 } },
      { eventType: 'keep', payload: { i: 2 } },
      { eventType: 'keep', payload: { i: 3 }, eventId },
    ]);
    assert.deepEqual(results.map((r) => (r.message.payload as { i: number }).i), [0, 1, 2, 0]);
    assert.deepEqual(results.map((r) => r.created), [true, true, true, false]);
    assert.equal(results[3]!.message.id, results[0]!.message.id);
    assert.deepEqual(await deliveredTo(storage, results[0]!.message.id), [ep.id]);
    assert.deepEqual(await deliveredTo(storage, results[1]!.message.id), []);
    assert.deepEqual(await deliveredTo(storage, results[2]!.message.id), [ep.id]);
  });

  test('the payload is stored as the exact JSON text that will be signed', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'bytes' });
    const payload = { z: 1, a: [1, 2, { 'ü': 'ñ' }], nested: { k: null } };
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'x', payload });
    const { rows } = await storage.query<{ payload: string }>('select payload from hookyard.message where id = $1', [message.id]);
    assert.equal(rows[0]!.payload, JSON.stringify(payload));
  });

  test('deleting an application deletes its messages and their deliveries (a trigger, not a foreign key)', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'gone' });
    const kept = await hookyard.applications.create({ name: 'kept' });
    await endpointFor(hookyard, app.id);
    await endpointFor(hookyard, kept.id);
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'x', payload: {} });
    const other = await hookyard.messages.publish(kept.id, { eventType: 'x', payload: {} });
    await hookyard.applications.delete(app.id);
    const { rows } = await storage.query<{ n: number }>('select count(*)::int as n from hookyard.message where id = $1', [message.id]);
    assert.equal(rows[0]!.n, 0);
    assert.deepEqual(await deliveredTo(storage, message.id), []);
    assert.equal((await deliveredTo(storage, other.message.id)).length, 1, 'other applications keep theirs');
  });

  test('messages list newest first and filter by event type and channel', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'list' });
    for (let i = 0; i < 5; i++) await hookyard.messages.publish(app.id, { eventType: i % 2 ? 'odd' : 'even', payload: { i }, channels: [i < 2 ? 'low' : 'high'] });
    const page1 = await hookyard.messages.list(app.id, { limit: 2 });
    assert.deepEqual(page1.data.map((m) => (m.payload as { i: number }).i), [4, 3]);
    assert.equal(page1.done, false);
    const page2 = await hookyard.messages.list(app.id, { limit: 2, iterator: page1.iterator });
    assert.deepEqual(page2.data.map((m) => (m.payload as { i: number }).i), [2, 1]);
    const back = await hookyard.messages.list(app.id, { limit: 2, iterator: page2.prevIterator });
    assert.deepEqual(back.data.map((m) => (m.payload as { i: number }).i), [4, 3]);
    const odd = await hookyard.messages.list(app.id, { eventTypes: ['odd'] });
    assert.deepEqual(odd.data.map((m) => (m.payload as { i: number }).i), [3, 1]);
    const high = await hookyard.messages.list(app.id, { channel: 'high' });
    assert.deepEqual(high.data.map((m) => (m.payload as { i: number }).i), [4, 3, 2]);
  });
});

describeEachStorage('publish: bad input writes nothing', (env) => {
  async function expectNothingWritten(run: () => Promise<unknown>, code: string, pattern?: RegExp) {
    const { storage } = env();
    const before = [await countRows(storage, 'message'), await countRows(storage, 'delivery')];
    await assert.rejects(run(), (e: unknown) => {
      assert.ok(e instanceof HookyardError, `expected a HookyardError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      if (pattern) assert.match(e.message + JSON.stringify(e.fields ?? []), pattern);
      return true;
    });
    assert.deepEqual([await countRows(storage, 'message'), await countRows(storage, 'delivery')], before);
  }

  test('unknown application', async () => {
    await expectNothingWritten(() => env().hookyard.messages.publish('app_missing', { eventType: 'x', payload: {} }), 'not_found', /application/);
  });

  test('malformed event type name', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'bad' });
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: 'has space', payload: {} }), 'validation', /eventType/);
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: '', payload: {} }), 'validation', /eventType/);
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: 'x'.repeat(257), payload: {} }), 'validation', /eventType/);
  });

  test('payload that is not a JSON object', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'bad' });
    for (const payload of ['text', 42, null, [1, 2]]) {
      await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: 'x', payload } as never), 'validation', /payload/);
    }
  });

  test('payload that fails the event type schema', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'schema' });
    const name = unique('typed');
    await hookyard.eventTypes.create({
      name,
      description: 'has a schema',
      schemas: { '1': { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } },
    });
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: name, payload: { id: 7 } }), 'validation', /must be string/);
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: name, payload: {} }), 'validation', /required/);
    const ok = await hookyard.messages.publish(app.id, { eventType: name, payload: { id: 'x' } });
    assert.equal(ok.created, true);
  });

  test('oversize payload', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'big' });
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: 'x', payload: { blob: 'x'.repeat(1024 * 1024) } }), 'payload_too_large', /limit/);
  });

  test('one bad message in a batch rejects the whole batch', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'batch' });
    await endpointFor(hookyard, app.id);
    await expectNothingWritten(
      () => hookyard.messages.publishBatch(app.id, [{ eventType: 'ok', payload: {} }, { eventType: 'bad name', payload: {} }]),
      'validation',
      /"body",1,"eventType"/,
    );
  });

  test('unknown fields are refused', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'unknown' });
    await expectNothingWritten(() => hookyard.messages.publish(app.id, { eventType: 'x', payload: {}, surprise: 1 } as never), 'validation');
  });
  // A plan made while hookyard.message was small (a fresh database, never analyzed; PGlite has no
  // autovacuum) is kept by the connection: a scan of the table there grows with every message
  // stored. The counters are the transaction's own, so nothing else running can move them.
  test('a publish, new or a repeated eventId, reads no message by scanning the table', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'no-scan' });
    await endpointFor(hookyard, app.id);
    // 2,000 messages: enough that a lookup by key is the cheaper plan even if autovacuum analyzes
    // the table meanwhile (a tiny analyzed table is rightly scanned), in batches planned while the
    // table grew, as a connection's plan was made while the table was small.
    const earlier: PublishResult[] = [];
    for (let b = 0; b < 20; b++) {
      earlier.push(...(await hookyard.messages.publishBatch(app.id, Array.from({ length: 100 }, (_, i) => ({ eventType: 'x', eventId: unique('scan'), payload: { b, i } })))));
    }
    const seqScans = async (db: Queryable) =>
      Number((await db.query<{ n: string }>(`select seq_scan::text as n from pg_stat_xact_user_tables where relid = 'hookyard.message'::regclass`)).rows[0]?.n ?? 0);
    const seen = await storage.transaction(async (tx) => {
      const before = await seqScans(tx);
      const fresh = await hookyard.messages.publish(app.id, { eventType: 'x', eventId: unique('scan'), payload: {} }, { db: tx });
      const repeat = await hookyard.messages.publish(app.id, { eventType: 'x', eventId: earlier[3]!.message.eventId!, payload: {} }, { db: tx });
      return { fresh, repeat, scans: (await seqScans(tx)) - before };
    });
    assert.equal(seen.fresh.created, true);
    assert.equal(seen.repeat.created, false);
    assert.equal(seen.repeat.message.id, earlier[3]!.message.id, 'the repeat answers with the earlier message, found by its key');
    assert.equal(seen.scans, 0, 'sequential scans of hookyard.message during the two publishes');
  });
});
