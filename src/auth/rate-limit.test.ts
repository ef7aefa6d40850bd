import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateLimiter } from './rate-limit.js';

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
