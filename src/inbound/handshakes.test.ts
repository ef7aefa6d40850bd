import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { inboundFixture } from '../test/inbound.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * The providers with a subscription handshake, end to end over HTTP, signed from their published
 * algorithms with node's createHmac: Meta (the GET hub.challenge with the verify token, then
 * X-Hub-Signature-256 POSTs) and Zoom (endpoint.url_validation, answered only when signed).
 */
describeEachStorage('handshake source types over HTTP', (env) => {
  describe('with a worker and a loopback receiver', () => {
    const fixture = inboundFixture(env);

    test('meta: the hub.challenge GET is answered with the verify token only; signed POSTs are forwarded; bad ones refused and logged', async () => {
      const f = fixture();
      const appSecret = 'meta-app-secret-6c1f0e';
      const verifyToken = 'meta-verify-3b2a';
      const { source, secret: epSecret } = await f.sourceWith({ name: 'meta', type: 'meta', config: { secret: appSecret, verifyToken } }, '/meta');
      const handshake = (params: Record<string, string>) => f.send(`${source.ingestUrl}?${new URLSearchParams(params)}`, {}, undefined, 'GET');

      const answered = await handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1158201444' });
      assert.equal(answered.status, 200);
      assert.equal(answered.text, '1158201444', 'the challenge, as plain text');
      assert.match(answered.headers.get('content-type') ?? '', /^text\/plain/);
      const wrongToken = await handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': 'chal-777' });
      const noToken = await handshake({ 'hub.mode': 'subscribe', 'hub.challenge': '2' });
      const noChallenge = await handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken });
      assert.deepEqual([wrongToken.status, noToken.status, noChallenge.status], [401, 401, 400]);
      assert.ok(!wrongToken.text.includes('chal-777'), 'a refused handshake does not echo the challenge');
      assert.equal(wrongToken.json?.code, 'credentials_invalid');

      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages' }] }] });
      const sign = (b: string, s = appSecret) => `sha256=${createHmac('sha256', s).update(b).digest('hex')}`;
      const ok = await f.send(source.ingestUrl, { 'x-hub-signature-256': sign(body) }, body);
      assert.equal(ok.status, 200, ok.text);
      await f.forwardedTo('/meta', epSecret, body);
      const refused = [
        await f.send(source.ingestUrl, { 'x-hub-signature-256': sign(body) }, body.replace('messages', 'statuses')),
        await f.send(source.ingestUrl, { 'x-hub-signature-256': sign(body, 'other-secret') }, body),
        await f.send(source.ingestUrl, { 'x-hub-signature-256': sign(body, verifyToken) }, body),
        await f.send(source.ingestUrl, {}, body),
      ];
      assert.deepEqual(refused.map((r) => [r.status, r.json?.code]), [[401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_missing']]);

      assert.deepEqual(await f.rejections(source.id), [[400, 'malformed'], [401, 'credentials_invalid'], [401, 'credentials_invalid'], [401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_missing']]);
      const rows = await f.logOf(source.id);
      assert.equal(rows.filter((r) => r.outcome === 'handshake').length, 1);
      assert.equal(rows.find((r) => r.outcome === 'accepted')!.eventType, 'whatsapp_business_account', 'the event type is the body\'s object');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(f.receiver.received.filter((r) => r.path === '/meta').length, 1, 'neither the handshake nor a refused POST was forwarded');
    });

    test('zoom: url_validation is answered only when signed; signed events are forwarded; tampered, stale, other secret, unsigned refused and logged', async () => {
      const f = fixture();
      const secretToken = 'zoom-secret-token-9d8c7b';
      const { source, secret: epSecret } = await f.sourceWith({ name: 'zoom', type: 'zoom', config: { secret: secretToken } }, '/zoom');
      // Zoom's published scheme: x-zm-signature = v0=hex(HMAC-SHA256(secret, `v0:${timestamp}:${body}`)).
      const sign = (b: string, ts: number, s = secretToken) => ({ 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${createHmac('sha256', s).update(`v0:${ts}:${b}`).digest('hex')}` });
      const now = Math.floor(Date.now() / 1000);

      const validation = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: now * 1000, event: 'endpoint.url_validation' });
      const answered = await f.send(source.ingestUrl, sign(validation, now), validation);
      assert.equal(answered.status, 200, answered.text);
      assert.deepEqual(answered.json, { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', secretToken).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') });
      // Unsigned, or signed with another secret, the validation is not answered: no signing oracle.
      const unsigned = await f.send(source.ingestUrl, {}, validation);
      const forged = await f.send(source.ingestUrl, sign(validation, now, 'guess'), validation);
      for (const res of [unsigned, forged]) {
        assert.equal(res.status, 401);
        assert.equal(res.json?.encryptedToken, undefined);
      }

      const event = JSON.stringify({ event: 'meeting.started', event_ts: now * 1000, payload: { account_id: 'AAAAAABBBB', object: { id: '1234567890' } } });
      const ok = await f.send(source.ingestUrl, sign(event, now), event);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json?.status, 'accepted');
      await f.forwardedTo('/zoom', epSecret, event);
      const refused = [
        await f.send(source.ingestUrl, sign(event, now), event.replace('started', 'ended')),
        await f.send(source.ingestUrl, sign(event, now - 600), event),
        await f.send(source.ingestUrl, sign(event, now, 'other-secret'), event),
        await f.send(source.ingestUrl, { 'x-zm-signature': sign(event, now)['x-zm-signature'] }, event),
        await f.send(source.ingestUrl, { 'x-zm-request-timestamp': String(now) }, event),
      ];
      assert.deepEqual(refused.map((r) => [r.status, r.json?.code]), [[401, 'signature_invalid'], [401, 'timestamp_stale'], [401, 'signature_invalid'], [401, 'timestamp_missing'], [401, 'signature_missing']]);

      assert.deepEqual(await f.rejections(source.id), [[401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_invalid'], [401, 'signature_missing'], [401, 'signature_missing'], [401, 'timestamp_missing'], [401, 'timestamp_stale']]);
      const rows = await f.logOf(source.id);
      assert.deepEqual(rows.filter((r) => r.outcome !== 'rejected').map((r) => [r.outcome, r.eventType]).sort(), [['accepted', 'meeting.started'], ['handshake', 'endpoint.url_validation']]);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(f.receiver.received.filter((r) => r.path === '/zoom').length, 1, 'the validation was not forwarded');
    });
  });
});
