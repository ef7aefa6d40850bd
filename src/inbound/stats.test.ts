import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Stats } from '../console/stats.js';
import { inboundFixture } from '../test/inbound.js';
import { describeEachStorage } from '../test/storages.js';

// The dashboard's inbound counters (rollup metric `inbound.request`, keyed by outcome): every
// request counts once, by its outcome or its rejection reason, aggregated log rows included.
describeEachStorage('inbound requests in the dashboard rollups', (env) => {
  describe('over HTTP', () => {
    const fixture = inboundFixture(env, { inbound: { logRejectedPerMinute: 3 } });

    test('after N accepted and M rejected requests, /console/api/stats reports each by outcome', async () => {
      const f = fixture();
      const since = new Date(Date.now() - 60_000).toISOString();
      const secret = 'stats-secret';
      const { source } = await f.sourceWith({ name: 'stats', type: 'hookyard-hmac', config: { secret, dedupHeader: 'x-delivery' } }, '/stats');
      const { source: slow } = await f.sourceWith({ name: 'slow', type: 'generic-webhook', rateLimit: 1 }, '/slow');
      const sign = (b: string) => createHmac('sha256', secret).update(b).digest('hex');
      const expected: Record<string, number> = { accepted: 7, duplicate: 2, signature_invalid: 9, signature_missing: 4, unknown_key: 3, rate_limited: 2 };

      for (let i = 0; i < 7; i++) assert.equal((await f.send(source.ingestUrl, { 'x-webhook-signature': sign(`{"n":${i}}`), 'x-delivery': `d${i}` }, `{"n":${i}}`)).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await f.send(source.ingestUrl, { 'x-webhook-signature': sign('{"n":0}'), 'x-delivery': 'd0' }, '{"n":0}')).json?.status, 'duplicate');
      // More bad signatures than the log writes one by one (3 a minute here): the rest are aggregated, and still counted.
      for (let i = 0; i < 9; i++) assert.equal((await f.send(source.ingestUrl, { 'x-webhook-signature': sign('{}') }, `{"bad":${i}}`)).status, 401);
      for (let i = 0; i < 4; i++) assert.equal((await f.send(source.ingestUrl, {}, '{}')).status, 401);
      for (let i = 0; i < 3; i++) assert.equal((await f.send(`${f.t.url}/in/wh_${'z'.repeat(43)}`, {}, '{}')).status, 404);
      assert.equal((await f.send(slow.ingestUrl, {}, '{}')).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await f.send(slow.ingestUrl, {}, '{}')).status, 429);
      expected.accepted! += 1;

      const res = await f.t.call('GET', `/console/api/stats?since=${since}`);
      assert.equal(res.status, 200);
      const stats = res.json as Stats;
      assert.deepEqual(stats.totals.inbound, expected);
      // The series per minute add up to the totals.
      for (const [outcome, n] of Object.entries(expected)) assert.equal(stats.series.inbound[outcome]!.reduce((a, b) => a + b, 0), n, outcome);
      const rows = await f.logOf(source.id, '?outcome=rejected&limit=250');
      assert.ok(rows.length < 13 && rows.some((r) => r.count > 1), 'the log aggregated some of them');
    });
  });
});
