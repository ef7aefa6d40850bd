import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_JITTER, DEFAULT_RETRY_SCHEDULE, retryAfterParse, retryDelay } from './schedule.js';

const policy = { schedule: [...DEFAULT_RETRY_SCHEDULE], jitter: DEFAULT_RETRY_JITTER };

test('retryDelay follows the schedule with ±jitter, then stops', () => {
  assert.equal(retryDelay(policy, 1, () => 0.5), 5_000);
  assert.equal(retryDelay(policy, 1, () => 0), 4_000);
  assert.equal(retryDelay(policy, 1, () => 0.999999), 6_000);
  assert.equal(retryDelay(policy, 2, () => 0.5), 300_000);
  assert.equal(retryDelay(policy, 7, () => 0.5), 36_000_000);
  assert.equal(retryDelay(policy, 8, () => 0.5), undefined, '8 attempts in all');
  assert.equal(retryDelay(policy, 0, () => 0.5), undefined);
  assert.equal(retryDelay({ schedule: [100, 200], jitter: 0 }, 2, Math.random), 200);
});

test('retryAfterParse: seconds or an HTTP date, clamped to bounds', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const bounds = { min: 1_000, max: 60_000 };
  assert.equal(retryAfterParse('5', now, bounds), 5_000);
  assert.equal(retryAfterParse('0', now, bounds), 1_000);
  assert.equal(retryAfterParse('99999', now, bounds), 60_000);
  assert.equal(retryAfterParse('Thu, 01 Jan 2026 00:00:30 GMT', now, bounds), 30_000);
  assert.equal(retryAfterParse('Wed, 31 Dec 2025 00:00:00 GMT', now, bounds), 1_000);
  assert.equal(retryAfterParse('soon', now, bounds), undefined);
  assert.equal(retryAfterParse('-3', now, bounds), undefined);
  assert.equal(retryAfterParse(undefined, now, bounds), undefined);
});
