import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextStep, outcomeOf } from './outcome.js';

const now = new Date('2026-01-01T00:00:00Z');
const bounds = { min: 1_000, max: 60_000 };
const response = (status: number, headers: Record<string, string> = {}) => ({ kind: 'response' as const, status, headers, body: '', truncated: false, durationMs: 1 });

test('outcomeOf: 2xx succeeds, 410 is gone, 3xx/4xx/5xx are rejected, Retry-After only on 429/503', () => {
  assert.deepEqual(outcomeOf(response(204), now, bounds), { kind: 'succeeded', status: 204 });
  assert.deepEqual(outcomeOf(response(410), now, bounds), { kind: 'gone' });
  assert.deepEqual(outcomeOf(response(301), now, bounds), { kind: 'rejected', status: 301, retryAfterMs: undefined });
  assert.deepEqual(outcomeOf(response(429, { 'retry-after': '7' }), now, bounds), { kind: 'rejected', status: 429, retryAfterMs: 7_000 });
  assert.deepEqual(outcomeOf(response(503, { 'retry-after': '9999' }), now, bounds), { kind: 'rejected', status: 503, retryAfterMs: 60_000 });
  assert.deepEqual(outcomeOf(response(500, { 'retry-after': '7' }), now, bounds), { kind: 'rejected', status: 500, retryAfterMs: undefined });
  assert.deepEqual(outcomeOf({ kind: 'error', errorClass: 'timeout', message: '', durationMs: 1 }, now, bounds), { kind: 'no_response', errorClass: 'timeout' });
});

test('nextStep: schedule, Retry-After, 410 and one-shot attempts', () => {
  const policy = { schedule: [100, 200], jitter: 0 };
  const fail = { kind: 'no_response' as const, errorClass: 'refused' as const };
  assert.deepEqual(nextStep({ kind: 'succeeded', status: 200 }, 1, false, policy, Math.random), { state: 'succeeded' });
  assert.deepEqual(nextStep(fail, 1, false, policy, Math.random), { state: 'pending', delayMs: 100 });
  assert.deepEqual(nextStep(fail, 2, false, policy, Math.random), { state: 'pending', delayMs: 200 });
  assert.deepEqual(nextStep(fail, 3, false, policy, Math.random), { state: 'failed', gone: false });
  assert.deepEqual(nextStep(fail, 1, true, policy, Math.random), { state: 'failed', gone: false });
  assert.deepEqual(nextStep({ kind: 'gone' }, 1, false, policy, Math.random), { state: 'failed', gone: true });
  assert.deepEqual(nextStep({ kind: 'rejected', status: 429, retryAfterMs: 5_000 }, 1, false, policy, Math.random), { state: 'pending', delayMs: 5_000 });
  assert.deepEqual(nextStep({ kind: 'rejected', status: 429, retryAfterMs: 5_000 }, 3, false, policy, Math.random), { state: 'failed', gone: false });
});
