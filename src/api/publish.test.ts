import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startWorker, type Worker } from '../delivery/worker.js';
import { createLogger } from '../log.js';
import { jsonText, PAYLOAD_MAX_DEPTH } from '../message/model.js';
import { testApi, type TestApi } from '../test/api.js';
import { TEST_WORKER } from '../test/delivery.js';
import { countRows } from '../test/fixtures.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { BODY_MAX_DEPTH } from './route.js';

// Numbers a JS number would change (…789 → …800, 12.50 → 12.5, 1e2 → 100), escapes
// JSON.stringify would rewrite, odd spacing, and a \u0000 escape, which is kept as written.
const EXACT = '{"id":1234567890123456789,"amount":12.50,"exp":1e2, "tiny":-0.000000000000000000001E-300,"s":"caf\\u00e9 \\u0000 \\/","n":[ 1 ,2.0 ]}';

describeEachStorage('publish over HTTP: payloads arrive exactly as sent', (env) => {
  describe('with a worker and a receiver', () => {
    let t: TestApi;
    let receiver: Receiver;
    let worker: Worker;
    before(async () => {
      t = await testApi(env().hookyard);
      receiver = await startReceiver();
      worker = startWorker(env().hookyard, TEST_WORKER, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
    });
    after(async () => {
      await worker.stop(1_000);
      await receiver.close();
      await t.close();
    });

    async function appTo(path: string) {
      const app = await env().hookyard.applications.create({ name: 'exact' });
      const ep = await env().hookyard.endpoints.create(app.id, { url: receiver.origin + path });
      return { app, ep };
    }
    const raw = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
      const res = await fetch(t.url + path, { method, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };

    test('publish, get, batch, resend and the library\'s jsonText: the receiver gets the bytes sent', async () => {
      const { app, ep } = await appTo('/exact');
      const created = await raw('POST', `/api/v1/app/${app.id}/msg`, `{"eventType":"num.test", "payload" :  ${EXACT} }`);
      assert.equal(created.status, 202, created.text);
      assert.ok(created.text.includes(`"payload":${EXACT}`), `the response shows the payload as sent: ${created.text}`);
      const id = (JSON.parse(created.text) as { id: string }).id;
      const [delivered] = await receiver.waitFor(1, (r) => r.path === '/exact');
      assert.equal(delivered!.body, EXACT);
      assert.ok((await raw('GET', `/api/v1/app/${app.id}/msg/${id}`)).text.includes(`"payload":${EXACT}`));
      assert.ok((await raw('GET', `/api/v1/app/${app.id}/msg`)).text.includes(`"payload":${EXACT}`));

      const batch = await raw('POST', `/api/v1/app/${app.id}/msg/batch`, `{"messages":[{"eventType":"a","payload":{"k":1.10}},{"payload":${EXACT},"eventType":"b"}]}`);
      assert.equal(batch.status, 202, batch.text);
      const bodies = (await receiver.waitFor(3, (r) => r.path === '/exact')).map((r) => r.body);
      assert.deepEqual(bodies.slice(1).sort(), ['{"k":1.10}', EXACT].sort());

      assert.equal((await raw('POST', `/api/v1/app/${app.id}/msg/${id}/endpoint/${ep.id}/resend`, '')).status, 202);
      const resent = await receiver.waitFor(4, (r) => r.path === '/exact');
      assert.equal(resent[3]!.body, EXACT);

      await env().hookyard.messages.publish(app.id, { eventType: 'lib', payload: jsonText(EXACT) });
      assert.equal((await receiver.waitFor(5, (r) => r.path === '/exact'))[4]!.body, EXACT);
    });
  });

  describe('refused at the edge', () => {
    let t: TestApi;
    before(async () => {
      t = await testApi(env().hookyard);
    });
    after(() => t.close());

    const nest = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
    const post = (app: string, body: string | Uint8Array) =>
      fetch(`${t.url}/api/v1/app/${app}/msg`, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }, body });

    test(`payloads nest up to ${PAYLOAD_MAX_DEPTH} levels; deeper ones get a 422 that says so, and nothing is written`, async () => {
      const app = await env().hookyard.applications.create({ name: 'deep' });
      assert.equal((await post(app.id, `{"eventType":"d","payload":${nest(PAYLOAD_MAX_DEPTH)}}`)).status, 202);
      const before = await countRows(env().storage, 'message');
      for (const levels of [PAYLOAD_MAX_DEPTH + 1, BODY_MAX_DEPTH, 5_000, 200_000]) {
        const res = await post(app.id, `{"eventType":"d","payload":${nest(levels)}}`);
        const body = (await res.json()) as { detail: { loc: string[]; msg: string }[] };
        assert.equal(res.status, 422, `${levels} levels`);
        assert.match(body.detail[0]!.msg, /deeper than \d+ levels/);
      }
      const batch = await fetch(`${t.url}/api/v1/app/${app.id}/msg/batch`, {
        method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: `{"messages":[{"eventType":"d","payload":{}},{"eventType":"d","payload":${nest(PAYLOAD_MAX_DEPTH + 1)}}]}`,
      });
      assert.equal(batch.status, 422);
      assert.deepEqual(((await batch.json()) as { detail: { loc: unknown[] }[] }).detail[0]!.loc, ['body', 1, 'payload']);
      await assert.rejects(env().hookyard.messages.publish(app.id, { eventType: 'd', payload: JSON.parse(nest(PAYLOAD_MAX_DEPTH + 1)) as Record<string, unknown> }), /deeper than/);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(env().hookyard.messages.publish(app.id, { eventType: 'd', payload: cyclic }), { code: 'validation' });
      assert.equal(await countRows(env().storage, 'message'), before);
    });

    test('a body that is not valid UTF-8 is refused with 400, not altered', async () => {
      const app = await env().hookyard.applications.create({ name: 'utf8' });
      const bytes = Buffer.concat([Buffer.from('{"eventType":"u","payload":{"s":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
      const res = await post(app.id, bytes);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { detail: string }).detail, /UTF-8/);
    });
  });
});

describeEachStorage('publish over HTTP: Idempotency-Key in the publish statement', (env) => {
  let t: TestApi;
  before(async () => {
    t = await testApi(env().hookyard);
  });
  after(() => t.close());
  const send = (path: string, body: string, key: string, query = '') =>
    fetch(`${t.url}${path}${query}`, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'idempotency-key': key }, body })
      .then(async (r) => ({ status: r.status, replayed: r.headers.get('idempotent-replayed'), text: await r.text() }));

  test('replay is byte for byte, with the first with_content; another body is 422; a key in progress is 409', async () => {
    const app = await env().hookyard.applications.create({ name: 'keys' });
    const path = `/api/v1/app/${app.id}/msg`;
    const body = `{"eventType":"k.v","payload":${EXACT}}`;
    const before = await countRows(env().storage, 'message');
    const first = await send(path, body, 'k-1');
    const again = await send(path, body, 'k-1', '?with_content=false');
    assert.deepEqual([first.status, again.status, first.replayed, again.replayed], [202, 202, null, 'true']);
    assert.equal(again.text, first.text, 'the first response again, content and all');
    assert.equal(await countRows(env().storage, 'message'), before + 1);
    const lean = await send(path, body, 'k-2', '?with_content=false');
    assert.equal((JSON.parse(lean.text) as { payload: unknown }).payload && JSON.stringify((JSON.parse(lean.text) as { payload: unknown }).payload), '{}');
    assert.equal((await send(path, body, 'k-2')).text, lean.text, 'replayed without content, as first answered');

    assert.equal((await send(path, `{"eventType":"k.v","payload":{"other":1}}`, 'k-1')).status, 422);

    // A request holding the key, as the generic middleware leaves it while a request runs.
    const { rows } = await env().storage.query<{ id: string }>(`select id from hookyard.api_token limit 1`);
    const fingerprint = createHash('sha256').update(`POST ${path}\n${body}`).digest('hex');
    await env().storage.query(`insert into hookyard.idempotency_key (token_id, key, fingerprint) values ($1, 'k-busy', $2)`, [rows[0]!.id, fingerprint]);
    assert.equal((await send(path, body, 'k-busy')).status, 409);
    assert.equal(await countRows(env().storage, 'message'), before + 2);
  });

  test('a refusal is recorded and replayed too: unknown application, schema mismatch', async () => {
    const missing = await send('/api/v1/app/app_missing/msg', '{"eventType":"a","payload":{}}', 'k-404');
    const again = await send('/api/v1/app/app_missing/msg', '{"eventType":"a","payload":{}}', 'k-404');
    assert.deepEqual([missing.status, again.status, again.replayed], [404, 404, 'true']);
    assert.equal(again.text, missing.text);

    const app = await env().hookyard.applications.create({ name: 'keys-schema' });
    await env().hookyard.eventTypes.create({ name: 'typed.k', description: 'needs id', schemas: { '1': { type: 'object', required: ['id'] } } });
    const bad = await send(`/api/v1/app/${app.id}/msg`, '{"eventType":"typed.k","payload":{}}', 'k-422');
    const badAgain = await send(`/api/v1/app/${app.id}/msg`, '{"eventType":"typed.k","payload":{}}', 'k-422');
    assert.deepEqual([bad.status, badAgain.status, badAgain.replayed], [422, 422, 'true']);
    // The key now belongs to that refused request: another body is a different request.
    assert.equal((await send(`/api/v1/app/${app.id}/msg`, '{"eventType":"typed.k","payload":{"id":1}}', 'k-422')).status, 422);
  });

  test('concurrent repeats publish once; each answer is the message or a 409', async () => {
    const app = await env().hookyard.applications.create({ name: 'keys-race' });
    const before = await countRows(env().storage, 'message');
    const results = await Promise.all(Array.from({ length: 8 }, () => send(`/api/v1/app/${app.id}/msg`, '{"eventType":"r","payload":{"n":1}}', 'k-race')));
    assert.ok(results.every((r) => r.status === 202 || r.status === 409), results.map((r) => r.status).join());
    assert.equal(new Set(results.filter((r) => r.status === 202).map((r) => (JSON.parse(r.text) as { id: string }).id)).size, 1);
    assert.equal(await countRows(env().storage, 'message'), before + 1);
  });
});
