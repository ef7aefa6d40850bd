import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { newId } from '../ids/id.js';
import { openPostgres } from '../store/postgres.js';
import type { Storage } from '../store/port.js';
import { testApi, type TestApi } from '../test/api.js';
import { describeEachStorage, TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';
import type { AcceptedEvent } from './record.js';
import { RECEIVE_PATH } from './receive.js';
import type { SourceWithToken } from './service.js';

/**
 * A change to a source takes effect at once everywhere, although each process caches the
 * sources it looked up: the statement that records an event checks the source against the one
 * the request was verified with (migration 021), and a change notifies every process to drop its
 * cache.
 */
const event = (s: SourceWithToken, overrides: Partial<AcceptedEvent> = {}): AcceptedEvent => ({
  sourceId: s.id, tokenHash: s.tokenHash, sourceVersion: s.version, appId: s.appId, messageId: newId('msg'), eventType: 'push',
  eventId: null, payload: '{"a":1}', verified: true, receivedAt: new Date(),
  log: { id: newId('inreq'), clientIp: '127.0.0.1', userAgent: null, headers: {}, size: 7, durationMs: 1, contentType: null },
  ...overrides,
});

describeEachStorage('the record statement checks the source as it is now', (env) => {
  test('a rotated key is gone, a disabled source disabled, an updated one changed; as it is, it records and counts', async () => {
    const { sources } = env().hookyard;
    const seen = await sources.create({ name: 'checked', type: 'generic-webhook' });
    assert.equal((await sources.record(event(seen))).kind, 'created');

    await sources.update(seen.id, { name: 'checked, renamed', type: 'generic-webhook' });
    assert.equal((await sources.record(event(seen))).kind, 'changed', 'verified against the settings before the update');
    const updated = await sources.get(seen.id);
    assert.equal((await sources.record(event(updated))).kind, 'created');

    await sources.setDisabled(seen.id, true);
    assert.equal((await sources.record(event(await sources.get(seen.id)))).kind, 'disabled');
    assert.equal((await sources.record(event(updated))).kind, 'disabled', 'disabled wins over changed: the answer is 403');
    await sources.setDisabled(seen.id, false);

    await sources.rotateToken(seen.id);
    assert.equal((await sources.record(event(updated))).kind, 'gone', 'the old key');
    const rotated = await sources.get(seen.id);
    assert.equal((await sources.record(event(rotated))).kind, 'created');

    assert.equal((await sources.stats(seen.id)).eventsReceived, 3, 'only the created ones are counted');
  });

  test('a group mixing live and refused requests records the live ones only', async () => {
    const { sources } = env().hookyard;
    const a = await sources.create({ name: 'live', type: 'generic-webhook' });
    const b = await sources.create({ name: 'rotated', type: 'generic-webhook' });
    await sources.rotateToken(b.id);
    const outcomes = await Promise.all([sources.record(event(a)), sources.record(event(b)), sources.record(event(a))]);
    assert.deepEqual(outcomes.map((o) => o.kind), ['created', 'gone', 'created']);
    assert.equal((await sources.stats(a.id)).eventsReceived, 2);
    assert.equal((await sources.stats(b.id)).eventsReceived, 0);
  });

  test('with an event type of the same name declared, the event is still recorded (the type\'s version is read in the statement)', async () => {
    const { sources, eventTypes } = env().hookyard;
    await eventTypes.create({ name: 'declared.kind', description: 'declared' });
    const s = await sources.create({ name: 'typed', type: 'generic-webhook' });
    assert.equal((await sources.record(event(s, { eventType: 'declared.kind' }))).kind, 'created');
  });
});

describeEachStorage('a source changed by one process, as another one sees it', (env) => {
  let second: { hookyard: Hookyard; storage: Storage; api: TestApi };
  let first: TestApi;
  before(async () => {
    first = await testApi(env().hookyard);
    const storage = await openPostgres({ connectionString: env().url!, max: 4 });
    const hookyard = await openHookyard({ storage, secretKey: TEST_SECRET_KEY, migrate: false, allowCidrs: TEST_ALLOW_CIDRS });
    second = { hookyard, storage, api: await testApi(hookyard) };
  });
  after(async () => {
    await second.api.close();
    await second.hookyard.close();
    await second.storage.close();
    await first.close();
  });

  const keyOf = (ingestUrl: string) => ingestUrl.slice(ingestUrl.indexOf(`${RECEIVE_PATH}/`));
  async function post(api: TestApi, key: string, secret: string, n: number): Promise<{ status: number; code?: string }> {
    const body = JSON.stringify({ n });
    const res = await fetch(api.url + key, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `d-${Date.now()}-${n}`, 'x-hub-signature-256': await githubSign(secret, body) },
      body,
    });
    const json = (await res.json()) as { code?: string };
    return { status: res.status, ...(json.code ? { code: json.code } : {}) };
  }
  async function sourceSeenBySecond(name: string, secret: string) {
    const source = (await first.call('POST', '/ingest/api/v1/source', { name, type: 'github', config: { secret } })).json as { id: string; ingestUrl: string };
    const key = keyOf(source.ingestUrl);
    assert.equal((await post(second.api, key, secret, 0)).status, 200, 'the second process has the source cached now');
    return { id: source.id, key };
  }

  test('a rotated key: the old URL is 404 at once through the other process, the new one accepts', async () => {
    const { id, key } = await sourceSeenBySecond('rotated', 's');
    const rotated = (await first.call('POST', `/ingest/api/v1/source/${id}/token/rotate`)).json as { ingestUrl: string };
    assert.deepEqual(await post(second.api, key, 's', 1), { status: 404, code: 'unknown_key' });
    assert.equal((await post(second.api, keyOf(rotated.ingestUrl), 's', 2)).status, 200);
  });

  test('disabled: 403 at once through the other process; enabled again, it accepts there well within the cache\'s second', async () => {
    const { id, key } = await sourceSeenBySecond('disabled', 's');
    assert.equal((await first.call('POST', `/ingest/api/v1/source/${id}/disable`)).status, 200);
    assert.deepEqual(await post(second.api, key, 's', 1), { status: 403, code: 'disabled' });
    assert.equal((await first.call('POST', `/ingest/api/v1/source/${id}/enable`)).status, 200);
    const enabledAt = performance.now();
    let answer = await post(second.api, key, 's', 2);
    while (answer.status !== 200 && performance.now() - enabledAt < 800) {
      await new Promise((r) => setTimeout(r, 20));
      answer = await post(second.api, key, 's', 3);
    }
    assert.equal(answer.status, 200, 'the notification dropped the cached disabled source');
  });

  test('a new secret: the old one is refused at once through the other process, the new one accepted', async () => {
    const { id, key } = await sourceSeenBySecond('resecreted', 'old secret');
    assert.equal((await first.call('PUT', `/ingest/api/v1/source/${id}`, { name: 'resecreted', type: 'github', config: { secret: 'new secret' } })).status, 200);
    assert.equal((await post(second.api, key, 'old secret', 1)).status, 401);
    assert.equal((await post(second.api, key, 'new secret', 2)).status, 200);
  });
}, {}, ['postgres']);
