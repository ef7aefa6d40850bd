import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { Svix } from 'svix';
import { testApi, type TestApi } from '../test/api.js';
import { describeEachStorage } from '../test/storages.js';

/** Every `svix.ingest.source.*` and `svix.ingest.endpoint.*` method, through the real SDK. */
describeEachStorage('svix.ingest through the SDK', (env) => {
  let t: TestApi;
  let svix: Svix;
  before(async () => {
    t = await testApi(env().hookyard);
    svix = new Svix(t.token, { serverUrl: t.url });
  });
  after(() => t.close());

  test('sources: create, get, list, update, rotateToken, delete', async () => {
    const created = await svix.ingest.source.create({ name: 'GitHub', uid: 'gh', type: 'github', config: { secret: 'gh-secret' } });
    assert.match(created.id, /^src_/);
    assert.equal(created.type, 'github');
    assert.deepEqual(created.config, {}, 'the secret is redacted, as Svix does');
    assert.match(created.ingestUrl!, new RegExp(`^${t.url}/in/wh_[A-Za-z0-9_-]{43}$`));

    const got = await svix.ingest.source.get('gh');
    assert.equal(got.id, created.id);
    assert.equal(got.ingestUrl, created.ingestUrl);
    const list = await svix.ingest.source.list({ limit: 10 });
    assert.ok(list.data.some((s) => s.id === created.id));
    // The hidden application is not one of the caller's applications.
    const apps = await svix.application.list();
    assert.equal(apps.data.length, 0);

    const updated = await svix.ingest.source.update(created.id, { name: 'GitHub org', uid: 'gh', type: 'github', config: { secret: 'other' } });
    assert.equal(updated.name, 'GitHub org');

    const before = await fetch(created.ingestUrl!, { method: 'POST', body: '{}' });
    await before.arrayBuffer();
    assert.equal(before.status, 401, 'the old URL works (the signature is missing)');
    const rotated = await svix.ingest.source.rotateToken(created.id);
    assert.notEqual(rotated.ingestUrl, created.ingestUrl);
    const old = await fetch(created.ingestUrl!, { method: 'POST', body: '{}' });
    await old.arrayBuffer();
    assert.equal(old.status, 404, 'the old URL is refused at once');
    assert.equal((await svix.ingest.source.get(created.id)).ingestUrl, rotated.ingestUrl);

    await svix.ingest.source.delete(created.id);
    await assert.rejects(svix.ingest.source.get(created.id), (e: { code: number }) => e.code === 404);
  });

  // A read never shows a secret, so get-then-update sends a config without one: that must keep
  // the secret, not turn verification off (GitHub's secret is optional, as in Svix).
  test('an update whose config leaves a secret out keeps it, one without a config keeps it all; null removes it; another type needs its own', async () => {
    const secret = 'kept-secret';
    const source = await svix.ingest.source.create({ name: 'GitHub', type: 'github', config: { secret } });
    const body = '{"zen":"Keep it logically awesome."}';
    const post = async (signed: boolean) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': `d-${Math.random()}` };
      if (signed) headers['x-hub-signature-256'] = await githubSign(secret, body);
      const res = await fetch(source.ingestUrl!, { method: 'POST', headers, body });
      return { status: res.status, body: (await res.json()) as { verified?: boolean } };
    };

    const got = await svix.ingest.source.get(source.id);
    assert.deepEqual(got.config, {});
    await svix.ingest.source.update(source.id, { name: 'GitHub, renamed', type: 'github', config: got.config as Record<string, never> });
    assert.equal((await post(false)).status, 401, 'unsigned is still refused');
    const signed = await post(true);
    assert.deepEqual([signed.status, signed.body.verified], [200, true], 'the kept secret verifies');

    await svix.ingest.source.update(source.id, { name: 'GitHub, renamed', type: 'github', config: { secret: null } });
    const open = await post(false);
    assert.deepEqual([open.status, open.body.verified], [200, false], 'null removes the secret: accepted, and said to be unverified');
    // The request log, which is what an operator reads, says it too.
    const log = (await t.call('GET', `/ingest/api/v1/source/${source.id}/request?outcome=accepted`)).json as { data: { reason: string | null }[] };
    assert.deepEqual(log.data.map((r) => r.reason), ['unverified', null], 'newest first: the unverified one, then the signed one');

    await svix.ingest.source.update(source.id, { name: 'GitHub', type: 'github', config: { secret } });
    // A config left out altogether keeps the whole config (a raw PUT; the SDK always sends one).
    // (Raw HTTP: the SDK does not know Hookyard's own types.)
    const header = (await t.call('POST', '/ingest/api/v1/source', { name: 'token', type: 'hookyard-header-token', config: { token: 'tok-123456', headerName: 'X-Token', prefix: 'Key ' } })).json as { id: string; ingestUrl: string };
    assert.equal((await t.call('PUT', `/ingest/api/v1/source/${header.id}`, { name: 'token, renamed', type: 'hookyard-header-token' })).status, 200);
    const kept = await fetch(header.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': 'Key tok-123456' }, body: '{}' });
    await kept.arrayBuffer();
    assert.equal(kept.status, 200, 'the header name, prefix and token are as they were');
    await assert.rejects(svix.ingest.source.update(source.id, { name: 'now Stripe', type: 'stripe', config: {} } as never), (e: { code: number }) => e.code === 422, "GitHub's secret is not carried over to Stripe");
  });

  test('an unknown type or a bad config is refused at creation', async () => {
    await assert.rejects(svix.ingest.source.create({ name: 'x', type: 'nope' } as never), (e: { code: number }) => e.code === 422);
    await assert.rejects(svix.ingest.source.create({ name: 'x', type: 'github', config: { secret: 5 } } as never), (e: { code: number }) => e.code === 422);
  });

  test('ingest endpoints: create, get, list, update, secrets, headers, delete', async () => {
    const source = await svix.ingest.source.create({ name: 'generic', type: 'generic-webhook' });
    const ep = await svix.ingest.endpoint.create(source.id, { url: 'http://127.0.0.1:9/in', uid: 'dest', description: 'd' });
    assert.match(ep.id, /^ep_/);
    assert.equal((await svix.ingest.endpoint.get(source.id, 'dest')).id, ep.id);
    assert.deepEqual((await svix.ingest.endpoint.list(source.id)).data.map((e) => e.id), [ep.id]);
    const updated = await svix.ingest.endpoint.update(source.id, ep.id, { url: 'http://127.0.0.1:9/other', uid: 'dest' });
    assert.equal(updated.url, 'http://127.0.0.1:9/other');

    const { key } = await svix.ingest.endpoint.getSecret(source.id, ep.id);
    assert.match(key, /^whsec_/);
    await svix.ingest.endpoint.rotateSecret(source.id, ep.id, {});
    assert.notEqual((await svix.ingest.endpoint.getSecret(source.id, ep.id)).key, key);
    await svix.ingest.endpoint.rotateSecret(source.id, ep.id, { key: 'whsec_' + Buffer.alloc(24, 1).toString('base64') });
    assert.equal((await svix.ingest.endpoint.getSecret(source.id, ep.id)).key, 'whsec_' + Buffer.alloc(24, 1).toString('base64'));

    await svix.ingest.endpoint.updateHeaders(source.id, ep.id, { headers: { 'X-Team': 'core', Authorization: 'Bearer x' } });
    const headers = await svix.ingest.endpoint.getHeaders(source.id, ep.id);
    assert.deepEqual(headers.headers, { 'X-Team': 'core' });
    assert.deepEqual(headers.sensitive, ['Authorization']);

    await svix.ingest.endpoint.delete(source.id, ep.id);
    await assert.rejects(svix.ingest.endpoint.get(source.id, ep.id), (e: { code: number }) => e.code === 404);
    await assert.rejects(svix.ingest.endpoint.list('src_unknown'), (e: { code: number }) => e.code === 404);
  });
});
