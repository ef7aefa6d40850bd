import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApi, type TestApi } from '../test/api.js';
import { countRows } from '../test/fixtures.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * A costly schema must not stop the server: while a publish validates a big
 * payload against a slow-but-allowed schema, the health check keeps answering.
 */
const HEALTH_BOUND_MS = 2_500; // generous: the machine is shared; validation gives the loop back after 500 ms

describeEachStorage('a costly schema and the health check', (env) => {
  let t: TestApi;
  before(async () => {
    t = await testApi(env().hookyard);
  });
  after(() => t.close());

  test('(a+)+$ is accepted, and publishing "a"×40 + "!" against it answers at once', async () => {
    const created = await t.call('POST', '/api/v1/event-type', { name: 'redos.t', description: '', schemas: { '1': { type: 'object', properties: { s: { type: 'string', pattern: '(a+)+$' } } } } });
    assert.equal(created.status, 201);
    const app = await env().hookyard.applications.create({ name: 'redos' });
    const started = performance.now();
    const res = await t.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'redos.t', payload: { s: 'a'.repeat(40) + '!' } });
    assert.equal(res.status, 422);
    assert.ok(performance.now() - started < 2_000);
  });

  test('schemas that could never be used are refused with 422 at creation', async () => {
    for (const schema of [{ $ref: '#' }, { pattern: '(?=a)' }, { enum: Array.from({ length: 100_000 }, (_, i) => i) }]) {
      const res = await t.call('POST', '/api/v1/event-type', { name: 'never.used', description: '', schemas: { '1': schema } });
      assert.equal(res.status, 422, JSON.stringify(schema).slice(0, 40));
      assert.deepEqual((res.json as { detail: { loc: string[] }[] }).detail[0]!.loc, ['body', 'schemas']);
    }
  });

  test('a slow-but-allowed schema does not stop /api/v1/health from answering', async () => {
    // 300 alternatives tried for each of 100,000 items: about 18 s of work without a budget; small enough to compile at once.
    const schema = { type: 'object', properties: { items: { type: 'array', items: { anyOf: Array.from({ length: 300 }, (_, i) => ({ const: `v${i}` })) } } } };
    assert.equal((await t.call('POST', '/api/v1/event-type', { name: 'slow.t', description: '', schemas: { '1': schema } })).status, 201);
    const app = await env().hookyard.applications.create({ name: 'slow' });
    const messagesBefore = await countRows(env().storage, 'message');

    let publishing = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (publishing) {
        const started = performance.now();
        const res = await fetch(`${t.url}/api/v1/health`);
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        assert.ok(res.status < 300);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const res = await t.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'slow.t', payload: { items: Array.from({ length: 100_000 }, () => 'v299') } });
    publishing = false;
    await probe;

    assert.equal(res.status, 422);
    assert.match(JSON.stringify(res.json), /took longer than 500 ms/);
    assert.equal(await countRows(env().storage, 'message'), messagesBefore);
    assert.ok(latencies.length >= 2, `${latencies.length} health checks`);
    assert.ok(Math.max(...latencies) < HEALTH_BOUND_MS, `slowest health check ${Math.round(Math.max(...latencies))} ms`);
  });
});
