import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey, rateLimiter } from './rate-limit.js';

test('rate limiter: bursts, refills with time, keys are separate, 0 is off', () => {
  let now = 0;
  const limiter = rateLimiter({ perSecond: 2, burst: 2, now: () => now });
  assert.deepEqual([limiter.take('a'), limiter.take('a')], [0, 0]);
  assert.equal(limiter.take('a'), 1);
  assert.equal(limiter.take('b'), 0);
  now += 500;
  assert.equal(limiter.take('a'), 0);
  assert.ok(limiter.take('a') >= 1);
  const off = rateLimiter({ perSecond: 0 });
  for (let i = 0; i < 100; i++) assert.equal(off.take('x'), 0);
});

test('rate limiter keeps at most maxKeys buckets, dropping the least recently used', () => {
  const limiter = rateLimiter({ perSecond: 1, burst: 1, maxKeys: 2, now: () => 0 });
  assert.equal(limiter.take('a'), 0);
  assert.equal(limiter.take('b'), 0);
  assert.equal(limiter.take('a'), 1, 'a is empty and now the most recent');
  assert.equal(limiter.take('c'), 0, 'c pushes out b');
  assert.equal(limiter.take('a'), 1, 'a was kept');
  assert.equal(limiter.take('b'), 0, 'b was forgotten, so it starts full');
});

test('clientKey: IPv4 as is, IPv4-mapped as IPv4, IPv6 by /64', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:2:ffff::9'));
  assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
  assert.equal(clientKey(undefined), 'unknown');
  assert.equal(clientKey('not an address'), 'unknown');
});
