import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serveStart } from '../cli/serve.js';
import { configParse } from '../config/config.js';
import { TEST_WORKER, deliveriesOf, waitForAttempts } from '../test/delivery.js';
import { logCapture } from '../test/log-capture.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

// Every failure says why: in the attempt row, and in one bounded log line.
describeEachStorage('delivery failures', (env) => {
  describe('on a loopback receiver', () => {
    let receiver: Receiver;
    before(async () => {
      receiver = await startReceiver((r) => (r.path.startsWith('/fail') ? { status: 500, body: 'no' } : { status: 200 }));
    });
    after(() => receiver.close());

    test('a signing secret that cannot be opened (a damaged row, or one sealed under another key) fails the attempt at once, with the reason, and sends nothing', async () => {
      const { hookyard, storage } = env();
      const app = await hookyard.applications.create({ name: 'wrong-key' });
      const endpoint = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/wrong-key` });
      const secret = (await hookyard.endpoints.secretGet(app.id, endpoint.id)).key;
      // A different key is refused when Hookyard opens (its fingerprint is stored), so what is left is a
      // sealed value that will not open: flip the bits of the last byte of its authentication tag.
      await storage.query(`update hookyard.endpoint_secret set sealed = set_byte(sealed, length(sealed) - 1, get_byte(sealed, length(sealed) - 1) # 255) where endpoint_id = $1`, [endpoint.id]);
      const { log, lines, text } = logCapture();
      // A lease far longer than the wait below: the attempt must not be left to it.
      const worker = hookyard.startWorker({ ...TEST_WORKER, leaseMs: 120_000, retrySchedule: [60_000] }, log);
      try {
        const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 1 } });
        const [attempt] = await waitForAttempts(storage, [message.id], 1, 10_000);
        assert.equal(attempt!.error_code, 'secret');
        assert.match(attempt!.error_message!, /signing secret cannot be opened/);
        assert.ok(attempt!.error_message!.includes(endpoint.id), attempt!.error_message!);
        assert.equal(attempt!.response_status, null);
        assert.deepEqual(attempt!.request_headers, {}, 'nothing was sent');
        const [delivery] = await deliveriesOf(storage, [message.id]);
        assert.deepEqual([delivery!.state, delivery!.attempt_count], ['pending', 1], 'retried on the schedule, not stuck in sending');
        assert.equal(receiver.received.filter((r) => r.path === '/wrong-key').length, 0);
        await new Promise((r) => setTimeout(r, 50));
        assert.ok(lines.some((l) => l.level === 50 && /HOOKYARD_SECRET_KEY/.test(String(l.msg))), text());
        assert.ok(lines.some((l) => l.msg === 'delivery attempt failed' && l.errorCode === 'secret' && l.endpointId === endpoint.id), text());
        assert.ok(!text().includes(secret.slice(6)), 'the secret is never logged');
      } finally {
        await worker.stop(1_000);
      }
    });

    test('each failed attempt logs one warn line with the ids, class and status, bounded per endpoint', async () => {
      const { hookyard, storage } = env();
      const app = await hookyard.applications.create({ name: 'failing' });
      const endpoint = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/fail?token=s3cret` });
      const { log, lines, text } = logCapture();
      const worker = hookyard.startWorker({ ...TEST_WORKER, retrySchedule: [] }, log);
      try {
        const ids = (await hookyard.messages.publishBatch(app.id, Array.from({ length: 20 }, (_, n) => ({ eventType: 'a.b', payload: { n } })))).map((r) => r.message.id);
        await waitForAttempts(storage, ids, 20, 10_000);
        await new Promise((r) => setTimeout(r, 50));
        const failed = lines.filter((l) => l.msg === 'delivery attempt failed');
        // 20 failures well inside the 10 s window: one line, the rest counted for the next.
        assert.equal(failed.length, 1, text());
        assert.equal(failed[0]!.level, 40);
        assert.equal(failed[0]!.endpointId, endpoint.id);
        assert.ok(ids.includes(String(failed[0]!.messageId)));
        assert.equal(failed[0]!.status, 500);
        assert.equal(failed[0]!.next, 'failed');
        assert.ok(!text().includes('s3cret') && !text().includes('"no"'), 'no URL, no body');
      } finally {
        await worker.stop(1_000);
      }
    });
  });
});

describe('the worker under serve', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-serve-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('"delivery worker started" is logged once, with the settings', async () => {
    const { log, lines } = logCapture();
    const running = await serveStart(configParse({ dataDir: dir, role: 'worker', allowCidrs: '127.0.0.0/8' }), '0.0.0', log);
    await running.stop();
    const started = lines.filter((l) => l.msg === 'delivery worker started');
    assert.equal(started.length, 1);
    assert.equal(started[0]!.allowCidrs, '127.0.0.0/8');
    assert.equal(started[0]!.concurrency, 64);
  });
});
