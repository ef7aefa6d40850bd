import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiException, Svix } from 'svix';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import { unique } from '../test/fixtures.js';

/**
 * The contract: code written for Svix's official SDK works against Hookyard
 * unchanged. Every call here goes through `svix`'s own client.
 */
describeEachStorage('svix SDK contract (management)', (env) => {
  let t: TestApi;
  let svix: Svix;
  before(async () => {
    t = await testApi(env().hookyard);
    svix = new Svix(t.token, { serverUrl: t.url });
  });
  after(() => t.close());

  const status = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof ApiException, String(error));
      return (error as ApiException<unknown>).code;
    }
  };

  test('health', async () => {
    await svix.health.get();
  });

  test('applications: create, get-or-create, get by id and uid, update, patch, list, delete', async () => {
    const uid = unique('app');
    const app = await svix.application.create({ name: 'Acme', uid, metadata: { plan: 'pro' } });
    assert.match(app.id, /^app_/);
    assert.ok(app.createdAt instanceof Date && !Number.isNaN(app.createdAt.getTime()));
    assert.equal((await svix.application.getOrCreate({ name: 'ignored', uid })).id, app.id);
    assert.equal((await svix.application.get(uid)).id, app.id);
    assert.equal((await svix.application.update(app.id, { name: 'Acme 2', uid })).name, 'Acme 2');
    const patched = await svix.application.patch(uid, { metadata: { plan: 'team' } });
    assert.deepEqual([patched.name, patched.metadata], ['Acme 2', { plan: 'team' }]);
    assert.equal(await status(svix.application.create({ name: 'dup', uid })), 409);
    const list = await svix.application.list({ limit: 250 });
    assert.ok(list.data.some((a) => a.id === app.id));
    await svix.application.delete(uid);
    assert.equal(await status(svix.application.get(app.id)), 404);
  });

  test('event types: create, get, list, update (upsert), patch, archive', async () => {
    const name = unique('invoice.paid').replace(/-/g, '_');
    const schemas = { '1': { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } };
    const et = await svix.eventType.create({ name, description: 'An invoice was paid', schemas });
    assert.deepEqual([et.name, et.archived], [name, false]);
    assert.equal((await svix.eventType.get(name)).description, 'An invoice was paid');
    assert.equal((await svix.eventType.update(name, { description: 'Paid' })).description, 'Paid');
    assert.equal((await svix.eventType.patch(name, { deprecated: true })).deprecated, true);
    assert.equal(await status(svix.eventType.create({ name, description: 'dup' })), 409);
    assert.ok((await svix.eventType.list({ limit: 250 })).data.some((e) => e.name === name));
    await svix.eventType.delete(name);
    assert.equal((await svix.eventType.get(name)).archived, true);
    assert.ok(!(await svix.eventType.list({ limit: 250 })).data.some((e) => e.name === name));
    assert.ok((await svix.eventType.list({ limit: 250, includeArchived: true })).data.some((e) => e.name === name));
  });

  test('endpoints: CRUD, uid lookup, secret, rotation, headers, stats', async () => {
    const app = await svix.application.create({ name: 'eps' });
    const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook', uid: 'main', filterTypes: ['a.b'], channels: ['eu'], metadata: { k: 'v' } });
    assert.match(ep.id, /^ep_/);
    assert.equal((await svix.endpoint.get(app.id, 'main')).id, ep.id);
    const updated = await svix.endpoint.update(app.id, 'main', { url: 'http://127.0.0.1:9/v2', uid: 'main', version: 1 });
    assert.deepEqual([updated.url, updated.filterTypes ?? null], ['http://127.0.0.1:9/v2', null]);
    assert.equal((await svix.endpoint.patch(app.id, ep.id, { description: 'primary' })).description, 'primary');
    assert.equal((await svix.endpoint.patch(app.id, ep.id, { throttleRate: 7 })).throttleRate, 7);
    assert.equal((await svix.endpoint.list(app.id)).data.length, 1);

    const { key } = await svix.endpoint.getSecret(app.id, ep.id);
    assert.match(key, /^whsec_/);
    await svix.endpoint.rotateSecret(app.id, ep.id, {});
    const rotated = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    assert.notEqual(rotated, key);
    await svix.endpoint.rotateSecret(app.id, ep.id, { key: 'whsec_' + Buffer.alloc(32, 1).toString('base64') });
    assert.equal((await svix.endpoint.getSecret(app.id, ep.id)).key, 'whsec_' + Buffer.alloc(32, 1).toString('base64'));

    await svix.endpoint.updateHeaders(app.id, ep.id, { headers: { 'X-Tenant': 't1', 'X-Other': 'o' } });
    await svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'X-Added': 'a' }, deleteHeaders: ['X-Other'] });
    assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-Tenant': 't1', 'X-Added': 'a' });

    const stats = await svix.endpoint.getStats(app.id, ep.id, { since: new Date(Date.now() - 60_000) });
    assert.deepEqual(stats, { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });

    await svix.endpoint.delete(app.id, ep.id);
    assert.equal(await status(svix.endpoint.get(app.id, ep.id)), 404);
    assert.equal(await status(svix.endpoint.create(app.id, { url: 'not a url' })), 422);
  });

  test('messages: create with eventId idempotency, get by id and eventId, list with filters; destinations', async () => {
    const app = await svix.application.create({ name: 'msgs', uid: unique('m') });
    const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook' });
    const first = await svix.message.create(app.uid!, { eventType: 'user.created', eventId: 'evt-1', payload: { id: 1 }, channels: ['eu'] });
    const again = await svix.message.create(app.uid!, { eventType: 'user.created', eventId: 'evt-1', payload: { id: 2 } });
    assert.equal(again.id, first.id);
    // The SDK echoes the caller's payload back itself (it asks with_content=false), so read it back.
    assert.deepEqual((await svix.message.get(app.id, again.id)).payload, { id: 1 });
    await svix.message.create(app.id, { eventType: 'user.deleted', payload: { id: 3 }, tags: ['gdpr'] });
    assert.equal((await svix.message.get(app.id, 'evt-1')).id, first.id);
    assert.ok(first.timestamp instanceof Date);

    const all = await svix.message.list(app.id);
    assert.equal(all.data.length, 2);
    assert.equal(all.data[0]!.eventType, 'user.deleted'); // newest first
    assert.deepEqual((await svix.message.list(app.id, { eventTypes: ['user.created'] })).data.map((m) => m.id), [first.id]);
    assert.deepEqual((await svix.message.list(app.id, { channel: 'eu' })).data.map((m) => m.id), [first.id]);
    assert.deepEqual((await svix.message.list(app.id, { tag: 'gdpr' })).data.map((m) => m.eventType), ['user.deleted']);
    assert.equal((await svix.message.list(app.id, { before: new Date(Date.now() - 3_600_000) })).data.length, 0);

    const destinations = await svix.messageAttempt.listAttemptedDestinations(app.id, first.id);
    assert.equal(destinations.data.length, 1);
    assert.equal(destinations.data[0]!.id, ep.id);
    assert.ok([0, 1, 2, 3].includes(destinations.data[0]!.status));
    const attempts = await svix.messageAttempt.listByMsg(app.id, first.id);
    assert.ok(Array.isArray(attempts.data));
    assert.ok(Array.isArray((await svix.messageAttempt.listByEndpoint(app.id, ep.id)).data));
    assert.equal(await status(svix.message.get(app.id, 'msg_unknown')), 404);

    const example = await svix.endpoint.sendExample(app.id, ep.id, { eventType: 'svix.ping' });
    assert.match(example.id, /^msg_/);
    assert.deepEqual((await svix.messageAttempt.listAttemptedDestinations(app.id, example.id)).data.map((d) => d.id), [ep.id]);
  });

  test('pagination with the SDK: iterator walks every page once', async () => {
    const app = await svix.application.create({ name: 'pages' });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await svix.message.create(app.id, { eventType: 'p.x', payload: { i } })).id);
    const seen: string[] = [];
    let iterator: string | null | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await svix.message.list(app.id, { limit: 3, iterator });
      seen.push(...page.data.map((m) => m.id));
      if (page.done) break;
      iterator = page.iterator;
    }
    assert.deepEqual(seen, [...ids].reverse());
  });
});
