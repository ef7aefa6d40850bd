import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { testApi, type TestApi } from '../test/api.js';
import { describeEachStorage, TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';
import type { InboundLimits } from './rate-limit.js';
import { rateShare } from './rate-share.js';
import type { RateCount } from './rate-sql.js';

/** The table of migration 022 in memory, with the statement's semantics: add to my rows, read the others' changed since. */
function memoryTable(clock: () => number) {
  const rows = new Map<string, RateCount & { updated: number }>();
  return (process: string) => async (taken: Map<string, number>, since: Date | null) => {
    const t = clock();
    const minute = Math.floor(t / 60_000);
    for (const [key, n] of taken) {
      const k = `${minute}|${key}|${process}`;
      const row = rows.get(k) ?? { key, minute, process, n: 0, updated: t };
      row.n += n;
      row.updated = t;
      rows.set(k, row);
    }
    const others = [...rows.values()].filter((r) => r.process !== process && r.minute >= minute - 1 && r.updated > (since?.getTime() ?? -Infinity));
    return { others: others.map(({ key, minute: m, process: p, n }) => ({ key, minute: m, process: p, n })), at: new Date(t) };
  };
}

describe('shared rate limits (pure, an in-memory table)', () => {
  test('two processes hitting one key at once admit the limit plus what two sync intervals let through, not twice the limit', async () => {
    let t = Date.parse('2026-12-01T10:00:10Z');
    const table = memoryTable(() => t);
    const shares = ['a', 'b'].map((p) => rateShare({ query: () => Promise.reject(new Error('no database')) }, { process: p, now: () => t, exchange: table(p), syncMs: 3_600_000 }));
    const alone = ['a', 'b'].map((p) => rateShare({ query: () => Promise.reject(new Error('no database')) }, { process: `${p}-alone`, now: () => t, exchange: async () => ({ others: [], at: new Date(t) }), syncMs: 3_600_000 }));
    const limit = 30;
    const syncMs = 100;
    let admitted = 0;
    let admittedAlone = 0;
    // 40 requests a second for 4 s, alternating between the processes; each syncs every 100 ms.
    for (let i = 0; i < 160; i++) {
      t += 25;
      if (i % (syncMs / 25) === 0) for (const s of [...shares, ...alone]) await s.sync();
      if (shares[i % 2]!.limiter.take('src:x', limit) === 0) admitted++;
      if (alone[i % 2]!.limiter.take('src:x', limit) === 0) admittedAlone++;
    }
    const refill = Math.ceil((160 * 25 * limit) / 60_000);
    // What the other process can admit before this one hears of it: two sync intervals of its 20 requests a second.
    const unseen = 2 * Math.ceil(((2 * syncMs) / 1000) * 20);
    assert.ok(admitted >= limit && admitted <= limit + refill + unseen, `admitted ${admitted}, bound ${limit + refill + unseen}`);
    assert.ok(admittedAlone >= 2 * limit, `without sharing each process admits its own limit: ${admittedAlone}`);
    for (const s of [...shares, ...alone]) s.stop();
  });

  test('a process that starts late begins with what the others admitted in the last minute', async () => {
    let t = Date.parse('2026-12-01T10:00:30Z');
    const table = memoryTable(() => t);
    const none = { query: () => Promise.reject(new Error('no database')) };
    const a = rateShare(none, { process: 'a', now: () => t, exchange: table('a'), syncMs: 3_600_000 });
    for (let i = 0; i < 10; i++) assert.equal(a.limiter.take('ip:192.0.2.1', 10), 0);
    await a.sync();
    t += 1_000;
    const b = rateShare(none, { process: 'b', now: () => t, exchange: table('b'), syncMs: 3_600_000 });
    await b.sync();
    const wait = b.limiter.take('ip:192.0.2.1', 10);
    assert.ok(wait >= 1, `refused, Retry-After ${wait}`);
    assert.equal(b.limiter.take('ip:192.0.2.2', 10), 0, 'other keys are untouched');
    a.stop();
    b.stop();
  });

  test('a failed sync keeps the counts for the next one', async () => {
    let t = Date.parse('2026-12-01T10:00:00Z');
    const table = memoryTable(() => t);
    let down = true;
    const exchange = table('a');
    const a = rateShare({ query: () => Promise.reject(new Error('no database')) }, { process: 'a', now: () => t, syncMs: 3_600_000, exchange: (taken, since) => (down ? Promise.reject(new Error('down')) : exchange(taken, since)) });
    const read = table('b');
    for (let i = 0; i < 5; i++) a.limiter.take('*', 100);
    await a.sync();
    down = false;
    t += 1_000;
    await a.sync();
    const seen = await read(new Map(), null);
    assert.deepEqual(seen.others.map((r) => [r.key, r.n]), [['*', 5]]);
    a.stop();
  });
});

// Two Hookyard instances (each its own pool, source cache and API) on one PostgreSQL database, as
// two API processes of a scaled-out deployment are.
describeEachStorage(
  'inbound rate limits across two Hookyard instances on one PostgreSQL database',
  (env) => {
    let second: Hookyard;
    const apis: TestApi[] = [];
    before(async () => {
      second = await openHookyard({ databaseUrl: env().url!, secretKey: TEST_SECRET_KEY, migrate: false, allowCidrs: TEST_ALLOW_CIDRS });
    });
    after(async () => {
      for (const api of apis) await api.close();
      await second.close();
    });

    const SYNC_MS = 100;
    async function pair(limits: InboundLimits): Promise<[TestApi, TestApi]> {
      const options = { inbound: { limits }, inboundRateSyncMs: SYNC_MS };
      const both: [TestApi, TestApi] = [await testApi(env().hookyard, options), await testApi(second, options)];
      apis.push(...both);
      return both;
    }
    const post = async (api: TestApi, ingestUrl: string) => {
      const res = await fetch(api.url + new URL(ingestUrl).pathname, { method: 'POST', body: '{}' });
      await res.arrayBuffer();
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    };
    const sources = async (api: TestApi, n: number) =>
      Promise.all(Array.from({ length: n }, async (_, i) => ((await api.call('POST', '/ingest/api/v1/source', { name: `rate ${i}`, type: 'generic-webhook' })).json as { ingestUrl: string }).ingestUrl));

    const kinds: { name: string; limits: InboundLimits; sources: number }[] = [
      { name: 'per source key', limits: { perKeyPerMinute: 20, perIpPerMinute: 0, globalPerMinute: 0 }, sources: 1 },
      { name: 'per client address (two sources)', limits: { perKeyPerMinute: 0, perIpPerMinute: 20, globalPerMinute: 0 }, sources: 2 },
      { name: 'global (two sources)', limits: { perKeyPerMinute: 0, perIpPerMinute: 0, globalPerMinute: 20 }, sources: 2 },
    ];
    for (const kind of kinds) {
      test(`${kind.name}: what one instance admitted counts at the other after a sync; 429 with Retry-After`, async () => {
        const [a, b] = await pair(kind.limits);
        const urls = await sources(a, kind.sources);
        const started = performance.now();
        for (let i = 0; i < 15; i++) assert.equal((await post(a, urls[i % urls.length]!)).status, 200);
        // One sync each, in order: a writes what it admitted, b reads it (the timers would, within two intervals).
        await a.api.inboundRates!.sync();
        await b.api.inboundRates!.sync();
        const atB = [];
        for (let i = 0; i < 15; i++) atB.push(await post(b, urls[i % urls.length]!));
        const elapsedS = (performance.now() - started) / 1000;
        const admitted = 15 + atB.filter((r) => r.status === 200).length;
        const refill = Math.ceil((elapsedS * 20) / 60);
        assert.ok(admitted >= 20 && admitted <= 20 + refill, `admitted ${admitted} of 30 in ${elapsedS.toFixed(1)} s (limit 20, refill ${refill})`);
        const refused = atB.filter((r) => r.status === 429);
        assert.ok(refused.length > 0 && refused.every((r) => Number(r.retryAfter) >= 1), JSON.stringify(refused));
      });
    }

    test('both instances hit at once: the combined count stays within the limit plus two sync intervals of traffic', async () => {
      const limit = 30;
      const [a, b] = await pair({ perKeyPerMinute: limit, perIpPerMinute: 0, globalPerMinute: 0 });
      const [url] = await sources(a, 1);
      // A second apart from the pair's start, so both have synced (read each other) at least once.
      await new Promise((r) => setTimeout(r, 3 * SYNC_MS));
      const sent: number[] = [];
      const results: Promise<{ status: number }>[] = [];
      const started = performance.now();
      // 40 requests a second for 2.5 s, alternating between the instances.
      for (let i = 0; i < 100; i++) {
        sent.push(performance.now());
        results.push(post(i % 2 ? b : a, url!));
        await new Promise((r) => setTimeout(r, 25));
      }
      const statuses = (await Promise.all(results)).map((r) => r.status);
      const elapsedS = (performance.now() - started) / 1000;
      const admitted = statuses.filter((s) => s === 200).length;
      // The most requests sent within two sync intervals (plus 200 ms for timers late on a busy machine).
      const window = 2 * SYNC_MS + 200;
      const inWindow = Math.max(...sent.map((t0) => sent.filter((t) => t >= t0 && t < t0 + window).length));
      const bound = limit + Math.ceil((elapsedS * limit) / 60) + inWindow;
      console.log(`two instances, key limit ${limit}/min, sync every ${SYNC_MS} ms: ${admitted} of 100 admitted in ${elapsedS.toFixed(1)} s (bound ${bound}; each alone would admit ${limit})`);
      assert.ok(admitted >= limit && admitted <= bound, `admitted ${admitted}, bound ${bound}`);
      assert.equal(statuses.filter((s) => s !== 200 && s !== 429).length, 0);
    });
  },
  {},
  ['postgres'],
);

// On PGlite nothing is shared: there is no other process to share with.
describeEachStorage(
  'inbound rate limits on PGlite',
  (env) => {
    test('stay in the process: no sync, no table rows', async () => {
      const api = await testApi(env().hookyard);
      try {
        assert.equal(api.api.inboundRates, undefined);
        const source = (await api.call('POST', '/ingest/api/v1/source', { name: 'one', type: 'generic-webhook', rateLimit: 2 })).json as { ingestUrl: string };
        const statuses = [];
        for (let i = 0; i < 3; i++) {
          const res = await fetch(source.ingestUrl, { method: 'POST', body: '{}' });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        assert.deepEqual(statuses, [200, 200, 429]);
        const { rows } = await env().storage.query<{ n: number }>('select count(*)::int as n from hookyard.inbound_rate');
        assert.equal(rows[0]!.n, 0);
      } finally {
        await api.close();
      }
    });
  },
  {},
  ['pglite'],
);
