import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Completion } from './model.js';
import { WriteBack } from './write-back.js';

const result = (deliveryId: number): Completion => ({ deliveryId, claimedCount: 1, attemptCount: 1, state: 'succeeded', delayMs: null, attempt: null });

/** A write that takes `ms`, records what it was given, and fails while `failing` says so. */
function writer(ms = 0) {
  const batches: number[][] = [];
  let running = 0;
  let overlapped = false;
  const state = { failing: 0 };
  return {
    batches,
    state,
    overlapped: () => overlapped,
    async write(batch: Completion[]) {
      if (++running > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, ms));
      running--;
      if (state.failing > 0) {
        state.failing--;
        throw new Error('database away');
      }
      batches.push(batch.map((c) => c.deliveryId));
    },
  };
}

test('results wait flushDelayMs for company, then go in one write', async () => {
  const w = writer();
  const back = new WriteBack({ write: w.write, flushDelayMs: 20, flushSize: 100 });
  for (let i = 1; i <= 5; i++) back.record(result(i));
  assert.deepEqual(w.batches, [], 'nothing written before the delay');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(w.batches, [[1, 2, 3, 4, 5]]);
  assert.deepEqual(back.stats(), { writes: 1, writtenRows: 5, writeMs: back.stats().writeMs, pending: 0 });
});

test('flushSize results go at once; what arrives during a write joins the next one, one write at a time', async () => {
  const w = writer(30);
  const back = new WriteBack({ write: w.write, flushDelayMs: 1_000, flushSize: 3 });
  for (let i = 1; i <= 3; i++) back.record(result(i));
  await new Promise((r) => setTimeout(r, 5));
  for (let i = 4; i <= 10; i++) back.record(result(i));
  await back.flush();
  assert.equal(w.overlapped(), false, 'never two writes at once');
  assert.deepEqual(w.batches[0], [1, 2, 3]);
  assert.deepEqual(w.batches.flat(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every result once, in order');
  assert.ok(w.batches.length <= 3, `${w.batches.length} writes: results that waited were grouped`);
});

test('a failed write keeps its batch and is tried again; flush resolves once it is written', async () => {
  const w = writer();
  const failures: number[] = [];
  const written: number[] = [];
  const back = new WriteBack({
    write: w.write, flushDelayMs: 1, flushSize: 100, retryDelayMs: 10,
    failed: (_e, rows) => failures.push(rows),
    written: async (rows) => void written.push(rows),
  });
  w.state.failing = 2;
  back.record(result(1));
  back.record(result(2));
  await back.flush();
  assert.deepEqual(failures, [2, 2]);
  assert.deepEqual(w.batches, [[1, 2]]);
  assert.deepEqual(written, [2], 'the written hook sees written batches only');
  assert.equal(back.stats().writes, 1);
});
