import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReceiver, type Receiver, type Reply } from '../test/receiver.js';
import { cidrListParse } from './address.js';
import { outboundAgent } from './dispatcher.js';
import { send, type SendOptions } from './send.js';

// Every connection here goes to loopback; the guarded agent is probed only with loopback spellings.
let receiver: Receiver;
const allowLoopback = outboundAgent({ allow: cidrListParse('127.0.0.0/8,::1/128'), connectTimeoutMs: 1_000 });
const guarded = outboundAgent({ connectTimeoutMs: 1_000 });
const options = (over: Partial<SendOptions> = {}): SendOptions => ({ agent: allowLoopback, timeoutMs: 2_000, maxResponseBytes: 16 * 1024, requireHttps: false, ...over });
const post = (path: string, over: Partial<SendOptions> = {}) => send({ url: receiver.origin + path, headers: { 'content-type': 'application/json' }, body: '{"a":1}' }, options(over));

before(async () => {
  receiver = await startReceiver((r): Reply => {
    if (r.path === '/redirect') return { status: 302, headers: { location: '/ok' } };
    if (r.path === '/hang') return { hang: true };
    if (r.path === '/big') return { bigBody: 5 * 1024 * 1024 };
    if (r.path === '/close') return { destroy: true };
    if (r.path === '/teapot') return { status: 418, headers: { 'x-why': 'tea' }, body: 'short and stout' };
    return { status: 200, body: 'ok' };
  });
});
after(async () => {
  await receiver.close();
  await Promise.all([allowLoopback.close(), guarded.close()]);
});

test('a 2xx is a response with body and headers; a non-2xx too', async () => {
  const ok = await post('/ok');
  assert.equal(ok.kind, 'response');
  assert.equal(ok.kind === 'response' && ok.status, 200);
  assert.equal(ok.kind === 'response' && ok.body, 'ok');
  const tea = await post('/teapot');
  assert.ok(tea.kind === 'response' && tea.status === 418 && tea.headers['x-why'] === 'tea' && tea.body === 'short and stout');
});

test('redirects are not followed', async () => {
  const before = receiver.received.length;
  const result = await post('/redirect');
  assert.ok(result.kind === 'response' && result.status === 302);
  assert.equal(receiver.received.length, before + 1, 'only the redirecting request arrived');
});

test('a hanging receiver times out; a huge body is capped; a closed socket is a reset', async () => {
  const hang = await post('/hang', { timeoutMs: 300 });
  assert.ok(hang.kind === 'error' && hang.errorClass === 'timeout', JSON.stringify(hang));
  assert.equal(hang.kind === 'error' && hang.message, 'timeout after 300 ms');
  assert.ok(hang.durationMs >= 250 && hang.durationMs < 2_000);
  const big = await post('/big');
  assert.ok(big.kind === 'response' && big.truncated && big.body.length === 16 * 1024, 'capped at 16 KiB');
  const closed = await post('/close');
  assert.ok(closed.kind === 'error' && closed.errorClass === 'reset', JSON.stringify(closed));
  assert.match(closed.kind === 'error' ? closed.message : '', /^reset: /);
});

test('a closed port is refused', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const result = await send({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '' }, options());
  assert.ok(result.kind === 'error' && result.errorClass === 'refused', JSON.stringify(result));
  assert.equal(result.kind === 'error' && result.message, `refused: 127.0.0.1:${port} refused the connection (ECONNREFUSED)`);
});

test('the guard refuses every loopback spelling by default, and the receiver sees nothing', async () => {
  const before = receiver.received.length;
  const port = receiver.port;
  for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0', '2130706433', 'localhost']) {
    const result = await send({ url: `http://${host}:${port}/ssrf`, headers: {}, body: '' }, options({ agent: guarded }));
    assert.ok(result.kind === 'error' && result.errorClass === 'blocked', `${host}: ${JSON.stringify(result)}`);
    assert.match(result.kind === 'error' ? result.message : '', /^blocked: .*(loopback|unspecified).*; allow it with HOOKYARD_ALLOW_CIDRS/, host);
  }
  const literal = await send({ url: `http://127.0.0.1:${port}/ssrf`, headers: {}, body: '' }, options({ agent: guarded }));
  assert.equal(literal.kind === 'error' && literal.message, 'blocked: 127.0.0.1 is a loopback address; allow it with HOOKYARD_ALLOW_CIDRS (the allowCidrs option)');
  const named = await send({ url: `http://localhost:${port}/ssrf`, headers: {}, body: '' }, options({ agent: guarded }));
  assert.match(named.kind === 'error' ? named.message : '', /^blocked: localhost resolves to a refused address: (127\.0\.0\.1|::1) is a loopback address; /);
  assert.equal(receiver.received.length, before);
});

test('require HTTPS refuses http:// before connecting; other schemes are always refused', async () => {
  const before = receiver.received.length;
  const result = await post('/ok', { requireHttps: true });
  assert.ok(result.kind === 'error' && result.errorClass === 'blocked');
  assert.match(result.kind === 'error' ? result.message : '', /HTTPS is required \(HOOKYARD_REQUIRE_HTTPS\)/);
  const ftp = await send({ url: 'ftp://127.0.0.1/', headers: {}, body: '' }, options());
  assert.ok(ftp.kind === 'error' && ftp.errorClass === 'blocked');
  assert.equal(ftp.kind === 'error' && ftp.message, 'blocked: ftp: URLs are not allowed; only http:// and https://');
  assert.equal(receiver.received.length, before);
});
