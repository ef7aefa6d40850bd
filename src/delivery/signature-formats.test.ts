import assert from 'node:assert/strict';
import { createHmac, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { Svix } from 'svix';
import { Webhook } from 'standardwebhooks';
import { TEST_WORKER, waitForAttempts } from '../test/delivery.js';
import { startReceiver, type Received, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import { startWorker, type Worker } from './worker.js';

type Json = Record<string, unknown>;
const flat = (r: Received) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
// A payload whose text a re-serialisation or a careless form encoding would change.
const PAYLOAD_TEXT = '{"amount":12.50,"big":12345678901234567890,"q":"a&b=c+d %20","caf\u00e9":"\u2603 \ud83d\ude00"}';

/**
 * Every signature format end to end: endpoints created through the API with
 * the extension fields, messages published, delivered by a worker to a
 * loopback receiver, and each request checked by that format's own verifier.
 */
describeEachStorage('signature formats, header names and form bodies', (env) => {
  describe('through the API and a worker', () => {
    let t: TestApi;
    let svix: Svix;
    let worker: Worker;
    let receiver: Receiver;
    before(async () => {
      t = await testApi(env().hookyard);
      svix = new Svix(t.token, { serverUrl: t.url });
      receiver = await startReceiver();
      worker = startWorker(env().hookyard, TEST_WORKER);
    });
    after(async () => {
      await worker.stop(1_000);
      await t.close();
      await receiver.close();
    });

    let n = 0;
    async function endpoint(fields: Json): Promise<{ app: string; ep: Json; path: string }> {
      const path = `/f${++n}`;
      const app = await svix.application.create({ name: `formats-${n}` });
      const res = await t.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.origin + path, ...fields });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return { app: app.id, ep: res.json as Json, path };
    }
    /** Publishes the exact payload text and waits for its request. */
    async function deliver(app: string, path: string, eventType = 'invoice.paid'): Promise<{ msgId: string; got: Received }> {
      const res = await fetch(`${t.url}/api/v1/app/${app}/msg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: `{"eventType":"${eventType}","payload":${PAYLOAD_TEXT}}`,
      });
      const msg = (await res.json()) as { id: string };
      const [got] = await receiver.waitFor(1, (r) => r.path === path && !seen.has(r));
      seen.add(got!);
      return { msgId: msg.id, got: got! };
    }
    const seen = new Set<Received>();
    const secretOf = async (app: string, ep: Json) => (await svix.endpoint.getSecret(app, ep.id as string)).key;

    test('github: X-Hub-Signature-256 verified by @octokit/webhooks-methods, X-GitHub-Event and X-GitHub-Delivery set, no webhook-* headers', async () => {
      const { app, ep, path } = await endpoint({ signatureFormat: 'github' });
      assert.equal(ep.signatureFormat, 'github');
      assert.deepEqual(ep.headerNames, { id: 'x-github-delivery', timestamp: null, signature: 'x-hub-signature-256', event: 'x-github-event' });
      const { msgId, got } = await deliver(app, path);
      assert.equal(got.body, PAYLOAD_TEXT, 'the body is the payload exactly as published');
      assert.equal(await octokitVerify(await secretOf(app, ep), got.body, String(got.headers['x-hub-signature-256'])), true);
      assert.equal(got.headers['x-github-event'], 'invoice.paid');
      assert.equal(got.headers['x-github-delivery'], msgId);
      assert.deepEqual(Object.keys(got.headers).filter((h) => h.startsWith('webhook-')), []);
      // The stored attempt shows the signature header (a signature is not a credential).
      const [attempt] = await waitForAttempts(env().storage, [msgId], 1);
      assert.equal(attempt!.request_headers['x-hub-signature-256'], got.headers['x-hub-signature-256']);
    });

    test('stripe: Stripe-Signature passes stripe.webhooks.constructEvent; during a rotation\'s grace window two v1= and both secrets verify; gracePeriodSeconds 0 ends it at once', async () => {
      const { app, ep, path } = await endpoint({ signatureFormat: 'stripe' });
      const first = await secretOf(app, ep);
      const one = (await deliver(app, path)).got;
      const header1 = String(one.headers['stripe-signature']);
      assert.match(header1, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal((Stripe.webhooks.constructEvent(one.body, header1, first) as unknown as { amount: number }).amount, 12.5);

      await svix.endpoint.rotateSecret(app, ep.id as string, { gracePeriodSeconds: 3600 });
      const second = await secretOf(app, ep);
      const two = (await deliver(app, path)).got;
      const header2 = String(two.headers['stripe-signature']);
      assert.match(header2, /^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
      for (const secret of [second, first]) Stripe.webhooks.constructEvent(two.body, header2, secret);

      await svix.endpoint.rotateSecret(app, ep.id as string, { gracePeriodSeconds: 0 });
      const third = await secretOf(app, ep);
      const three = (await deliver(app, path)).got;
      const header3 = String(three.headers['stripe-signature']);
      // The second secret got no grace; the first's hour still runs, so it co-signs still.
      assert.equal(header3.split(',').filter((p) => p.startsWith('v1=')).length, 2);
      Stripe.webhooks.constructEvent(three.body, header3, third);
      Stripe.webhooks.constructEvent(three.body, header3, first);
      assert.throws(() => Stripe.webhooks.constructEvent(three.body, header3, second));
    });

    test('plain: X-Signature is the hex HMAC-SHA256 of the body, under a configured name too', async () => {
      const { app, ep, path } = await endpoint({ signatureFormat: 'plain', headerNames: { signature: 'X-Payload-Signature', event: 'X-Event' } });
      assert.deepEqual(ep.headerNames, { id: null, timestamp: null, signature: 'x-payload-signature', event: 'x-event' });
      const { got } = await deliver(app, path);
      const expected = createHmac('sha256', await secretOf(app, ep)).update(got.body).digest('hex');
      assert.equal(got.headers['x-payload-signature'], expected);
      assert.equal(got.headers['x-signature'], undefined);
      assert.equal(got.headers['x-event'], 'invoice.paid');
    });

    test('ed25519: a generated whsk_ key, GET …/secret answers whpk_, and v1a verifies with node crypto.verify; svix-* header names', async () => {
      const { app, ep, path } = await endpoint({ secretType: 'ed25519', headerNames: 'svix' });
      assert.deepEqual(ep.headerNames, { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature', event: null });
      const whpk = await secretOf(app, ep);
      assert.match(whpk, /^whpk_[A-Za-z0-9+/]{43}=$/);
      const { msgId, got } = await deliver(app, path);
      assert.equal(got.headers['svix-id'], msgId);
      assert.equal(got.headers['webhook-id'], undefined);
      const signature = String(got.headers['svix-signature']);
      assert.match(signature, /^v1a,/);
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(whpk.slice(5), 'base64').toString('base64url') }, format: 'jwk' });
      const content = Buffer.from(`${got.headers['svix-id']}.${got.headers['svix-timestamp']}.${got.body}`);
      assert.equal(cryptoVerify(null, content, key, Buffer.from(signature.slice(4), 'base64')), true);
    });

    test('standard stays the default: v1 verified by standardwebhooks, and a rotation to a caller\'s whsk_ key signs v1a and v1 through the grace window', async () => {
      const { app, ep, path } = await endpoint({});
      assert.equal(ep.signatureFormat, 'standard');
      assert.equal(ep.bodyFormat, 'json');
      assert.equal(ep.tlsVerify, true);
      assert.equal(ep.tlsWarning, null);
      const hmac = await secretOf(app, ep);
      const { got } = await deliver(app, path);
      new Webhook(hmac).verify(got.body, flat(got));
      // The SDK has no field for an ed25519 key's type; the whsk_ prefix says it.
      const whsk = 'whsk_' + (await import('../signing/ed25519.js')).ed25519SecretGenerate().slice(5);
      await svix.endpoint.rotateSecret(app, ep.id as string, { key: whsk });
      assert.match(await secretOf(app, ep), /^whpk_/);
      const after = (await deliver(app, path)).got;
      assert.match(String(after.headers['webhook-signature']), /^v1a,\S+ v1,\S+$/);
      new Webhook(hmac).verify(after.body, flat(after));
    });

    test('form bodies: application/x-www-form-urlencoded with the exact JSON in `payload`, signed over the body as sent (GitHub style)', async () => {
      const { app, ep, path } = await endpoint({ signatureFormat: 'github', bodyFormat: 'form' });
      assert.equal(ep.bodyFormat, 'form');
      const { got } = await deliver(app, path);
      assert.equal(got.headers['content-type'], 'application/x-www-form-urlencoded');
      const form = new URLSearchParams(got.body);
      assert.deepEqual([...form.keys()], ['payload']);
      assert.equal(form.get('payload'), PAYLOAD_TEXT, 'the payload text arrives byte for byte');
      assert.equal(await octokitVerify(await secretOf(app, ep), got.body, String(got.headers['x-hub-signature-256'])), true);
    });

    test('form bodies on the standard format: the signature is over the form text, as standardwebhooks computes it', async () => {
      const { app, ep, path } = await endpoint({ bodyFormat: 'form' });
      const { msgId, got } = await deliver(app, path);
      assert.equal(new URLSearchParams(got.body).get('payload'), PAYLOAD_TEXT);
      // standardwebhooks' verify parses the body as JSON, so its own signer is the check here.
      const at = new Date(Number(got.headers['webhook-timestamp']) * 1000);
      assert.equal(got.headers['webhook-signature'], new Webhook(await secretOf(app, ep)).sign(msgId, at, got.body));
    });

    test('a PUT without the extension fields keeps them (the SDK\'s models cannot carry them); PATCH changes them; null names go back to the format\'s', async () => {
      const { app, ep } = await endpoint({ signatureFormat: 'stripe', headerNames: { event: 'x-type' }, bodyFormat: 'form' });
      const put = await svix.endpoint.update(app, ep.id as string, { url: `${receiver.origin}/moved` });
      assert.equal(put.url, `${receiver.origin}/moved`);
      const kept = (await t.call('GET', `/api/v1/app/${app}/endpoint/${ep.id as string}`)).json as Json;
      assert.equal(kept.signatureFormat, 'stripe');
      assert.equal(kept.bodyFormat, 'form');
      assert.deepEqual(kept.headerNames, { id: null, timestamp: null, signature: 'stripe-signature', event: 'x-type' });
      const patched = (await t.call('PATCH', `/api/v1/app/${app}/endpoint/${ep.id as string}`, { headerNames: null, bodyFormat: 'json' })).json as Json;
      assert.deepEqual(patched.headerNames, { id: null, timestamp: null, signature: 'stripe-signature', event: null });
      assert.equal(patched.bodyFormat, 'json');
      const github = (await t.call('PATCH', `/api/v1/app/${app}/endpoint/${ep.id as string}`, { signatureFormat: 'github' })).json as Json;
      assert.equal((github.headerNames as Json).signature, 'x-hub-signature-256', 'a new format brings its own names');
    });

    test('refused with 422 and a located error: an ed25519 key on an HMAC format, clashing header names, framing header names, unknown formats', async () => {
      const app = (await svix.application.create({ name: 'refusals' })).id;
      const url = `${receiver.origin}/never`;
      const cases: [Json, (string | number)[]][] = [
        [{ signatureFormat: 'github', secretType: 'ed25519' }, ['body', 'signatureFormat']],
        [{ headerNames: { id: 'x-same', signature: 'x-same' } }, ['body', 'headerNames']],
        [{ headerNames: { signature: 'Content-Type' } }, ['body', 'headerNames']],
        [{ signatureFormat: 'sha1' }, ['body', 'signatureFormat']],
        [{ bodyFormat: 'xml' }, ['body', 'bodyFormat']],
        [{ secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'), secretType: 'ed25519' }, ['body', 'secretType']],
      ];
      for (const [fields, loc] of cases) {
        const res = await t.call('POST', `/api/v1/app/${app}/endpoint`, { url, ...fields });
        assert.equal(res.status, 422, JSON.stringify(fields));
        const detail = (res.json as { detail: { loc: (string | number)[] }[] }).detail;
        assert.deepEqual(detail[0]!.loc.slice(0, loc.length), loc, JSON.stringify(res.json));
      }
      const ed = await endpoint({ secretType: 'ed25519' });
      const toGithub = await t.call('PATCH', `/api/v1/app/${ed.app}/endpoint/${ed.ep.id as string}`, { signatureFormat: 'github' });
      assert.equal(toGithub.status, 422);
      const gh = await endpoint({ signatureFormat: 'plain' });
      const rotate = await t.call('POST', `/api/v1/app/${gh.app}/endpoint/${gh.ep.id as string}/secret/rotate`, { secretType: 'ed25519' });
      assert.equal(rotate.status, 422);
      const grace = await t.call('POST', `/api/v1/app/${gh.app}/endpoint/${gh.ep.id as string}/secret/rotate`, { gracePeriodSeconds: -1 });
      assert.equal(grace.status, 422);
    });
  });
});
