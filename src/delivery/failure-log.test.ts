import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Attempt } from '../attempt/model.js';
import { logCapture as capture } from '../test/log-capture.js';
import { FailureLog } from './failure-log.js';
import type { Completion } from './model.js';

const attempt = (endpointId: string, over: Partial<Attempt> = {}): Attempt => ({
  id: 'atmpt_1', deliveryId: 1, messageId: 'msg_1', endpointId, attemptNumber: 1, trigger: 'scheduled',
  url: 'https://user:hunter2@example.test/hook?token=abc', requestHeaders: { authorization: '[redacted]' },
  responseStatus: null, responseHeaders: null, responseBody: null, responseTruncated: false,
  errorCode: 'refused', errorMessage: 'connect ECONNREFUSED 127.0.0.1:9', succeeded: false, durationMs: 1, createdAt: new Date(), ...over,
});
const retry: Completion = { deliveryId: 1, claimedCount: 1, attemptCount: 1, state: 'pending', delayMs: 5_000, attempt: null };

test('one warn line per failed attempt with ids, class and status; never the URL or a body', async () => {
  const { lines, log } = capture();
  const failures = new FailureLog(log);
  assert.equal(failures.record(attempt('ep_a'), retry), true);
  assert.equal(failures.record(attempt('ep_b', { errorCode: null, responseStatus: 500, responseBody: 'stack trace' }), { ...retry, state: 'failed', delayMs: null }), true);
  assert.equal(failures.record(attempt('ep_c', { succeeded: true, errorCode: null, responseStatus: 200 }), retry), false, 'successes are not logged');
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 2);
  assert.deepEqual(
    lines.map(({ level, msg, endpointId, messageId, errorCode, status, next }) => ({ level, msg, endpointId, messageId, errorCode, status, next })),
    [
      { level: 40, msg: 'delivery attempt failed', endpointId: 'ep_a', messageId: 'msg_1', errorCode: 'refused', status: null, next: 'retry in 5000 ms' },
      { level: 40, msg: 'delivery attempt failed', endpointId: 'ep_b', messageId: 'msg_1', errorCode: null, status: 500, next: 'failed' },
    ],
  );
  const text = JSON.stringify(lines);
  for (const secret of ['hunter2', 'token=abc', 'stack trace', 'example.test']) assert.ok(!text.includes(secret), secret);
});

test('a dead endpoint logs once per interval, with the count left out; many dead endpoints are capped too', async () => {
  let now = 0;
  const { lines, log } = capture();
  const failures = new FailureLog(log, { everyMs: 10_000, linesPerInterval: 5, now: () => now });
  for (let i = 0; i < 1_000; i++) failures.record(attempt('ep_dead'), retry);
  now = 10_000;
  failures.record(attempt('ep_dead'), retry);
  for (let e = 0; e < 50; e++) failures.record(attempt(`ep_${e}`), retry);
  await new Promise((r) => setImmediate(r));
  const dead = lines.filter((l) => l.endpointId === 'ep_dead');
  assert.equal(dead.length, 2);
  assert.equal(dead[0]!.suppressed, undefined);
  assert.equal(dead[1]!.suppressed, 999);
  assert.equal(lines.length, 1 + 5, 'the second interval holds 5 lines in all');
});
