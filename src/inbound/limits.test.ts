import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { testApi, type TestApi } from '../test/api.js';
import { describeEachStorage } from '../test/storages.js';
import { addressInRanges, clientAddress, rangesParse } from './client-address.js';
import { minuteLimiter } from './rate-limit.js';

describe('client address and allowlists (pure)', () => {
  const trusted = rangesParse(['10.0.0.0/8', 'fd00::/8']);
  test('X-Forwarded-For is believed only from a trusted proxy, read from the right', () => {
    assert.equal(clientAddress('203.0.113.9', '198.51.100.1', trusted), '203.0.113.9', 'an untrusted peer cannot claim another address');
    assert.equal(clientAddress('10.1.1.1', '198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('10.1.1.1', '6.6.6.6, 198.51.100.1, 10.2.2.2', trusted), '198.51.100.1', 'left of the first untrusted hop is ignored');
    assert.equal(clientAddress('fd00::1', '2001:db8::5', trusted), '2001:db8::5');
    assert.equal(clientAddress('::ffff:10.1.1.1', '198.51.100.7', trusted), '198.51.100.7', 'IPv4-mapped peers are IPv4');
    assert.equal(clientAddress('10.1.1.1', 'garbage', trusted), '10.1.1.1');
  });
  test('CIDRs of both families, and single addresses', () => {
    const ranges = rangesParse(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7']);
    assert.ok(addressInRanges('192.0.2.200', ranges));
    assert.ok(addressInRanges('::ffff:192.0.2.1', ranges));
    assert.ok(addressInRanges('2001:db8:1::9', ranges));
    assert.ok(addressInRanges('198.51.100.7', ranges));
    assert.ok(!addressInRanges('198.51.100.8', ranges));
    assert.ok(!addressInRanges('2001:db9::1', ranges));
    assert.ok(!addressInRanges('not an address', ranges));
  });
  test('the minute limiter refills at its rate and says how long to wait', () => {
    let t = 0;
    const limiter = minuteLimiter({ now: () => t });
    assert.equal(limiter.take('k', 2), 0);
    assert.equal(limiter.take('k', 2), 0);
    assert.equal(limiter.take('k', 2), 30, 'one token comes back every 30 s');
    t += 30_000;
    assert.equal(limiter.take('k', 2), 0);
    assert.equal(limiter.take('other', 2), 0, 'keys are separate');
  });
});

/** Sends `head` and part of a body on a raw socket, never the rest; resolves with what came back and whether the server closed. */
function partialPost(url: string, head: string, part: string): Promise<{ response: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head + part));
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closed: false });
    }, 5_000);
    socket.on('data', (d) => (response += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closed: true });
    });
  });
}

describeEachStorage('receive limits over HTTP', (env) => {
  let t: TestApi;
  let proxied: TestApi;
  before(async () => {
    t = await testApi(env().hookyard, { inbound: { logRejectedPerMinute: 10, limits: { perKeyPerMinute: 100, perIpPerMinute: 1_000, globalPerMinute: 10_000 } } });
    // The same server behind a trusted proxy on loopback.
    proxied = await testApi(env().hookyard, { trustedProxies: '127.0.0.0/8' });
  });
  after(async () => {
    await t.close();
    await proxied.close();
  });

  const create = async (body: Record<string, unknown>) => (await t.call('POST', '/ingest/api/v1/source', { type: 'generic-webhook', ...body })).json as { id: string; ingestUrl: string };
  const logOf = async (id: string) => {
    await t.api.inboundLog.flush();
    await proxied.api.inboundLog.flush();
    return ((await t.call('GET', `/ingest/api/v1/source/${id}/request?limit=250`)).json as { data: { reason: string | null; status: number; count: number; size: number }[] }).data;
  };

  test('a body over the limit is 413 without the rest being read, declared or chunked', async () => {
    const source = await create({ name: 'small', maxBodyBytes: 1000 });
    const path = new URL(source.ingestUrl).pathname;
    const declared = await partialPost(t.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`, 'x'.repeat(100));
    assert.match(declared.response, /^HTTP\/1\.1 413 /);
    assert.ok(declared.closed, 'the server closes the connection rather than read 10 MB');
    const chunk = 'y'.repeat(4000);
    const chunked = await partialPost(t.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    assert.match(chunked.response, /^HTTP\/1\.1 413 /);
    assert.ok(chunked.closed);
    const fits = await fetch(source.ingestUrl, { method: 'POST', body: 'z'.repeat(1000) });
    await fits.arrayBuffer();
    assert.equal(fits.status, 200);
    const rows = await logOf(source.id);
    assert.deepEqual(rows.filter((r) => r.status === 413).map((r) => r.reason), ['too_large', 'too_large']);
    // The log's size: the declared length, and for the chunked body what it had sent when refused
    // (its 4,000-byte chunk may arrive in pieces, but past the 1,000-byte limit).
    const [chunkedRow, declaredRow] = rows.filter((r) => r.status === 413);
    assert.equal(declaredRow!.size, 10_000_000);
    assert.ok(chunkedRow!.size > 1000 && chunkedRow!.size <= 4000, `chunked: ${chunkedRow!.size} bytes logged`);
  });

  test('over the source\'s rate: 429 with Retry-After, and logged', async () => {
    const source = await create({ name: 'slow', rateLimit: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(source.ingestUrl, { method: 'POST', body: '{}' });
      await res.arrayBuffer();
      statuses.push(res.status);
      retryAfter ??= res.headers.get('retry-after');
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.ok(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
    assert.ok((await logOf(source.id)).some((r) => r.reason === 'rate_limited' && r.status === 429));
  });

  test('an address outside the allowlist is 403, and X-Forwarded-For counts only from a trusted proxy', async () => {
    const source = await create({ name: 'allow', allowedCidrs: ['192.0.2.0/24', '2001:db8::/32'] });
    const direct = await fetch(source.ingestUrl, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': '192.0.2.10' } });
    await direct.arrayBuffer();
    assert.equal(direct.status, 403, 'loopback is not allowed, and an untrusted peer cannot claim 192.0.2.10');
    const path = new URL(source.ingestUrl).pathname;
    const viaProxy = await fetch(proxied.url + path, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': '192.0.2.10' } });
    await viaProxy.arrayBuffer();
    assert.equal(viaProxy.status, 200);
    const viaProxyV6 = await fetch(proxied.url + path, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': '2001:db8::77' } });
    await viaProxyV6.arrayBuffer();
    assert.equal(viaProxyV6.status, 200);
    const outside = await fetch(proxied.url + path, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': '198.51.100.1' } });
    await outside.arrayBuffer();
    assert.equal(outside.status, 403);
    assert.ok((await logOf(source.id)).filter((r) => r.reason === 'ip_refused').length >= 1);
  });

  test('a flood of bad requests writes a bounded number of rows, which still count every request', async () => {
    const source = (await t.call('POST', '/ingest/api/v1/source', { name: 'flood', type: 'github', config: { secret: 's' } })).json as { id: string; ingestUrl: string };
    for (let i = 0; i < 60; i++) {
      const res = await fetch(source.ingestUrl, { method: 'POST', body: '{}', headers: { 'x-hub-signature-256': 'sha256=00' } });
      await res.arrayBuffer();
      assert.equal(res.status, 401);
    }
    const rows = await logOf(source.id);
    assert.ok(rows.length <= 11, `${rows.length} rows`);
    assert.equal(rows.reduce((n, r) => n + r.count, 0), 60);
    assert.ok(rows.some((r) => r.count > 1), 'an aggregate row');
  });
});
