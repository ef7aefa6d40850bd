import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { endpointFor, unique } from '../test/fixtures.js';

describeEachStorage('applications and endpoints', (env) => {
  test('applications are found by id or uid; uids are unique', async () => {
    const { hookyard } = env();
    const uid = unique('cust');
    const app = await hookyard.applications.create({ name: 'Customer', uid, metadata: { plan: 'pro' } });
    assert.match(app.id, /^app_/);
    assert.equal((await hookyard.applications.get(uid)).id, app.id);
    await assert.rejects(hookyard.applications.create({ name: 'dup', uid }), { code: 'conflict' });
    const again = await hookyard.applications.getOrCreate({ name: 'ignored', uid });
    assert.deepEqual([again.created, again.application.id], [false, app.id]);
    const patched = await hookyard.applications.patch(uid, { name: 'Renamed' });
    assert.deepEqual([patched.name, patched.metadata], ['Renamed', { plan: 'pro' }]);
    await hookyard.applications.delete(app.id);
    await assert.rejects(hookyard.applications.get(app.id), { code: 'not_found' });
  });

  test('endpoints: urls and headers are validated, uids unique per application', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'eps' });
    for (const url of ['ftp://x.test/', 'not a url', '/relative', 'http://']) {
      await assert.rejects(endpointFor(hookyard, app.id, { url }), { code: 'validation' }, url);
    }
    await assert.rejects(endpointFor(hookyard, app.id, { headers: { 'webhook-signature': 'x' } }), { code: 'validation' });
    await assert.rejects(endpointFor(hookyard, app.id, { headers: { 'x-ok': 'a\r\nInjected: 1' } }), { code: 'validation' });
    const ep = await endpointFor(hookyard, app.id, { uid: 'main', headers: { 'X-Tenant': 't1' } });
    await assert.rejects(endpointFor(hookyard, app.id, { uid: 'main' }), { code: 'conflict' });
    assert.equal((await hookyard.endpoints.get(app.id, 'main')).id, ep.id);
    await hookyard.endpoints.headersPatch(app.id, ep.id, { 'x-tenant': null, 'X-Region': 'eu' });
    assert.deepEqual(await hookyard.endpoints.headersGet(app.id, ep.id), { 'X-Region': 'eu' });
    const other = await hookyard.applications.create({ name: 'other' });
    await assert.rejects(hookyard.endpoints.get(other.id, ep.id), { code: 'not_found' }, 'an endpoint is reachable only through its application');
  });

  test('event types: create, conflict, archive, and schemas must be valid JSON Schema', async () => {
    const { hookyard } = env();
    const name = unique('user.created');
    await hookyard.eventTypes.create({ name, description: 'A user signed up' });
    await assert.rejects(hookyard.eventTypes.create({ name, description: 'again' }), { code: 'conflict' });
    await assert.rejects(hookyard.eventTypes.create({ name: unique('bad'), description: '', schemas: { '1': { type: 'no-such-type' } } }), { code: 'validation' });
    await hookyard.eventTypes.delete(name);
    assert.equal((await hookyard.eventTypes.get(name)).archived, true);
    const listed = await hookyard.eventTypes.list({ limit: 250 });
    assert.ok(!listed.data.some((e) => e.name === name), 'archived types are hidden by default');
    const withArchived = await hookyard.eventTypes.list({ limit: 250, includeArchived: true });
    assert.ok(withArchived.data.some((e) => e.name === name));
  });
});
