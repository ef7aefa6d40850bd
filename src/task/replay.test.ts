import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BackgroundTaskStatus, BackgroundTaskType, Svix } from 'svix';
import type { Context } from '../context.js';
import { startWorker, type Worker } from '../delivery/worker.js';
import { TEST_WORKER, deliveriesOf } from '../test/delivery.js';
import { testApi, type TestApi } from '../test/api.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { newId } from '../ids/id.js';
import { taskService } from './service.js';
import { taskGet, taskInsert } from './sql.js';

// replay-missing and recover as background tasks, through the svix SDK and in steps.
describeEachStorage('background tasks: replay-missing and recover', (env) => {
  let t: TestApi;
  let svix: Svix;
  let worker: Worker;
  let receiver: Receiver;
  before(async () => {
    t = await testApi(env().hookyard);
    svix = new Svix(t.token, { serverUrl: t.url });
    receiver = await startReceiver();
    worker = startWorker(env().hookyard, TEST_WORKER);
  });
  // As in api/delivery.test.ts: the storage closes in its own after hook first, so stop in the last test too.
  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await worker.stop(1_000);
    await t.close();
    await receiver.close();
  }
  after(stop);

  const at = (path: string) => receiver.received.filter((r) => r.path === path);

  // A disabled endpoint keeps its messages parked (endpoint health), so what an endpoint misses
  // is what was published before it existed.
  test('svix.endpoint.replayMissing sends what an endpoint missed, matching its filters, once', async () => {
    const since = new Date(Date.now() - 1_000);
    const app = await svix.application.create({ name: 'replay' });
    const sent = [];
    for (let n = 0; n < 3; n++) sent.push(await svix.message.create(app.id, { eventType: 'a.b', payload: { n } }));
    await svix.message.create(app.id, { eventType: 'x.y', payload: { filtered: true } });
    const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/replay`, filterTypes: ['a.b'] });
    assert.equal((await deliveriesOf(env().storage, sent.map((m) => m.id))).length, 0, 'nothing fanned out to an endpoint that did not exist');

    const out = await svix.endpoint.replayMissing(app.id, ep.id, { since });
    assert.equal(out.task, BackgroundTaskType.EndpointReplay);
    assert.equal(out.status, BackgroundTaskStatus.Finished, 'a small range is done in the request');
    assert.match(out.id, /^qtask_/);
    const got = await receiver.waitFor(3, (r) => r.path === '/replay');
    assert.deepEqual(got.map((r) => r.headers['webhook-id']).sort(), sent.map((m) => m.id).sort());

    const task = await svix.backgroundTask.get(out.id);
    assert.equal(task.status, BackgroundTaskStatus.Finished);
    assert.deepEqual(task.data, { queued: 3 });
    const listed = await svix.backgroundTask.list({ task: BackgroundTaskType.EndpointReplay });
    assert.ok(listed.data.some((x) => x.id === out.id));

    // Again: everything was received now, so nothing is queued or sent twice.
    const again = await svix.endpoint.replayMissing(app.id, ep.id, { since });
    assert.deepEqual((await svix.backgroundTask.get(again.id)).data, { queued: 0 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(at('/replay').length, 3);
  });

  test('recover answers a finished task in Svix\'s shape; bad input is a 4xx', async () => {
    const app = await svix.application.create({ name: 'recover' });
    const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/recover` });
    const out = await svix.endpoint.recover(app.id, ep.id, { since: new Date(Date.now() - 60_000) });
    assert.equal(out.task, BackgroundTaskType.EndpointRecover);
    assert.equal(out.status, BackgroundTaskStatus.Finished);
    const bad = await t.call('POST', `/api/v1/app/${app.id}/endpoint/${ep.id}/replay-missing`, { since: 'yesterday' });
    assert.equal(bad.status, 422);
    const backwards = await t.call('POST', `/api/v1/app/${app.id}/endpoint/${ep.id}/replay-missing`, { since: new Date().toISOString(), until: new Date(Date.now() - 1000).toISOString() });
    assert.equal(backwards.status, 422);
    assert.equal((await t.call('POST', `/api/v1/app/${app.id}/endpoint/ep_nope/replay-missing`, { since: new Date().toISOString() })).status, 404);
    assert.equal((await t.call('GET', '/api/v1/background-task/qtask_nope')).status, 404);
    assert.equal((await t.call('GET', '/api/v1/background-task?status=sleeping')).status, 422);
  });

  test('a large range runs in steps in the background until finished', async () => {
    const { hookyard, storage } = env();
    const tasks = taskService({ storage, now: () => new Date(), onDeliveriesCreated: () => worker.wake() } as unknown as Context, { stepSize: 2 });
    const since = new Date(Date.now() - 1_000);
    const app = await hookyard.applications.create({ name: 'steps' });
    for (let n = 0; n < 5; n++) await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n } });
    const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/steps` });
    const first = await tasks.replayMissing(app.id, ep.id, { since });
    assert.equal(first.status, 'running', 'the first step did 2 of 5');
    const end = Date.now() + 10_000;
    let task = first;
    while (task.status === 'running' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      task = await tasks.get(first.id);
    }
    assert.equal(task.status, 'finished');
    assert.deepEqual(task.data, { queued: 5 });
    await receiver.waitFor(5, (r) => r.path === '/steps');
  });

  test('a task left running by a process that died is resumed by resumeStale, not before it is stale', async () => {
    const { hookyard, storage } = env();
    let now = Date.now();
    const ctx = { storage, now: () => new Date(now), onDeliveriesCreated: () => worker.wake() } as unknown as Context;
    const since = new Date(now - 1_000);
    const app = await hookyard.applications.create({ name: 'orphan' });
    for (let n = 0; n < 3; n++) await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n } });
    const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/orphan` });
    // What a process that died after creating it leaves behind: a running task no step has touched.
    const orphan = await taskInsert(storage, { id: newId('qtask', now), appId: app.id, endpointId: ep.id, task: 'endpoint.replay', since, until: null });
    const tasks = taskService(ctx, { staleAfterMs: 30_000 });
    assert.equal(await tasks.resumeStale(), 0, 'not stale yet: its process may still be stepping it');
    now += 31_000;
    assert.ok((await tasks.resumeStale()) >= 1);
    const end = Date.now() + 10_000;
    let task = await taskGet(storage, orphan.id);
    while (task?.status === 'running' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      task = await taskGet(storage, orphan.id);
    }
    assert.equal(task?.status, 'finished');
    assert.deepEqual(task?.data, { queued: 3 });
    await receiver.waitFor(3, (r) => r.path === '/orphan');
    await stop();
  });
});
