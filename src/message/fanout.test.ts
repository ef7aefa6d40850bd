import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { deliveredTo, endpointFor, unique } from '../test/fixtures.js';

describeEachStorage('fan-out', (env) => {
  test('event type filters: absent means every type; otherwise only the listed ones', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'acme' });
    const all = await endpointFor(hookyard, app.id);
    const invoices = await endpointFor(hookyard, app.id, { filterTypes: ['invoice.paid', 'invoice.failed'] });
    const users = await endpointFor(hookyard, app.id, { filterTypes: ['user.created'] });

    const paid = await hookyard.messages.publish(app.id, { eventType: 'invoice.paid', payload: { n: 1 } });
    assert.deepEqual(await deliveredTo(storage, paid.message.id), [all.id, invoices.id].sort());
    assert.equal(paid.deliveries, 2);

    const created = await hookyard.messages.publish(app.id, { eventType: 'user.created', payload: {} });
    assert.deepEqual(await deliveredTo(storage, created.message.id), [all.id, users.id].sort());
    void users;
  });

  test('channels: an endpoint with channels gets only messages sharing one; one without gets all', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'channels' });
    const open = await endpointFor(hookyard, app.id);
    const eu = await endpointFor(hookyard, app.id, { channels: ['eu', 'global'] });
    const us = await endpointFor(hookyard, app.id, { channels: ['us'] });

    const toEu = await hookyard.messages.publish(app.id, { eventType: 'a', payload: {}, channels: ['eu'] });
    assert.deepEqual(await deliveredTo(storage, toEu.message.id), [open.id, eu.id].sort());
    const toBoth = await hookyard.messages.publish(app.id, { eventType: 'a', payload: {}, channels: ['global', 'us'] });
    assert.deepEqual(await deliveredTo(storage, toBoth.message.id), [open.id, eu.id, us.id].sort());
    const none = await hookyard.messages.publish(app.id, { eventType: 'a', payload: {} });
    assert.deepEqual(await deliveredTo(storage, none.message.id), [open.id]);
  });

  test('parents: a message reaches its application and every ancestor, never a sibling or child', async () => {
    const { hookyard, storage } = env();
    const org = await hookyard.applications.create({ name: 'org', uid: unique('org') });
    const repo = await hookyard.applications.create({ name: 'repo', parentId: org.uid });
    const sibling = await hookyard.applications.create({ name: 'sibling', parentId: org.id });
    const fork = await hookyard.applications.create({ name: 'fork', parentId: repo.id });
    const [orgEp, repoEp, siblingEp, forkEp] = await Promise.all([org, repo, sibling, fork].map((a) => endpointFor(hookyard, a.id)));

    const push = await hookyard.messages.publish(repo.id, { eventType: 'push', payload: {} });
    assert.deepEqual(await deliveredTo(storage, push.message.id), [orgEp!.id, repoEp!.id].sort());
    const deep = await hookyard.messages.publish(fork.id, { eventType: 'push', payload: {} });
    assert.deepEqual(await deliveredTo(storage, deep.message.id), [orgEp!.id, repoEp!.id, forkEp!.id].sort());
    const top = await hookyard.messages.publish(org.id, { eventType: 'push', payload: {} });
    assert.deepEqual(await deliveredTo(storage, top.message.id), [orgEp!.id]);
    void siblingEp;
  });

  test('a parent chain cannot loop', async () => {
    const { hookyard } = env();
    const a = await hookyard.applications.create({ name: 'a' });
    const b = await hookyard.applications.create({ name: 'b', parentId: a.id });
    await assert.rejects(hookyard.applications.patch(a.id, { parentId: b.id }), { code: 'validation' });
    await assert.rejects(hookyard.applications.patch(a.id, { parentId: a.id }), { code: 'validation' });
    assert.equal((await hookyard.applications.get(a.id)).parentId, null);
  });

  test('a disabled endpoint gets a parked delivery, due once it is re-enabled (migration 019)', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'disabled' });
    const on = await endpointFor(hookyard, app.id);
    const off = await endpointFor(hookyard, app.id, { disabled: true });
    const first = await hookyard.messages.publish(app.id, { eventType: 'x', payload: {} });
    assert.deepEqual(await deliveredTo(storage, first.message.id), [on.id, off.id].sort());
    const parked = async () =>
      (await storage.query<{ parked: boolean }>(`select next_attempt_at = 'infinity' as parked from hookyard.delivery where message_id = $1 and endpoint_id = $2`, [first.message.id, off.id])).rows[0]!.parked;
    assert.equal(await parked(), true, 'parked: no claim reaches it');
    await hookyard.endpoints.patch(app.id, off.id, { disabled: false });
    assert.equal(await parked(), false, 'due again once re-enabled');
    const second = await hookyard.messages.publish(app.id, { eventType: 'x', payload: {} });
    assert.deepEqual(await deliveredTo(storage, second.message.id), [on.id, off.id].sort());
  });

  test('filters, channels and parents combine', async () => {
    const { hookyard, storage } = env();
    const org = await hookyard.applications.create({ name: 'org2' });
    const repo = await hookyard.applications.create({ name: 'repo2', parentId: org.id });
    const match = await endpointFor(hookyard, org.id, { filterTypes: ['push'], channels: ['main'] });
    await endpointFor(hookyard, org.id, { filterTypes: ['push'], channels: ['dev'] });
    await endpointFor(hookyard, org.id, { filterTypes: ['issue'], channels: ['main'] });
    const result = await hookyard.messages.publish(repo.uid ?? repo.id, { eventType: 'push', payload: {}, channels: ['main'] });
    assert.deepEqual(await deliveredTo(storage, result.message.id), [match.id]);
  });

  test('fan-out to many endpoints is one statement and creates one delivery each', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'wide' });
    // Insert endpoints directly: the API path is not what this test measures.
    await storage.query(
      `insert into hookyard.endpoint (id, app_id, url) select 'ep_wide_' || g, $1, 'http://127.0.0.1:9/' || g from generate_series(1, 2000) g`,
      [app.id],
    );
    const result = await hookyard.messages.publish(app.id, { eventType: 'bulk', payload: { i: 1 } });
    assert.equal(result.deliveries, 2000);
    assert.equal((await deliveredTo(storage, result.message.id)).length, 2000);
    const { rows } = await storage.query<{ state: string; n: number }>(
      `select state::text, count(*)::int as n from hookyard.delivery where message_id = $1 group by state`,
      [result.message.id],
    );
    assert.deepEqual(rows, [{ state: 'pending', n: 2000 }]);
  });
});
