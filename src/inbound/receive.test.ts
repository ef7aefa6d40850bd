import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { inboundFixture } from '../test/inbound.js';
import { describeEachStorage } from '../test/storages.js';

describeEachStorage('receiving webhooks end to end', (env) => {
  describe('with a worker and a loopback receiver', () => {
    const fixture = inboundFixture(env);
    const sourceWith = (body: Record<string, unknown>, path: string) => fixture().sourceWith(body, path);
    const logOf = (sourceId: string, query = '') => fixture().logOf(sourceId, query);

    test('a GitHub-signed push is accepted, forwarded signed, logged with its metadata, and counted', async () => {
      const { t, receiver } = fixture();
      const { source, ep, secret } = await sourceWith({ name: 'gh', type: 'github', config: { secret: 'It\'s a Secret to Everybody' } }, '/gh');
      const body = '{"ref":"refs/heads/main","n":12345678901234567890, "x":1.50}';
      const res = await fetch(source.ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': await githubSign('It\'s a Secret to Everybody', body), 'user-agent': 'GitHub-Hookshot/abc' },
        body,
      });
      const answer = (await res.json()) as { status: string; messageId: string };
      assert.equal(res.status, 200);
      assert.equal(answer.status, 'accepted');

      const [got] = await receiver.waitFor(1, (r) => r.path === '/gh');
      assert.equal(got!.body, body, 'byte for byte');
      assert.equal(got!.headers['webhook-id'], answer.messageId);
      new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>);

      const [row] = await logOf(source.id);
      assert.equal(row!.outcome, 'accepted');
      assert.equal(row!.status, 200);
      assert.equal(row!.messageId, answer.messageId);
      assert.equal(row!.userAgent, 'GitHub-Hookshot/abc');
      assert.equal(row!.clientIp, '127.0.0.1');
      assert.equal(row!.size, Buffer.byteLength(body));
      assert.equal(row!.headers['x-github-event'], 'push');
      assert.equal(row!.headers['x-hub-signature-256'], '[redacted]');

      const stats = (await t.call('GET', `/ingest/api/v1/source/${source.id}/stats`)).json as { eventsReceived: number; lastEventAt: string };
      assert.equal(stats.eventsReceived, 1);
      assert.ok(stats.lastEventAt);
      // The message is an ordinary one of the hidden application, with the provider's event type; its attempt is listed as any.
      const msg = (await t.call('GET', `/api/v1/app/${source.appId}/msg/${answer.messageId}`)).json as { eventType: string; eventId: string };
      assert.equal(msg.eventType, 'push');
      assert.equal(msg.eventId, 'd-1');
      for (let i = 0; i < 100; i++) {
        const attempts = (await t.call('GET', `/api/v1/app/${source.appId}/attempt/endpoint/${ep.id}`)).json as { data: unknown[] };
        if (attempts.data.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(((await t.call('GET', `/api/v1/app/${source.appId}/attempt/endpoint/${ep.id}`)).json as { data: unknown[] }).data.length, 1);
    });

    test('a repeated delivery id is logged as a duplicate and not forwarded twice', async () => {
      const { receiver } = fixture();
      const { source } = await sourceWith({ name: 'gh2', type: 'github', config: { secret: 's' } }, '/dup');
      const body = '{"zen":"Keep it logically awesome."}';
      const headers = { 'x-github-event': 'ping', 'x-github-delivery': 'same-id', 'x-hub-signature-256': await githubSign('s', body) };
      const first = await fetch(source.ingestUrl, { method: 'POST', headers, body });
      const second = await fetch(source.ingestUrl, { method: 'POST', headers, body });
      assert.equal(((await first.json()) as { status: string }).status, 'accepted');
      assert.equal(((await second.json()) as { status: string }).status, 'duplicate');
      await receiver.waitFor(1, (r) => r.path === '/dup');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.received.filter((r) => r.path === '/dup').length, 1);
      assert.deepEqual((await logOf(source.id)).map((r) => r.outcome), ['duplicate', 'accepted']);
    });

    test('bad, missing and tampered signatures are 401 and logged with their reason; nothing is forwarded', async () => {
      const { receiver } = fixture();
      const { source } = await sourceWith({ name: 'gh3', type: 'github', config: { secret: 's' } }, '/bad');
      const body = '{"a":1}';
      const cases: [Record<string, string>, string][] = [
        [{ 'x-hub-signature-256': await githubSign('wrong', body) }, body],
        [{}, body],
        [{ 'x-hub-signature-256': await githubSign('s', body) }, '{"a":2}'],
      ];
      for (const [headers, sent] of cases) {
        const res = await fetch(source.ingestUrl, { method: 'POST', headers: { 'x-github-event': 'push', ...headers }, body: sent });
        assert.equal(res.status, 401);
        assert.ok(((await res.json()) as { code: string }).code.startsWith('signature_'));
      }
      const rows = await logOf(source.id);
      assert.deepEqual(rows.map((r) => r.reason).sort(), ['signature_invalid', 'signature_invalid', 'signature_missing']);
      assert.ok(rows.every((r) => r.status === 401 && r.outcome === 'rejected'));
      assert.deepEqual((await logOf(source.id, '?reason=signature_missing')).length, 1);
      assert.equal(receiver.received.filter((r) => r.path === '/bad').length, 0);
    });

    test('any content type is forwarded byte for byte, with its type', async () => {
      const { t, receiver } = fixture();
      const { source, secret } = await sourceWith({ name: 'form', type: 'generic-webhook' }, '/form');
      const body = 'token=abc&text=h%C3%A9llo+%26+bye&user_name=ren%C3%A9';
      const res = await fetch(source.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(res.status, 200);
      const [got] = await receiver.waitFor(1, (r) => r.path === '/form');
      assert.equal(got!.body, body);
      assert.equal(got!.headers['content-type'], 'application/x-www-form-urlencoded');
      // verify() would JSON.parse the body after checking it; sign() checks the signature alone.
      const expected = new Webhook(secret).sign(String(got!.headers['webhook-id']), new Date(Number(got!.headers['webhook-timestamp']) * 1000), got!.body);
      assert.ok(String(got!.headers['webhook-signature']).split(' ').includes(expected));
      const xml = '<?xml version="1.0"?><event id="1">caf\u00e9</event>';
      await fetch(source.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
      const [gotXml] = await receiver.waitFor(1, (r) => r.path === '/form' && r.body.startsWith('<?xml'));
      assert.equal(gotXml!.body, xml);
      assert.equal(gotXml!.headers['content-type'], 'application/xml');
      // The API shows such a message's payload as a JSON string.
      const row = (await logOf(source.id, '?outcome=accepted'))[0]!;
      const msg = await t.call('GET', `/api/v1/app/${source.appId}/msg/${row.messageId}`);
      assert.equal(msg.status, 200);
      assert.equal((msg.json as { payload: unknown }).payload, xml);
    });

    test('a mapping reshapes JSON payloads before forwarding; a script in a path is refused at creation', async () => {
      const { t, receiver } = fixture();
      const { source } = await sourceWith({ name: 'mapped', type: 'generic-webhook', mapping: { branch: '$.ref', author: '$.head_commit.author.name', missing: '$.nope' } }, '/mapped');
      const res = await fetch(source.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ref":"main","head_commit":{"author":{"name":"Mona"}},"other":1}' });
      assert.equal(res.status, 200);
      const [got] = await receiver.waitFor(1, (r) => r.path === '/mapped');
      assert.equal(got!.body, '{"branch":"main","author":"Mona","missing":null}');
      const refused = await t.call('POST', '/ingest/api/v1/source', { name: 'evil', type: 'generic-webhook', mapping: { x: '$[?(@.a)]' } });
      assert.equal(refused.status, 422);
    });

    test('a disabled source answers 403 and logs; enabled again, it accepts', async () => {
      const { t } = fixture();
      const { source } = await sourceWith({ name: 'off', type: 'generic-webhook' }, '/off');
      assert.equal((await t.call('POST', `/ingest/api/v1/source/${source.id}/disable`)).status, 200);
      const res = await fetch(source.ingestUrl, { method: 'POST', body: '{}' });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { code: string }).code, 'disabled');
      assert.equal((await logOf(source.id))[0]!.reason, 'disabled');
      await t.call('POST', `/ingest/api/v1/source/${source.id}/enable`);
      const again = await fetch(source.ingestUrl, { method: 'POST', body: '{}' });
      await again.arrayBuffer();
      assert.equal(again.status, 200);
    });

    test('a key that matches no source is 404', async () => {
      const { t } = fixture();
      for (const key of ['wh_' + 'x'.repeat(43), 'nonsense', '%00']) {
        const res = await fetch(`${t.url}/in/${key}`, { method: 'POST', body: '{}' });
        await res.arrayBuffer();
        assert.equal(res.status, 404);
      }
    });
  });
});
