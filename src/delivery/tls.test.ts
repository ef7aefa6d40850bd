import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { Webhook } from 'standardwebhooks';
import { outboundAgent } from '../outbound/dispatcher.js';
import { send } from '../outbound/send.js';
import { TEST_WORKER, waitForAttempts } from '../test/delivery.js';
import { logCapture } from '../test/log-capture.js';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import { startWorker, type Worker } from './worker.js';

type Json = Record<string, unknown>;

/** A CA, and a certificate it signed for 127.0.0.1: what a self-hoster's internal CA does. */
async function internalCa(): Promise<{ caCert: string; cert: string; key: string }> {
  const ca = await generate([{ name: 'commonName', value: 'Hookyard Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }, { name: 'extKeyUsage', serverAuth: true }],
  });
  return { caCert: ca.cert, cert: leaf.cert, key: leaf.private };
}

/**
 * TLS per endpoint against a loopback HTTPS receiver whose certificate no
 * system CA signed: refused by default, accepted with verification off (and a
 * loud warning in the response and the log), or with the endpoint's own CA.
 */
describeEachStorage('TLS verification per endpoint', (env) => {
  describe('against a loopback HTTPS receiver', () => {
    let t: TestApi;
    let worker: Worker;
    let server: Server;
    let origin: string;
    let pki: { caCert: string; cert: string; key: string };
    const received: { path: string; body: string; headers: Record<string, string | string[] | undefined> }[] = [];
    const apiLog = logCapture('warn');
    const workerLog = logCapture('warn');
    before(async () => {
      pki = await internalCa();
      server = createServer({ cert: pki.cert, key: pki.key }, (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ path: req.url ?? '/', body, headers: req.headers });
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      t = await testApi(env().hookyard, { log: apiLog.log });
      worker = startWorker(env().hookyard, TEST_WORKER, workerLog.log);
    });
    after(async () => {
      await worker.stop(1_000);
      await t.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    async function appWith(fields: Json): Promise<{ app: string; ep: Json; status: number; body: Json }> {
      const app = ((await t.call('POST', '/api/v1/app', { name: 'tls' })).json as Json).id as string;
      const res = await t.call('POST', `/api/v1/app/${app}/endpoint`, { url: `${origin}/${String(Object.keys(fields).join('-') || 'default')}`, ...fields });
      return { app, ep: res.json as Json, status: res.status, body: res.json as Json };
    }
    async function publish(app: string): Promise<string> {
      const res = await t.call('POST', `/api/v1/app/${app}/msg`, { eventType: 'tls.check', payload: { ok: true } });
      return (res.json as Json).id as string;
    }

    test('verification is on by default: the unknown CA fails the attempt as `tls` and nothing arrives', async () => {
      const { app, ep } = await appWith({});
      assert.equal(ep.tlsVerify, true);
      const msg = await publish(app);
      const [attempt] = await waitForAttempts(env().storage, [msg], 1);
      assert.equal(attempt!.succeeded, false);
      assert.equal(attempt!.error_code, 'tls');
      assert.equal(received.filter((r) => r.path === '/default').length, 0);
    });

    test('verification off: delivered, with a warning in every response about the endpoint and in both logs', async () => {
      const { app, ep, status } = await appWith({ tlsVerify: false });
      assert.equal(status, 201);
      assert.equal(ep.tlsVerify, false);
      assert.match(String(ep.tlsWarning), /TLS certificate verification is OFF/);
      assert.ok(apiLog.lines.some((l) => l.endpointId === ep.id && /verification is OFF/.test(String(l.msg))), 'the API logged it');
      const read = (await t.call('GET', `/api/v1/app/${app}/endpoint/${ep.id as string}`)).json as Json;
      assert.match(String(read.tlsWarning), /OFF/);
      const msg = await publish(app);
      const [attempt] = await waitForAttempts(env().storage, [msg], 1);
      assert.equal(attempt!.succeeded, true, String(attempt!.error_message));
      const got = received.find((r) => r.path === '/tlsVerify')!;
      const secret = ((await t.call('GET', `/api/v1/app/${app}/endpoint/${ep.id as string}/secret`)).json as Json).key as string;
      new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
      assert.ok(workerLog.lines.some((l) => l.endpointId === ep.id && /verification OFF/.test(String(l.msg))), 'the worker logged it');
    });

    test('a custom CA: delivered with verification on; another CA does not let it through', async () => {
      const { app, ep } = await appWith({ tlsCaCertificate: pki.caCert });
      assert.equal(ep.tlsCaCertificate, pki.caCert);
      assert.equal(ep.tlsWarning, null);
      const msg = await publish(app);
      const [attempt] = await waitForAttempts(env().storage, [msg], 1);
      assert.equal(attempt!.succeeded, true, String(attempt!.error_message));

      const other = await internalCa();
      const wrong = await appWith({ tlsCaCertificate: other.caCert });
      const msg2 = await publish(wrong.app);
      const [refused] = await waitForAttempts(env().storage, [msg2], 1);
      assert.equal(refused!.error_code, 'tls');
    });

    test('a CA that is not a PEM certificate is refused at creation with 422, without echoing it; so is a CA with verification off', async () => {
      const key = pki.key;
      for (const [fields, why] of [
        [{ tlsCaCertificate: 'not a certificate' }, /PEM certificate/],
        [{ tlsCaCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, /does not parse/],
        [{ tlsCaCertificate: `${pki.caCert}\n${key}` }, /besides PEM certificates/],
        [{ tlsCaCertificate: pki.caCert, tlsVerify: false }, /verification on/],
      ] as [Json, RegExp][]) {
        const { status, body } = await appWith(fields);
        assert.equal(status, 422);
        const text = JSON.stringify(body);
        assert.match(text, why);
        assert.ok(!text.includes(key.split('\n')[1]!), 'the private key is not echoed');
      }
    });

    test('the SSRF guard stays in front of every TLS setting', async () => {
      for (const tls of [{ rejectUnauthorized: false }, { ca: pki.caCert }]) {
        const agent = outboundAgent({ allow: [], tls });
        const result = await send({ url: `${origin}/guarded`, headers: {}, body: '{}' }, { agent, timeoutMs: 2_000, maxResponseBytes: 1024, requireHttps: false });
        await agent.close();
        assert.equal(result.kind === 'error' && result.errorClass, 'blocked');
      }
      assert.equal(received.filter((r) => r.path === '/guarded').length, 0);
    });
  });
});
