import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointFor } from '../test/fixtures.js';
import { describeEachStorage } from '../test/storages.js';
import { deliveryClaimDue, deliveryRelease } from './sql.js';

describeEachStorage('the claim (migration 009)', (env) => {
  test('a claim may start where the last got to: the skipped backlog before it is not walked, and nothing due after it is missed', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'claim-scan' });
    const hang = await endpointFor(hookyard, app.id);
    const ok = await endpointFor(hookyard, app.id);
    // 50 deliveries of a skipped endpoint at the head of the queue, an hour old, then 5 of another.
    await hookyard.messages.publishBatch(app.id, Array.from({ length: 50 }, (_, n) => ({ eventType: 'a.b', payload: { n } })));
    await storage.query(`update hookyard.delivery set next_attempt_at = now() - interval '1 hour' where endpoint_id = $1`, [hang.id]);
    await storage.query(`update hookyard.delivery set state = 'succeeded' where endpoint_id = $1`, [ok.id]);
    const later = await hookyard.messages.publishBatch(app.id, Array.from({ length: 5 }, (_, n) => ({ eventType: 'a.b', payload: { n } })));
    await storage.query(`update hookyard.delivery set state = 'succeeded' where endpoint_id = $1 and message_id = any ($2::text[])`, [hang.id, later.map((r) => r.message.id)]);
    const skip = new Map([[hang.id, 0]]);
    const query = { limit: 2, leaseMs: 60_000, endpointCap: 10, endpointRoom: skip };

    const first = await deliveryClaimDue(storage, query);
    assert.deepEqual(first.claimed.map((c) => c.endpointId), [ok.id, ok.id]);
    const reached = first.scanReached!;
    const { rows } = await storage.query<{ newest: Date; now: Date }>(`select max(next_attempt_at) as newest, now() as now from hookyard.delivery where endpoint_id = $1 and state = 'pending'`, [hang.id]);
    assert.ok(reached > rows[0]!.newest, 'past the skipped backlog');
    assert.ok(reached.getTime() <= rows[0]!.now.getTime() - 2_000 + 50, 'and at least 2 s back');

    const second = await deliveryClaimDue(storage, { ...query, scanFrom: reached });
    assert.deepEqual(second.claimed.map((c) => c.endpointId), [ok.id, ok.id]);
    // A delivery due from now on (fan-out, a release) lands after the point.
    await deliveryRelease(storage, first.claimed);
    const third = await deliveryClaimDue(storage, { ...query, limit: 10, scanFrom: reached });
    assert.deepEqual(third.claimed.map((c) => c.endpointId).sort(), [ok.id, ok.id, ok.id]);
    // From the start with the skipped endpoint given room, its backlog is there.
    const all = await deliveryClaimDue(storage, { ...query, limit: 100, endpointRoom: new Map() });
    assert.equal(all.claimed.filter((c) => c.endpointId === hang.id).length, 10, 'its cap');
  });
});
