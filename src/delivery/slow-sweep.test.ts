import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Claimed } from './model.js';
import { ReadyQueue } from './ready-queue.js';
import { SlowSweep } from './slow-sweep.js';

const claimed = (id: number, endpointId: string): Claimed => ({
  id, messageId: 'msg_1', endpointId, attemptCount: 1, trigger: 'scheduled', oneShot: false,
  payload: '{}', url: 'http://127.0.0.1:9/', headers: {}, endpointDisabled: false, sealedSecrets: [],
});

test('a sweep moves attempts older than slowAfterMs to the slow pool; a late sweep moves nothing', () => {
  const queue = new ReadyQueue({ concurrency: 4, slowConcurrency: 4, endpointConcurrency: 4, slowAfterMs: 100, readyMaxMs: 10_000 });
  for (let i = 1; i <= 3; i++) queue.add(claimed(i, 'ep_a'), ['s'], 0);
  queue.take(0);
  let now = 0;
  const swept: number[] = [];
  const sweep = new SlowSweep(queue, 100, ({ parked }) => swept.push(parked), () => now);
  assert.equal(sweep.everyMs, 25);
  sweep.start();
  try {
    now = 25;
    sweep.sweep();
    now = 500; // the thread was busy for 475 ms: answers may be waiting unread
    sweep.sweep();
    assert.deepEqual(swept, []);
    assert.equal(queue.mainInFlight, 2);
    now = 525;
    sweep.sweep();
    assert.deepEqual(swept, [2]);
    assert.equal(queue.mainInFlight, 0);
    assert.equal(queue.slowInFlight, 2);
    now = 550;
    sweep.sweep(); // nothing on the slots: it stops itself
  } finally {
    sweep.stop();
  }
});
