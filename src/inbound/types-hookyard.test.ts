import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { inboundFixture } from '../test/inbound.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * Hookyard's own source types end to end over HTTP. The signers are independent of
 * src/inbound/verify: HMACs come from node's createHmac over the body as sent, credentials are
 * built by hand as RFC 7617 says (base64 of `user:password`).
 */
describeEachStorage('hookyard-* source types over HTTP', (env) => {
  describe('with a worker and a loopback receiver', () => {
    const fixture = inboundFixture(env);

    // Each row: the config's algorithm, encoding, header and prefix, and what the sender puts in the header.
    const hmacCases: { name: string; config: Record<string, unknown>; header: string; sign: (body: string, secret: string) => string }[] = [
      {
        name: 'defaults: sha256, hex, X-Webhook-Signature, no prefix',
        config: {},
        header: 'x-webhook-signature',
        sign: (b, s) => createHmac('sha256', s).update(b).digest('hex'),
      },
      {
        name: 'sha256 hex with the sha256= prefix in X-Hub-Signature-256, upper-case hex',
        config: { headerName: 'X-Hub-Signature-256', prefix: 'sha256=' },
        header: 'X-Hub-Signature-256',
        sign: (b, s) => `sha256=${createHmac('sha256', s).update(b).digest('hex').toUpperCase()}`,
      },
      {
        // A name the general redaction rule does not know: redacted because the config names it.
        name: 'sha512 base64 in a custom header (X-Acme-Digest), no prefix',
        config: { algorithm: 'sha512', encoding: 'base64', headerName: 'X-Acme-Digest' },
        header: 'x-acme-digest',
        sign: (b, s) => createHmac('sha512', s).update(b).digest('base64'),
      },
      {
        name: 'sha1 hex with the sha1= prefix in X-Hub-Signature',
        config: { algorithm: 'sha1', headerName: 'X-Hub-Signature', prefix: 'sha1=' },
        header: 'x-hub-signature',
        sign: (b, s) => `sha1=${createHmac('sha1', s).update(b).digest('hex')}`,
      },
      {
        name: 'sha512 base64 with a v1= prefix',
        config: { algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' },
        header: 'x-webhook-signature',
        sign: (b, s) => `v1=${createHmac('sha512', s).update(b).digest('base64')}`,
      },
    ];

    hmacCases.forEach((c, i) => {
      test(`hookyard-hmac, ${c.name}: accepted and forwarded; tampered, other secret, no header, no prefix refused and logged`, async () => {
        const f = fixture();
        const secret = `hmac-secret-${i}-0123456789`;
        const path = `/hmac-${i}`;
        const { source, secret: epSecret } = await f.sourceWith({ name: `hmac ${i}`, type: 'hookyard-hmac', config: { secret, eventTypeHeader: 'x-acme-event', ...c.config } }, path);
        const body = JSON.stringify({ id: `evt_${i}`, amount: 12.5, note: 'caf\u00e9' });
        const ok = await f.send(source.ingestUrl, { [c.header]: c.sign(body, secret), 'x-acme-event': 'invoice.paid' }, body);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json?.status, 'accepted');
        const got = await f.forwardedTo(path, epSecret, body);
        assert.equal(got.headers['webhook-id'], ok.json?.messageId);

        const tampered = await f.send(source.ingestUrl, { [c.header]: c.sign(body, secret) }, body.replace('12.5', '125'));
        const wrongSecret = await f.send(source.ingestUrl, { [c.header]: c.sign(body, 'another-secret') }, body);
        const missing = await f.send(source.ingestUrl, {}, body);
        // The signature without the configured prefix (or with one that was not configured) does not match.
        const bare = c.sign(body, secret).replace(/^[a-z0-9]+=/i, '');
        const prefixWrong = await f.send(source.ingestUrl, { [c.header]: c.config.prefix ? bare : `sha256=${bare}` }, body);
        for (const [res, code] of [[tampered, 'signature_invalid'], [wrongSecret, 'signature_invalid'], [missing, 'signature_missing'], [prefixWrong, 'signature_invalid']] as const) {
          assert.equal(res.status, 401, res.text);
          assert.equal(res.json?.code, code);
        }
        assert.deepEqual(await f.rejections(source.id), [[401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_missing']]);
        const [accepted] = await f.logOf(source.id, '?outcome=accepted');
        assert.equal(accepted!.eventType, 'invoice.paid', 'the event type from eventTypeHeader');
        assert.equal(accepted!.headers[c.header.toLowerCase()], '[redacted]', 'the signature header is not logged');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(f.receiver.received.filter((r) => r.path === path).length, 1, 'only the accepted request was forwarded');
      });
    });

    test('hookyard-hmac with a dedupHeader: a repeated delivery id is a duplicate, not forwarded twice', async () => {
      const f = fixture();
      const { source } = await f.sourceWith({ name: 'hmac dedup', type: 'hookyard-hmac', config: { secret: 'dedup-secret', dedupHeader: 'X-Delivery-Id' } }, '/hmac-dedup');
      const body = '{"type":"thing.happened"}';
      const headers = { 'x-webhook-signature': createHmac('sha256', 'dedup-secret').update(body).digest('hex'), 'x-delivery-id': 'del-42' };
      assert.equal((await f.send(source.ingestUrl, headers, body)).json?.status, 'accepted');
      assert.equal((await f.send(source.ingestUrl, headers, body)).json?.status, 'duplicate');
      await f.receiver.waitFor(1, (r) => r.path === '/hmac-dedup');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(f.receiver.received.filter((r) => r.path === '/hmac-dedup').length, 1);
      assert.deepEqual((await f.logOf(source.id)).map((r) => r.outcome), ['duplicate', 'accepted']);
    });

    test('hookyard-basic-auth: right credentials accepted and forwarded; wrong password, wrong user, none, not Basic refused and logged', async () => {
      const f = fixture();
      const { source, secret: epSecret } = await f.sourceWith({ name: 'basic', type: 'hookyard-basic-auth', config: { username: 'acme', password: 'p\u00e4ss w:rd 123' } }, '/basic');
      const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
      const body = '{"type":"order.created","id":7}';
      const ok = await f.send(source.ingestUrl, { authorization: basic('acme', 'p\u00e4ss w:rd 123') }, body);
      assert.equal(ok.status, 200, ok.text);
      await f.forwardedTo('/basic', epSecret, body);
      const refused = [
        await f.send(source.ingestUrl, { authorization: basic('acme', 'p\u00e4ss w:rd 124') }, body),
        await f.send(source.ingestUrl, { authorization: basic('acme2', 'p\u00e4ss w:rd 123') }, body),
        await f.send(source.ingestUrl, {}, body),
        await f.send(source.ingestUrl, { authorization: 'Bearer p\u00e4ss' }, body),
      ];
      for (const res of refused) {
        assert.equal(res.status, 401, res.text);
        assert.equal(res.json?.code, 'credentials_invalid');
      }
      assert.deepEqual(await f.rejections(source.id), Array.from({ length: 4 }, () => [401, 'credentials_invalid']));
      const [accepted] = await f.logOf(source.id, '?outcome=accepted');
      assert.equal(accepted!.headers.authorization, '[redacted]', 'credentials are not logged');
      assert.equal(accepted!.eventType, 'order.created');
      // Nothing is signed: a changed body with the right credentials is accepted (docs/inbound.md says so).
    });

    test('hookyard-header-token: the token in its header (and as a Bearer prefix) accepted; wrong, missing, unprefixed refused and logged; never logged', async () => {
      const f = fixture();
      const token = 'tok_9f8e7d6c5b4a39281706';
      const plain = await f.sourceWith({ name: 'token', type: 'hookyard-header-token', config: { token } }, '/token');
      const bearer = await f.sourceWith({ name: 'bearer', type: 'hookyard-header-token', config: { token, headerName: 'Authorization', prefix: 'Bearer ' } }, '/bearer');
      const body = '{"type":"ping"}';
      assert.equal((await f.send(plain.source.ingestUrl, { 'x-webhook-token': token }, body)).status, 200);
      await f.forwardedTo('/token', plain.secret, body);
      assert.equal((await f.send(bearer.source.ingestUrl, { authorization: `Bearer ${token}` }, body)).status, 200);
      await f.forwardedTo('/bearer', bearer.secret, body);
      const refused = [
        await f.send(plain.source.ingestUrl, { 'x-webhook-token': token.slice(0, -1) }, body),
        await f.send(plain.source.ingestUrl, { 'x-webhook-token': `${token}0` }, body),
        await f.send(plain.source.ingestUrl, { authorization: `Bearer ${token}` }, body),
        await f.send(bearer.source.ingestUrl, { authorization: token }, body),
        await f.send(bearer.source.ingestUrl, {}, body),
      ];
      for (const res of refused) {
        assert.equal(res.status, 401, res.text);
        assert.equal(res.json?.code, 'credentials_invalid');
      }
      assert.deepEqual(await f.rejections(plain.source.id), Array.from({ length: 3 }, () => [401, 'credentials_invalid']));
      assert.deepEqual(await f.rejections(bearer.source.id), Array.from({ length: 2 }, () => [401, 'credentials_invalid']));
      assert.equal((await f.logOf(plain.source.id, '?outcome=accepted'))[0]!.headers['x-webhook-token'], '[redacted]', 'the token is not logged');
      // A header name nothing marks as a credential: redacted because the source's config names it.
      const custom = await f.sourceWith({ name: 'custom', type: 'hookyard-header-token', config: { token, headerName: 'X-Shared' } }, '/custom');
      assert.equal((await f.send(custom.source.ingestUrl, { 'x-shared': token }, body)).status, 200);
      assert.equal((await f.send(custom.source.ingestUrl, { 'x-shared': `${token}x` }, body)).status, 401);
      const logged = await f.logOf(custom.source.id);
      assert.equal(logged.length, 2);
      for (const row of logged) assert.equal(row.headers['x-shared'], '[redacted]', `${row.outcome}: the token is not logged`);
    });
  });
});
