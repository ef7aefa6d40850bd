import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimSize } from './claim-size.js';

const at = (ready: number, mainInFlight: number) => claimSize({ ready, mainInFlight, concurrency: 64, batchSize: 100 });

test('claims are batched and run up to two batches ahead of the slots', () => {
  assert.equal(at(0, 0), 100, 'idle: a full batch');
  assert.equal(at(0, 63), 100, 'starved (a free slot, nothing waiting): at once');
  assert.equal(at(99, 64), 100, 'fewer than a batch waiting: the next batch');
  assert.equal(at(100, 64), 0, 'a batch waiting: not yet');
  assert.equal(at(60, 64), 100);
  assert.equal(at(150, 64), 0);
  assert.equal(at(0, 64), 100, 'every slot busy and nothing waiting: claim ahead');
});
