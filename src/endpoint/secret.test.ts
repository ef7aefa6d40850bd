import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { endpointFor } from '../test/fixtures.js';
import { ed25519SecretGenerate } from '../signing/ed25519.js';

describeEachStorage('endpoint secrets at rest', (env) => {
  test('no table holds a plaintext secret, in any encoding', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'crypto' });
    const supplied = 'whsec_' + Buffer.from('a supplied secret of 32 bytes!!!').toString('base64');
    const ep1 = await endpointFor(hookyard, app.id, { secret: supplied });
    const ep2 = await endpointFor(hookyard, app.id);
    const generated = (await hookyard.endpoints.secretGet(app.id, ep2.id)).key;
    // An ed25519 signing key is sealed like an HMAC secret; GET …/secret shows only its public half.
    const edKey = ed25519SecretGenerate();
    const ep3 = await endpointFor(hookyard, app.id, { secret: edKey });
    assert.match((await hookyard.endpoints.secretGet(app.id, ep3.id)).key, /^whpk_/);
    assert.equal((await hookyard.endpoints.secretGet(app.id, ep1.id)).key, supplied);

    // Dump every hookyard table as text, bytea included, and look for any form of either secret.
    const { rows: tables } = await storage.query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = 'hookyard'`);
    let dump = '';
    for (const { t } of tables) {
      const { rows } = await storage.query<{ r: string }>(`select (x.*)::text as r from hookyard.${t} x`);
      dump += rows.map((r) => r.r).join('\n');
    }
    assert.match(dump, /\\x[0-9a-f]{40,}/, 'the sealed secrets are in the dump (as bytea hex)');
    for (const secret of [supplied, generated, edKey]) {
      const body = secret.slice(secret.indexOf('_') + 1);
      const raw = Buffer.from(body, 'base64');
      const seed = raw.subarray(0, raw.length === 64 ? 32 : raw.length);
      for (const form of [secret, body, raw.toString('hex'), raw.toString('latin1'), seed.toString('hex'), seed.toString('base64')]) {
        assert.ok(!dump.includes(form), 'a form of the secret is stored in plaintext');
      }
    }
  });

  test('rotation: the old secret stays active for the grace window, then only the new one', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'rotate' });
    const ep = await endpointFor(hookyard, app.id);
    const old = (await hookyard.endpoints.secretGet(app.id, ep.id)).key;
    await hookyard.endpoints.secretRotate(app.id, ep.id);
    const next = (await hookyard.endpoints.secretGet(app.id, ep.id)).key;
    assert.notEqual(next, old);
    const { rows } = await storage.query<{ expires_at: Date | null }>('select expires_at from hookyard.endpoint_secret where endpoint_id = $1 order by id', [ep.id]);
    assert.equal(rows.length, 2);
    const graceLeft = rows[0]!.expires_at!.getTime() - Date.now();
    assert.ok(graceLeft > 23 * 3600_000 && graceLeft <= 24 * 3600_000, `grace window ${graceLeft} ms`);
    assert.equal(rows[1]!.expires_at, null);
  });

  test('a supplied secret that is malformed is refused without echoing it', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'bad-secret' });
    const bad = 'whsec_c2hvcnQ=';
    await assert.rejects(endpointFor(hookyard, app.id, { secret: bad }), (e: Error & { code?: string }) => e.code === 'validation' && !e.message.includes('c2hvcnQ'));
  });
});
