import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { controlTokenGenerate } from '../auth/control-token.js';
import { tokenCreate, tokenFind, tokenRevoke } from '../auth/token.js';
import type { HookyardError } from '../errors.js';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';

describeEachStorage('token management through the API (admin tokens only)', (env) => {
  let t: TestApi;
  let admin: string;
  let plain: string;
  const control = controlTokenGenerate();
  before(async () => {
    // The default 5 s lookup cache: a revoke must not wait for it.
    t = await testApi(env().hookyard, { controlToken: control });
    admin = (await tokenCreate(env().storage, 'ops', 'admin')).token;
    plain = (await tokenCreate(env().storage, 'plain')).token;
  });
  after(() => t.close());

  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  test('an api-scoped token may use the API but not manage tokens', async () => {
    assert.equal((await t.call('GET', '/api/v1/app', undefined, as(plain))).status, 200);
    for (const [method, path, body] of [['GET', '/api/v1/token'], ['POST', '/api/v1/token', { name: 'x' }], ['GET', '/api/v1/token/ops'], ['POST', '/api/v1/token/ops/revoke']] as const) {
      const res = await t.call(method, path, body, as(plain));
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal((res.json as { code: string }).code, 'forbidden');
    }
  });

  test('an admin token creates, lists, finds and revokes; a revoked token is refused at once', async () => {
    const created = await t.call('POST', '/api/v1/token', { name: 'ci' }, as(admin));
    assert.equal(created.status, 201);
    const ci = created.json as { id: string; token: string; prefix: string; scope: string; revokedAt: null };
    assert.match(ci.token, /^hy_/);
    assert.deepEqual([ci.scope, ci.revokedAt, ci.token.startsWith(ci.prefix)], ['api', null, true]);
    // It works, and its lookup is now cached in the server.
    assert.equal((await t.call('GET', '/api/v1/app', undefined, as(ci.token))).status, 200);

    const listed = (await t.call('GET', '/api/v1/token', undefined, as(admin))).json as { data: { id: string; name: string }[]; done: boolean };
    assert.ok(listed.done && listed.data.some((x) => x.id === ci.id && x.name === 'ci'));
    assert.ok(!JSON.stringify(listed).includes(ci.token), 'a list never shows a token');
    assert.equal(((await t.call('GET', `/api/v1/token/${ci.prefix}`, undefined, as(admin))).json as { id: string }).id, ci.id);

    const revoked = await t.call('POST', '/api/v1/token/ci/revoke', undefined, as(admin));
    assert.equal(revoked.status, 200);
    assert.ok((revoked.json as { revokedAt: string | null }).revokedAt);
    assert.equal((await t.call('GET', '/api/v1/app', undefined, as(ci.token))).status, 401);
  });

  test('the control token is an admin in this process only; a token made through the API is not kept for replays', async () => {
    const res = await t.call('POST', '/api/v1/token', { name: 'from-cli', scope: 'admin' }, { ...as(control), 'idempotency-key': 'k1' });
    assert.equal(res.status, 201);
    const made = res.json as { token: string; scope: string };
    assert.equal(made.scope, 'admin');
    const { rows } = await env().storage.query<{ body: string | null }>('select body from hookyard.idempotency_key');
    assert.ok(!rows.some((r) => r.body?.includes(made.token)), 'a new token was stored for replay');
    // A server without it (PostgreSQL mode, a library's API) does not know it.
    const other = await testApi(env().hookyard);
    try {
      assert.equal((await other.call('GET', '/api/v1/token', undefined, as(control))).status, 401);
    } finally {
      await other.close();
    }
  });

  test('bad input: a name that looks like a token or id, an unknown scope, an unknown or ambiguous token', async () => {
    for (const name of ['hy_abc', 'tok_x', '', ' padded', 'a\u0000b']) {
      assert.equal((await t.call('POST', '/api/v1/token', { name }, as(admin))).status, 422, JSON.stringify(name));
    }
    assert.equal((await t.call('POST', '/api/v1/token', { name: 'x', scope: 'root' }, as(admin))).status, 422);
    assert.equal((await t.call('POST', '/api/v1/token/nope/revoke', undefined, as(admin))).status, 404);
    await tokenCreate(env().storage, 'twin');
    await tokenCreate(env().storage, 'twin');
    const twin = await t.call('POST', '/api/v1/token/twin/revoke', undefined, as(admin));
    assert.equal(twin.status, 409);
    assert.match((twin.json as { detail: string }).detail, /^2 tokens match \(tok_\w+, tok_\w+\); name one by its id$/);
  });

  test('the OpenAPI document describes the token routes, without an Idempotency-Key on them', () => {
    const paths = t.api.openapi.paths as Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    const create = paths['/api/v1/token']!.post!;
    assert.ok(create.responses['403']);
    assert.ok(!(create.parameters ?? []).some((p) => p.name === 'idempotency-key'));
    assert.ok(paths['/api/v1/token/{token_id}/revoke']!.post);
  });
});

describeEachStorage('finding a token by id, prefix, name or the token itself', (env) => {
  test('each way finds it; a live token wins over a revoked one of the same name; ambiguity is refused', async () => {
    const db = env().storage;
    const a = await tokenCreate(db, 'deploy');
    assert.equal((await tokenFind(db, a.record.id)).id, a.record.id);
    assert.equal((await tokenFind(db, a.record.prefix)).id, a.record.id);
    assert.equal((await tokenFind(db, 'deploy')).id, a.record.id);
    // The token itself, from the CLI only.
    assert.equal((await tokenFind(db, a.token, { byToken: true })).id, a.record.id);
    await assert.rejects(tokenFind(db, a.token), (e: HookyardError) => e.code === 'not_found' && !e.message.includes(a.token));

    await tokenRevoke(db, 'deploy');
    const b = await tokenCreate(db, 'deploy');
    assert.equal((await tokenRevoke(db, 'deploy')).id, b.record.id, 'the live one');
    // Both revoked now: the name matches two, and revoking again is refused rather than guessed.
    await assert.rejects(tokenRevoke(db, 'deploy'), (e: HookyardError) => e.code === 'conflict' && e.message.includes(a.record.id) && e.message.includes(b.record.id));
    // Revoking by id twice is fine and keeps the first time.
    const first = (await tokenFind(db, a.record.id)).revokedAt;
    assert.deepEqual((await tokenRevoke(db, a.record.id)).revokedAt, first);
  });
});
