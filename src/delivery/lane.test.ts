import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { endpointFor } from '../test/fixtures.js';
import { describeEachStorage } from '../test/storages.js';
import { deliveryClaimDue, deliveryComplete } from './sql.js';

/** Holds a worker's lane from another connection (as that worker's running statement would) until released. */
async function laneHold(url: string, lane: number): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query('select hookyard.lane_enter($1)', [lane]);
  return async () => {
    await client.query('commit');
    await client.end();
  };
}

/** Whether `promise` is still unsettled after `ms`. */
async function stillWaiting(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const waiting = Symbol('waiting');
  return (await Promise.race([promise.then(() => undefined), new Promise((r) => setTimeout(() => r(waiting), ms))])) === waiting;
}

const claimQuery = (lane: number) => ({ limit: 10, leaseMs: 60_000, endpointCap: 10, endpointRoom: new Map<string, number>(), lane });

// Waiting needs a second connection, so PostgreSQL only; on PGlite, with one connection, statements
// run one at a time anyway, and the worker tests run the same statements with a lane there.
describeEachStorage('worker lane (migration 007)', (env) => {
  test("a claim waits while its worker's lane is held; another worker's claim does not", async () => {
    const { hookyard, storage, url } = env();
    const app = await hookyard.applications.create({ name: 'lane-claim' });
    const endpoint = await endpointFor(hookyard, app.id);
    await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 1 } });
    const release = await laneHold(url!, 101);
    const waiting = deliveryClaimDue(storage, claimQuery(101));
    try {
      assert.ok(await stillWaiting(waiting, 300), 'the claim waited for its lane');
      const other = await deliveryClaimDue(storage, claimQuery(202));
      assert.deepEqual(other.claimed.map((c) => c.endpointId), [endpoint.id], 'another lane claims at once');
    } finally {
      await release();
    }
    // Its scan began after the wait, so it sees the other claim's lease and takes nothing.
    assert.deepEqual((await waiting).claimed, []);
  });

  test("a write-back waits while its worker's lane is held, then applies", async () => {
    const { hookyard, storage, url } = env();
    const app = await hookyard.applications.create({ name: 'lane-write' });
    await endpointFor(hookyard, app.id);
    await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 2 } });
    const [claimed] = (await deliveryClaimDue(storage, claimQuery(303))).claimed;
    const release = await laneHold(url!, 303);
    const written = deliveryComplete(storage, [{ deliveryId: claimed!.id, claimedCount: claimed!.attemptCount, attemptCount: claimed!.attemptCount, state: 'succeeded', delayMs: null, attempt: null }], 303);
    const state = async () => (await storage.query<{ state: string }>('select state from hookyard.delivery where id = $1', [claimed!.id])).rows[0]!.state;
    try {
      assert.ok(await stillWaiting(written, 300), 'the write-back waited for its lane');
      assert.equal(await state(), 'sending');
    } finally {
      await release();
    }
    await written;
    assert.equal(await state(), 'succeeded');
  });
}, {}, ['postgres']);
