import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Queryable } from '../store/port.js';
import { describeEachStorage } from '../test/storages.js';
import { authenticator } from './authenticate.js';
import { tokenCreate, tokenRevoke } from './token.js';

/** The storage, counting the queries that go through it. */
function counting(db: Queryable): Queryable & { queries: number } {
  const counted = { queries: 0, query: ((...args: Parameters<Queryable['query']>) => {
    counted.queries++;
    return db.query(...args);
  }) as Queryable['query'] };
  return counted;
}

describeEachStorage('authenticator', (env) => {
  test('random wrong tokens cost no query each, and no cache is wiped: one read of the live tokens per period', async () => {
    const { token } = await tokenCreate(env().storage, 'auth-unit');
    const db = counting(env().storage);
    let clock = 0;
    const auth = authenticator(db, { cacheMs: 5_000, failureBurst: 0, now: () => clock });
    assert.ok(await auth.authenticate(`Bearer ${token}`));
    const afterFirst = db.queries;
    for (let i = 0; i < 20_000; i++) {
      await assert.rejects(auth.authenticate(`Bearer hy_${randomBytes(32).toString('base64url')}`), { code: 'unauthorized' });
    }
    assert.ok(await auth.authenticate(`Bearer ${token}`));
    assert.equal(db.queries, afterFirst, '20,000 unknown tokens and a valid one: no further query');
    clock += 5_001;
    assert.ok(await auth.authenticate(`Bearer ${token}`));
    assert.equal(db.queries, afterFirst + 1, 'the live set is read again after cacheMs');
  });

  test('a revoke takes effect at once after clear(), and within cacheMs without it', async () => {
    const { token, record } = await tokenCreate(env().storage, 'auth-revoke');
    let clock = 0;
    const auth = authenticator(env().storage, { cacheMs: 5_000, failureBurst: 0, now: () => clock });
    assert.ok(await auth.authenticate(`Bearer ${token}`));
    await tokenRevoke(env().storage, record.id);
    assert.ok(await auth.authenticate(`Bearer ${token}`), 'still cached');
    auth.clear();
    await assert.rejects(auth.authenticate(`Bearer ${token}`), { code: 'unauthorized' });

    const { token: second, record: secondRecord } = await tokenCreate(env().storage, 'auth-revoke-2');
    const other = authenticator(env().storage, { cacheMs: 5_000, failureBurst: 0, now: () => clock });
    assert.ok(await other.authenticate(`Bearer ${second}`));
    await tokenRevoke(env().storage, secondRecord.id);
    clock += 5_001;
    await assert.rejects(other.authenticate(`Bearer ${second}`), { code: 'unauthorized' });
  });

  test('a clear() during a read of the live tokens is not undone by that read', async () => {
    const { token, record } = await tokenCreate(env().storage, 'auth-race');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const slow: Queryable = {
      query: (async (...args: Parameters<Queryable['query']>) => {
        const result = await env().storage.query(...args);
        if (first) {
          first = false;
          await gate;
        }
        return result;
      }) as Queryable['query'],
    };
    const auth = authenticator(slow, { failureBurst: 0 });
    const pending = auth.authenticate(`Bearer ${token}`);
    await new Promise((r) => setTimeout(r, 20));
    await tokenRevoke(env().storage, record.id);
    auth.clear();
    release();
    await assert.rejects(pending, { code: 'unauthorized' }, 'the read from before the revoke is discarded');
  });

  test('failed attempts are throttled per client address with Retry-After; valid tokens still pass', async () => {
    const { token } = await tokenCreate(env().storage, 'auth-throttle');
    let clock = 0;
    const auth = authenticator(env().storage, { failureBurst: 3, failuresPerSecond: 1, now: () => clock });
    for (let i = 0; i < 3; i++) await assert.rejects(auth.authenticate('Bearer wrong', '203.0.113.7'), { code: 'unauthorized' });
    await assert.rejects(auth.authenticate('Bearer wrong', '203.0.113.7'), (e: { code: string; cause: { retryAfter: number } }) => e.code === 'rate_limited' && e.cause.retryAfter >= 1);
    await assert.rejects(auth.authenticate('Bearer wrong', '198.51.100.1'), { code: 'unauthorized' }, 'another address has its own allowance');
    assert.ok(await auth.authenticate(`Bearer ${token}`, '203.0.113.7'), 'a valid token from a throttled address passes');
    clock += 1_000;
    await assert.rejects(auth.authenticate('Bearer wrong', '203.0.113.7'), { code: 'unauthorized' }, 'one failure refilled after a second');
    // An IPv6 client is counted by its /64, so rotating through it does not help.
    for (let i = 0; i < 3; i++) await assert.rejects(auth.authenticate('Bearer wrong', `2001:db8:1:2::${i + 1}`), { code: 'unauthorized' });
    await assert.rejects(auth.authenticate('Bearer wrong', '2001:db8:1:2:ffff::9'), { code: 'rate_limited' });
  });
});
