import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPostgres } from '../store/postgres.js';
import { logCapture } from '../test/log-capture.js';
import { periodicDelay, periodicStart, type Timers } from './periodic.js';

/** Timers on a clock the test moves: `advance` runs what falls due, in order. */
function manualTimers(): Timers & { advance(ms: number): void; pending(): number[] } {
  let now = 0;
  let next = 0;
  const queue = new Map<number, { at: number; run: () => void }>();
  return {
    set(run, ms) {
      const id = next++;
      queue.set(id, { at: now + ms, run });
      return id;
    },
    clear(handle) {
      queue.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...queue].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
        if (!due) break;
        queue.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = until;
    },
    pending: () => [...queue.values()].map((t) => t.at - now),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a wait is spread by ±jitter and never negative', () => {
  assert.equal(periodicDelay(1000, 0.1, () => 0), 900);
  assert.equal(periodicDelay(1000, 0.1, () => 0.5), 1000);
  assert.equal(periodicDelay(1000, 0.1, () => 1), 1100);
  assert.equal(periodicDelay(1000, 0, () => 0.3), 1000);
  assert.equal(periodicDelay(10, 2, () => 0), 0);
});

test('runs first after firstAfterMs, then every everyMs; a running pass is not doubled; stop ends it and waits for the pass', async () => {
  const timers = manualTimers();
  const { log } = logCapture();
  let runs = 0;
  let release: (() => void) | undefined;
  const running = periodicStart(
    async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
    },
    log,
    { name: 'test task', firstAfterMs: 100, everyMs: 1000, jitter: 0.1, random: () => 1, timers },
  );
  assert.deepEqual(timers.pending(), [110], 'the first wait is jittered too');
  timers.advance(109);
  await settle();
  assert.equal(runs, 0);
  timers.advance(1);
  await settle();
  assert.equal(runs, 1);
  assert.deepEqual(timers.pending(), [1100]);
  timers.advance(1100);
  await settle();
  assert.equal(runs, 1, 'the first pass is still running: the one due now is skipped');
  release!();
  await settle();
  timers.advance(1100);
  await settle();
  assert.equal(runs, 2);
  let stopped = false;
  const stopping = running.stop().then(() => (stopped = true));
  await settle();
  assert.equal(stopped, false, 'stop waits for the running pass');
  release!();
  await stopping;
  assert.deepEqual(timers.pending(), [], 'no timer left');
  timers.advance(10_000);
  await settle();
  assert.equal(runs, 2);
});

test('a failed pass is logged with its error and the next runs; with the database away, the reason and no stack', async () => {
  const timers = manualTimers();
  const { log, lines } = logCapture();
  let mode: 'bug' | 'away' | 'fine' = 'bug';
  let runs = 0;
  const running = periodicStart(
    async () => {
      runs++;
      if (mode === 'bug') throw new Error('a bug');
      // A real refused connection: nothing listens on the discard port.
      if (mode === 'away') await openPostgres({ connectionString: 'postgres://postgres@127.0.0.1:9/none', max: 1 });
    },
    log,
    { name: 'test task', firstAfterMs: 10, everyMs: 10, jitter: 0, timers },
  );
  try {
    timers.advance(10);
    await settle();
    const bug = lines.find((l) => l.msg === 'test task failed; it runs again on its cadence');
    assert.ok(bug, JSON.stringify(lines));
    assert.match(String((bug.err as { stack?: string }).stack), /a bug/, 'a bug is logged with its stack');
    mode = 'away';
    timers.advance(10);
    for (let i = 0; i < 100 && !lines.some((l) => String(l.msg).includes('waits for the database')); i++) await new Promise((r) => setTimeout(r, 20));
    const away = lines.find((l) => l.msg === 'test task waits for the database; it runs again on its cadence');
    assert.ok(away, JSON.stringify(lines));
    assert.match(String(away.reason), /ECONNREFUSED/);
    assert.equal(away.err, undefined, 'no error object, so no stack');
    mode = 'fine';
    timers.advance(10);
    await settle();
    assert.equal(runs, 3, 'each failure left the cadence going');
  } finally {
    await running.stop();
  }
});
