import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wake } from './wake.js';

test('a sleep ends at a signal (work may be due) or a nudge (look again), else at its timeout (the poll)', async () => {
  const wake = new Wake();
  wake.mayHaveWork = false;
  let t = performance.now();
  const slept = wake.sleep(10_000);
  wake.nudge();
  await slept;
  assert.ok(performance.now() - t < 1_000);
  assert.equal(wake.mayHaveWork, false, 'a nudge claims nothing');

  const again = wake.sleep(10_000);
  wake.signal();
  await again;
  assert.equal(wake.mayHaveWork, true);

  wake.mayHaveWork = false;
  t = performance.now();
  await wake.sleep(30);
  assert.ok(performance.now() - t >= 25);
  assert.equal(wake.mayHaveWork, true, 'a poll');
  wake.signal(); // with nobody asleep, it only sets the flag
});

test('at(): the earliest retry wins, and it signals', async () => {
  const wake = new Wake();
  wake.mayHaveWork = false;
  wake.at(5_000);
  wake.at(20);
  wake.at(3_000); // later than the one set: ignored
  const t = performance.now();
  await wake.sleep(10_000);
  const waited = performance.now() - t;
  assert.ok(waited >= 15 && waited < 2_000, `woke after ${waited} ms`);
  assert.equal(wake.mayHaveWork, true);
  wake.close();
});
