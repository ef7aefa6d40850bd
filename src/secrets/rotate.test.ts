import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { HookyardError } from '../errors.js';
import { openHookyard } from '../hookyard.js';
import { storageKinds, testDatabase } from '../test/storages.js';
import { fingerprintGet, secretKeyFingerprint } from './key-check.js';
import { secretKeyFile, stagedKeyFile, stagedKeyWrite } from './key-file.js';
import { SEALED_COLUMNS, secretKeyRotate } from './rotate.js';
import { parseSecretKey } from './seal.js';
import { openStorage } from '../store/open.js';

const key = () => randomBytes(32);

for (const kind of storageKinds()) {
  describe(`the secret key: fingerprint and rotation [${kind}]`, () => {
    test('the first open records the fingerprint (never the key); another key is refused at open, saying so', async () => {
      const db = await testDatabase(kind);
      try {
        const k1 = key();
        const h1 = await openHookyard({ storage: db.storage, secretKey: k1, migrate: false });
        await h1.close();
        const stored = await fingerprintGet(db.storage);
        assert.equal(stored, secretKeyFingerprint(k1));
        assert.ok(!stored!.includes(k1.toString('hex')) && !stored!.includes(k1.toString('base64')));
        await assert.rejects(openHookyard({ storage: db.storage, secretKey: key(), migrate: false }), (e: HookyardError) => {
          assert.equal(e.code, 'secret_key');
          assert.match(e.message, /^HOOKYARD_SECRET_KEY \(--secret-key\): this key \(fingerprint [0-9a-f]{8}\) is not the one this database's secrets are sealed with \(fingerprint [0-9a-f]{8}\); start with that key, or change keys with `hookyard secret-key rotate`/);
          return true;
        });
        // The same key, given as base64 text, is fine.
        await (await openHookyard({ storage: db.storage, secretKey: k1.toString('base64'), migrate: false })).close();
      } finally {
        await db.close();
      }
    });

    test('a database from before the fingerprint: the key is checked against a stored secret first', async () => {
      const db = await testDatabase(kind);
      try {
        const k1 = key();
        const h = await openHookyard({ storage: db.storage, secretKey: k1, migrate: false });
        const app = await h.applications.create({ name: 'a' });
        await h.endpoints.create(app.id, { url: 'https://a.example/hook' });
        await h.close();
        await db.storage.query('delete from hookyard.secret_key');
        await assert.rejects(openHookyard({ storage: db.storage, secretKey: key(), migrate: false }), /does not open the secrets stored in this database/);
        assert.equal(await fingerprintGet(db.storage), undefined, 'a wrong key is not recorded');
        await (await openHookyard({ storage: db.storage, secretKey: k1, migrate: false })).close();
        assert.equal(await fingerprintGet(db.storage), secretKeyFingerprint(k1));
      } finally {
        await db.close();
      }
    });

    test('rotate re-seals every secret in one transaction; the old key is refused afterwards', async () => {
      const db = await testDatabase(kind);
      try {
        const [k1, k2] = [key(), key()];
        const h1 = await openHookyard({ storage: db.storage, secretKey: k1, migrate: false });
        const app = await h1.applications.create({ name: 'a' });
        const eps = [];
        for (let i = 0; i < 3; i++) eps.push(await h1.endpoints.create(app.id, { url: `https://a.example/${i}` }));
        await h1.endpoints.secretRotate(app.id, eps[0]!.id); // two secrets for this one
        const before = await Promise.all(eps.map((e) => h1.endpoints.secretGet(app.id, e.id)));
        await h1.close();
        const sealedBefore = (await db.storage.query<{ sealed: Uint8Array }>('select sealed from hookyard.endpoint_secret order by id')).rows.map((r) => Buffer.from(r.sealed).toString('hex'));

        const result = await secretKeyRotate(db.storage, k1, k2);
        assert.equal(result.resealed, 4);
        const sealedAfter = (await db.storage.query<{ sealed: Uint8Array }>('select sealed from hookyard.endpoint_secret order by id')).rows.map((r) => Buffer.from(r.sealed).toString('hex'));
        assert.equal(sealedAfter.length, 4);
        assert.ok(sealedAfter.every((s, i) => s !== sealedBefore[i]));

        await assert.rejects(openHookyard({ storage: db.storage, secretKey: k1, migrate: false }), /is not the one this database's secrets are sealed with/);
        const h2 = await openHookyard({ storage: db.storage, secretKey: k2, migrate: false });
        assert.deepEqual(await Promise.all(eps.map((e) => h2.endpoints.secretGet(app.id, e.id))), before);
        await h2.close();
        // Rotating from a key that is no longer current is refused.
        await assert.rejects(secretKeyRotate(db.storage, k1, key()), /the current key .* is not the database's/);
      } finally {
        await db.close();
      }
    });

    test('a value the old key cannot open stops the rotation, names its row, and changes nothing', async () => {
      const db = await testDatabase(kind);
      try {
        const [k1, k2] = [key(), key()];
        const h = await openHookyard({ storage: db.storage, secretKey: k1, migrate: false });
        const app = await h.applications.create({ name: 'a' });
        const good = await h.endpoints.create(app.id, { url: 'https://a.example/good' });
        const bad = await h.endpoints.create(app.id, { url: 'https://a.example/bad' });
        await h.close();
        await db.storage.query("update hookyard.endpoint_secret set sealed = decode(repeat('00', 60), 'hex') where endpoint_id = $1", [bad.id]);
        const snapshot = async () => (await db.storage.query<{ sealed: Uint8Array }>('select sealed from hookyard.endpoint_secret order by id')).rows.map((r) => Buffer.from(r.sealed).toString('hex'));
        const before = await snapshot();
        await assert.rejects(secretKeyRotate(db.storage, k1, k2), new RegExp(`cannot decrypt the secret of ${bad.id}`));
        assert.deepEqual(await snapshot(), before);
        assert.equal(await fingerprintGet(db.storage), secretKeyFingerprint(k1));
        assert.ok(good.id);
      } finally {
        await db.close();
      }
    });

    test('every sealed column of the schema is in SEALED_COLUMNS, so a rotation misses none', async () => {
      const db = await testDatabase(kind);
      try {
        const { rows } = await db.storage.query<{ t: string; c: string }>(
          "select table_name as t, column_name as c from information_schema.columns where table_schema = 'hookyard' and data_type = 'bytea' order by 1, 2",
        );
        assert.deepEqual(rows.map((r) => `${r.t}.${r.c}`), SEALED_COLUMNS.map((s) => `${s.table}.${s.column}`).sort());
      } finally {
        await db.close();
      }
    });
  });
}

describe('the secret key in an embedded data folder', () => {
  test('a rotation that committed but did not rename its key file is finished by the next open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hookyard-key-'));
    try {
      const h1 = await openHookyard({ dataDir: dir });
      const app = await h1.applications.create({ name: 'a' });
      const ep = await h1.endpoints.create(app.id, { url: 'https://a.example/hook' });
      const secret = await h1.endpoints.secretGet(app.id, ep.id);
      await h1.close();
      const k1 = parseSecretKey(await readFile(secretKeyFile(dir), 'utf8'));
      const k2 = key();
      // What `secret-key rotate` does, stopped before its last step (the rename).
      await stagedKeyWrite(dir, k2);
      const storage = await openStorage({ dataDir: dir });
      await secretKeyRotate(storage, k1, k2);
      await storage.close();

      const h2 = await openHookyard({ dataDir: dir });
      assert.deepEqual(await h2.endpoints.secretGet(app.id, ep.id), secret);
      await h2.close();
      assert.ok(!existsSync(stagedKeyFile(dir)));
      assert.deepEqual(parseSecretKey(await readFile(secretKeyFile(dir), 'utf8')), k2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a replaced secret.key is refused, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hookyard-key-'));
    try {
      await (await openHookyard({ dataDir: dir })).close();
      await writeFile(secretKeyFile(dir), key().toString('base64'));
      await assert.rejects(openHookyard({ dataDir: dir }), /^HookyardError: HOOKYARD_DATA_DIR \(--data-dir\): the key in .*secret\.key \(fingerprint \w+\) is not the one .*restore the folder's own secret\.key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
