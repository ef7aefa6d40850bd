import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApi, type TestApi } from '../test/api.js';
import { countRows } from '../test/fixtures.js';
import { describeEachStorage } from '../test/storages.js';

// Nothing here connects anywhere: the refusal is decided from the URL text alone.
const ALWAYS_REFUSED = [
  'http://localhost:3000/hook', 'http://127.0.0.1:9/', 'http://[::1]/', 'http://10.1.2.3/', 'http://0.0.0.0/',
  'http://2130706433/', 'http://[::127.0.0.1]/', 'http://169.254.169.254/latest/meta-data', 'http://192.168.1.10./x',
];

describeEachStorage('endpoint URLs the guard always refuses, without an allowlist', (env) => {
  let t: TestApi;
  let appId: string;
  before(async () => {
    t = await testApi(env().hookyard);
    appId = (await env().hookyard.applications.create({ name: 'refused' })).id;
  });
  after(() => t.close());

  test('create, update and patch answer 422 naming HOOKYARD_ALLOW_CIDRS, and nothing is written', async () => {
    const before = await countRows(env().storage, 'endpoint');
    for (const url of ALWAYS_REFUSED) {
      const res = await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url });
      assert.equal(res.status, 422, url);
      const [detail] = (res.json as { detail: { loc: string[]; msg: string; type: string }[] }).detail;
      assert.deepEqual(detail!.loc, ['body', 'url'], url);
      assert.equal(detail!.type, 'blocked_address');
      assert.match(detail!.msg, /allow it with HOOKYARD_ALLOW_CIDRS \(the allowCidrs option\)/, url);
    }
    assert.equal(await countRows(env().storage, 'endpoint'), before);
    const msg = (await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: 'http://127.0.0.1:9/' })).json as { detail: { msg: string }[] };
    assert.equal(msg.detail[0]!.msg, '127.0.0.1 is a loopback address, which the SSRF guard refuses; allow it with HOOKYARD_ALLOW_CIDRS (the allowCidrs option), e.g. 127.0.0.0/8,::1/128');

    // A name that only resolves somewhere is judged at delivery, so it is accepted here.
    const ok = await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: 'https://hooks.acme.example/in', uid: 'named' });
    assert.equal(ok.status, 201);
    for (const [method, body] of [['PUT', { url: 'http://[::1]:8080/' }], ['PATCH', { url: 'http://localhost/' }]] as const) {
      const res = await t.call(method, `/api/v1/app/${appId}/endpoint/named`, body);
      assert.equal(res.status, 422, method);
    }
    assert.equal((await env().hookyard.endpoints.get(appId, 'named')).url, 'https://hooks.acme.example/in');
    assert.equal((await t.call('PATCH', `/api/v1/app/${appId}/endpoint/named`, { description: 'no url, no check' })).status, 200);
    await assert.rejects(env().hookyard.endpoints.create(appId, { url: 'http://localhost/' }), { code: 'validation' });
  });
}, { allowCidrs: '' });

describeEachStorage('endpoint URLs with an allowlist', (env) => {
  test('the allowlist admits what it names, and only that', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'allowed' });
    for (const url of ['http://localhost:3000/hook', 'http://127.0.0.1:9/', 'http://[::1]/', 'http://2130706433/', 'http://10.1.2.3/']) {
      assert.ok(await hookyard.endpoints.create(app.id, { url }), url);
    }
    await assert.rejects(hookyard.endpoints.create(app.id, { url: 'http://10.2.0.1/' }), { code: 'validation' });
    await assert.rejects(hookyard.endpoints.create(app.id, { url: 'http://0.0.0.0/' }), { code: 'validation' });
  });
}, { allowCidrs: '127.0.0.0/8,::1/128,10.1.0.0/16' });
