import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logCapture } from '../test/log-capture.js';
import { describeEachStorage } from '../test/storages.js';
import { cleanerStart, taskResumeStart } from './schedule.js';

const DAY = 24 * 3600_000;

describeEachStorage('retention cleaner schedule', (env) => {
  test('the first pass runs soon after start, not an hour later; then it runs on its cadence', async () => {
    const { storage } = env();
    const expiredKey = (key: string) =>
      storage.query(`insert into hookyard.idempotency_key (token_id, key, fingerprint, status, body, created_at) values ('tok_s', $1, 'f', 202, '{}', now() - interval '2 days')`, [key]);
    const left = async () => (await storage.query<{ n: number }>(`select count(*)::int as n from hookyard.idempotency_key where token_id = 'tok_s'`)).rows[0]!.n;
    const until = async (check: () => Promise<boolean>, ms: number) => {
      for (const deadline = Date.now() + ms; !(await check()); ) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
      return true;
    };

    await expiredKey('first');
    const { log, lines } = logCapture();
    const running = cleanerStart({ storage, now: () => new Date() }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY }, log, { firstAfterMs: 50, everyMs: 300 });
    try {
      assert.ok(await until(async () => (await left()) === 0, 5_000), 'the first pass ran within seconds of start');
      await expiredKey('second');
      assert.equal(await left(), 1);
      assert.ok(await until(async () => (await left()) === 0, 5_000), 'and again on its cadence');
      assert.ok(lines.filter((l) => l.msg === 'retention cleanup').length >= 2);
    } finally {
      await running.stop();
    }
    const passes = lines.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(lines.length, passes, 'stop ends the schedule');
  });
});

test('the task resume runs on its cadence and says when it took up tasks a stopped process left', async () => {
  const { log, lines } = logCapture();
  let calls = 0;
  const running = taskResumeStart({ resumeStale: async () => (++calls === 1 ? 2 : 0) }, log, { firstAfterMs: 10, everyMs: 30, jitter: 0 });
  try {
    for (const deadline = Date.now() + 5_000; calls < 3 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await running.stop();
  }
  assert.ok(calls >= 3, `ran ${calls} times`);
  const said = lines.filter((l) => l.msg === 'resumed background tasks that a stopped process left running');
  assert.equal(said.length, 1, 'only the pass that resumed some says so');
  assert.equal(said[0]!.resumed, 2);
});
