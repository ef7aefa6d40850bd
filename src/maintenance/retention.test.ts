import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openHookyard } from '../hookyard.js';
import type { Storage } from '../store/port.js';
import { describeEachStorage, TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';
import { countRows, endpointFor } from '../test/fixtures.js';
import { cleanOnce } from './cleaner.js';

const DAY = 24 * 3600_000;

/** A second Hookyard on the same storage whose services read `now`. */
function openWithClock(storage: Storage, now: () => Date) {
  return openHookyard({ storage, secretKey: TEST_SECRET_KEY, migrate: false, allowCidrs: TEST_ALLOW_CIDRS, now });
}

describeEachStorage('retention', (env) => {
  test('messages past the retention window go, with their deliveries; newer ones and their eventIds stay', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'retention' });
    await endpointFor(hookyard, app.id);
    const realNow = Date.now();
    // Publish "100 days ago" by moving the clock the services read.
    let clock = realNow - 100 * DAY;
    const old = await openWithClock(storage, () => new Date(clock));
    const ancient = await old.messages.publish(app.id, { eventType: 'x', eventId: 'old-event', payload: {} });
    clock = realNow;
    const fresh = await hookyard.messages.publish(app.id, { eventType: 'x', eventId: 'new-event', payload: {} });
    const deliveriesBefore = await countRows(storage, 'delivery');

    const result = await cleanOnce({ storage, now: () => new Date(realNow) }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY, batchSize: 1 });
    assert.equal(result.messages, 1);
    await assert.rejects(hookyard.messages.get(app.id, ancient.message.id), { code: 'not_found' });
    assert.equal((await hookyard.messages.get(app.id, fresh.message.id)).id, fresh.message.id);
    assert.equal(await countRows(storage, 'delivery'), deliveriesBefore - 1);

    // Inside the window the eventId is still reserved; outside it, it is free again.
    assert.equal((await hookyard.messages.publish(app.id, { eventType: 'x', eventId: 'new-event', payload: {} })).created, false);
    assert.equal((await hookyard.messages.publish(app.id, { eventType: 'x', eventId: 'old-event', payload: {} })).created, true);
    await old.close();
  });

  test('attempts leave with their delivery: by retention, endpoint deletion and application deletion', async () => {
    const { hookyard, storage } = env();
    const realNow = Date.now();
    const app = await hookyard.applications.create({ name: 'attempts-go' });
    const [kept, deleted] = [await endpointFor(hookyard, app.id), await endpointFor(hookyard, app.id)];
    const aged = await openWithClock(storage, () => new Date(realNow - 100 * DAY));
    const oldId = (await aged.messages.publish(app.id, { eventType: 'x', payload: {} })).message.id;
    await aged.close();
    const fresh = (await hookyard.messages.publish(app.id, { eventType: 'x', payload: {} })).message;
    await storage.query(
      `insert into hookyard.attempt (id, delivery_id, message_id, endpoint_id, attempt_number, url, succeeded, duration_ms)
       select 'atmpt_' || d.id, d.id, d.message_id, d.endpoint_id, 1, 'http://127.0.0.1/', true, 1
         from hookyard.delivery d where d.message_id = any ($1::text[])`,
      [[oldId, fresh.id]],
    );
    const attemptsOf = async (where: string, param: string) =>
      (await storage.query<{ n: number }>(`select count(*)::int as n from hookyard.attempt where ${where} = $1`, [param])).rows[0]!.n;
    assert.equal(await attemptsOf('message_id', oldId), 2);
    assert.equal(await attemptsOf('message_id', fresh.id), 2);

    await cleanOnce({ storage, now: () => new Date(realNow) }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY });
    assert.equal(await attemptsOf('message_id', oldId), 0, 'the expired message took its attempts');
    assert.equal(await attemptsOf('message_id', fresh.id), 2);

    await hookyard.endpoints.delete(app.id, deleted.id);
    assert.equal(await attemptsOf('endpoint_id', deleted.id), 0, 'the deleted endpoint took its attempts');
    assert.equal(await attemptsOf('endpoint_id', kept.id), 1);

    await hookyard.applications.delete(app.id);
    assert.equal(await attemptsOf('endpoint_id', kept.id), 0, 'the deleted application took its attempts');
  });

  test('rotated-out secrets are deleted once their grace window has passed', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'secrets' });
    const ep = await endpointFor(hookyard, app.id);
    await hookyard.endpoints.secretRotate(app.id, ep.id);
    const count = async () => (await storage.query<{ n: number }>('select count(*)::int as n from hookyard.endpoint_secret where endpoint_id = $1', [ep.id])).rows[0]!.n;
    assert.equal(await count(), 2);
    assert.equal((await cleanOnce({ storage, now: () => new Date() }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY })).secrets, 0, 'still in its grace window');
    assert.equal((await cleanOnce({ storage, now: () => new Date(Date.now() + 2 * DAY) }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY })).secrets, 1);
    assert.equal(await count(), 1);
    assert.ok((await hookyard.endpoints.secretGet(app.id, ep.id)).key.startsWith('whsec_'));
  });

  test('idempotency keys past their retention are deleted; younger ones keep replaying', async () => {
    const { storage } = env();
    await storage.query(
      `insert into hookyard.idempotency_key (token_id, key, fingerprint, status, body, created_at)
       values ('tok_a', 'old', 'f', 202, '{}', now() - interval '25 hours'), ('tok_a', 'young', 'f', 202, '{}', now() - interval '23 hours')`,
    );
    const result = await cleanOnce({ storage, now: () => new Date() }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY });
    assert.equal(result.idempotencyKeys, 1);
    const { rows } = await storage.query<{ key: string }>(`select key from hookyard.idempotency_key where token_id = 'tok_a'`);
    assert.deepEqual(rows.map((r) => r.key), ['young']);
  });
  test('background tasks that ended before the retention window are deleted; running and recent ones stay', async () => {
    const { storage } = env();
    await storage.query(
      `insert into hookyard.background_task (id, app_id, endpoint_id, task, status, since, updated_at) values
         ('qtask_old_done', 'app_x', 'ep_x', 'endpoint.replay', 'finished', now() - interval '100 days', now() - interval '91 days'),
         ('qtask_old_failed', 'app_x', 'ep_x', 'endpoint.recover', 'failed', now() - interval '100 days', now() - interval '91 days'),
         ('qtask_old_running', 'app_x', 'ep_x', 'endpoint.replay', 'running', now() - interval '100 days', now() - interval '91 days'),
         ('qtask_recent_done', 'app_x', 'ep_x', 'endpoint.replay', 'finished', now() - interval '10 days', now() - interval '89 days')`,
    );
    const result = await cleanOnce({ storage, now: () => new Date() }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY });
    assert.equal(result.tasks, 2);
    const { rows } = await storage.query<{ id: string }>(`select id from hookyard.background_task where app_id = 'app_x' order by id`);
    assert.deepEqual(rows.map((r) => r.id), ['qtask_old_running', 'qtask_recent_done'], 'a running task is the resume pass\'s, whatever its age');
  });
});
