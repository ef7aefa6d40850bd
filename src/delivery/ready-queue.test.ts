import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Claimed } from './model.js';
import { ReadyQueue, type ReadyQueueSettings } from './ready-queue.js';

let nextId = 1;
function claimed(endpointId: string): Claimed {
  return {
    id: nextId++, messageId: 'msg_1', endpointId, attemptCount: 1, trigger: 'scheduled', oneShot: false,
    payload: '{}', url: 'http://127.0.0.1:9/', headers: {}, endpointDisabled: false, sealedSecrets: [],
  };
}

const SETTINGS: ReadyQueueSettings = { concurrency: 8, slowConcurrency: 8, endpointConcurrency: 4, slowAfterMs: 100, readyMaxMs: 10_000 };

/** Queues `n` deliveries for the endpoint at time `at`. */
function fill(queue: ReadyQueue, endpointId: string, n: number, at = 0): Claimed[] {
  const out = Array.from({ length: n }, () => claimed(endpointId));
  for (const c of out) assert.ok(queue.add(c, ['s'], at));
  return out;
}

const started = (queue: ReadyQueue, now: number) => queue.take(now).start.map((r) => r.claimed);
const byEndpoint = (list: Claimed[]) => list.reduce<Record<string, number>>((n, c) => ({ ...n, [c.endpointId]: (n[c.endpointId] ?? 0) + 1 }), {});

test('an endpoint starts with a share of 2, and each prompt answer grows it by one up to endpointConcurrency', () => {
  const queue = new ReadyQueue(SETTINGS);
  fill(queue, 'ep_a', 8);
  let running = started(queue, 0);
  assert.equal(running.length, 2, 'the initial share');
  const shares: number[] = [];
  for (let t = 1; t <= 6; t++) {
    for (const c of running) queue.finish(c.id, t, false);
    fill(queue, 'ep_a', 8, t);
    running = started(queue, t);
    shares.push(running.length);
  }
  // Each round ends the share's attempts promptly: 2 answers -> 4, then 4 -> capped at 4.
  assert.deepEqual(shares, [4, 4, 4, 4, 4, 4]);
});

test('the slots bound what starts across endpoints, oldest first', () => {
  const queue = new ReadyQueue({ ...SETTINGS, endpointConcurrency: 2 });
  for (const ep of ['ep_a', 'ep_b', 'ep_c', 'ep_d', 'ep_e']) fill(queue, ep, 3);
  const first = started(queue, 0);
  assert.equal(first.length, 8);
  assert.deepEqual(byEndpoint(first), { ep_a: 2, ep_b: 2, ep_c: 2, ep_d: 2 });
  assert.equal(queue.mainInFlight, 8);
  queue.finish(first[0]!.id, 1, false);
  assert.deepEqual(started(queue, 1).map((c) => c.endpointId), ['ep_a'], 'the freed slot goes to the oldest waiting delivery that may start');
});

test('an attempt unanswered past slowAfterMs leaves its slot; the endpoint turns slow and hands back what it had waiting', () => {
  const queue = new ReadyQueue(SETTINGS);
  const hung = fill(queue, 'ep_hang', 10);
  const first = started(queue, 0);
  assert.equal(first.length, 2);
  assert.equal(queue.park(50).parked, 0, 'not yet slow');
  const { parked, released } = queue.park(150);
  assert.equal(parked, 2);
  assert.equal(queue.mainInFlight, 0, 'both slots are free again');
  assert.equal(queue.slowInFlight, 2);
  assert.equal(queue.slowEndpoints(), 1);
  assert.equal(queue.shareOf('ep_hang'), 1, 'turning slow halves the share');
  // A slow endpoint may hold only its share, and it has 2 in flight: the 8 waiting go back, newest first.
  assert.equal(released.length, 8);
  assert.deepEqual(released.map((c) => c.id), hung.slice(2).map((c) => c.id).reverse());
  assert.equal(queue.ready, 0);
  assert.ok(queue.claimRoom().room.get('ep_hang')! <= 0, 'claims skip it until its attempts end');
});

test('a slow endpoint starts on the slow pool only, and waits when that is full; healthy endpoints keep the slots', () => {
  const queue = new ReadyQueue({ ...SETTINGS, slowConcurrency: 2, initialShare: 4 });
  for (const ep of ['ep_h1', 'ep_h2']) fill(queue, ep, 1);
  started(queue, 0);
  queue.park(200); // both slow, both on the slow pool, which is now full
  for (const ep of ['ep_h1', 'ep_h2']) assert.ok(queue.add(claimed(ep), ['s'], 200), 'room for one more each (share 4 halved to 2, 1 in flight)');
  fill(queue, 'ep_ok', 6, 200);
  const next = started(queue, 200);
  assert.deepEqual(byEndpoint(next), { ep_ok: 4 }, 'the slow endpoints wait for the slow pool; the healthy one starts');
  assert.equal(queue.mainInFlight, 4);
  assert.equal(queue.slowInFlight, 2);
});

test('with 8 of 40 endpoints hanging, the hanging ones end up holding none of the slots', () => {
  const settings = { concurrency: 64, slowConcurrency: 64, endpointConcurrency: 8, slowAfterMs: 1_000, readyMaxMs: 44_500 };
  const queue = new ReadyQueue(settings);
  const hanging = new Set(Array.from({ length: 8 }, (_, i) => `ep_${i * 5}`));
  let now = 0;
  let healthyStarted = 0;
  const inFlight: Claimed[] = [];
  // 10 s of simulated time in 10 ms steps: healthy attempts take 10 ms, hanging ones never end.
  for (; now < 10_000; now += 10) {
    // Every endpoint has a deep backlog: claims fill each to its cap.
    for (let e = 0; e < 40; e++) {
      const id = `ep_${e}`;
      while (!queue.atCap(id) && queue.add(claimed(id), ['s'], now));
    }
    for (const c of inFlight.splice(0)) {
      if (hanging.has(c.endpointId)) inFlight.push(c);
      else queue.finish(c.id, now, false);
    }
    queue.park(now);
    for (const c of started(queue, now)) {
      inFlight.push(c);
      if (!hanging.has(c.endpointId)) healthyStarted++;
    }
    if (now === 5_000) assert.equal(queue.mainInFlight - inFlight.filter((c) => !hanging.has(c.endpointId)).length, 0, 'no slot is held by a hanging endpoint');
  }
  assert.equal(queue.slowEndpoints(), 8);
  assert.equal(queue.slowInFlight, 16, 'each hanging endpoint holds what it had started (its initial share), on the slow pool');
  assert.equal(queue.shareOf('ep_0'), 1);
  // 64 slots of 10 ms attempts over 10 s is at most 64,000; the first second lost 16 slots to the hanging ones at most.
  assert.ok(healthyStarted > 0.9 * 64 * 1000, `${healthyStarted} healthy attempts started`);
});

test('a timeout halves the share down to 1; a prompt answer ends "slow" and grows it again', () => {
  const queue = new ReadyQueue({ ...SETTINGS, endpointConcurrency: 8, initialShare: 8 });
  fill(queue, 'ep_a', 8);
  const running = started(queue, 0);
  assert.equal(running.length, 8);
  queue.park(200);
  const shares: number[] = [];
  for (const c of running.slice(0, 4)) {
    queue.finish(c.id, 300, true);
    shares.push(queue.shareOf('ep_a'));
  }
  // Turning slow halved 8 to 4; each timeout halves again.
  assert.deepEqual(shares, [2, 1, 1, 1]);
  for (const c of running.slice(4)) queue.finish(c.id, 300, true);
  fill(queue, 'ep_a', 1, 400);
  const [again] = started(queue, 400);
  assert.equal(queue.slowInFlight, 1, 'still slow: it starts on the slow pool');
  queue.finish(again!.id, 410, false);
  assert.equal(queue.slowEndpoints(), 0, 'answered within slowAfterMs');
  fill(queue, 'ep_a', 4, 420);
  assert.equal(started(queue, 420).length, 2, 'share 1 + 1');
});

test('a delivery that waited past readyMaxMs is handed back, not started', () => {
  const queue = new ReadyQueue({ ...SETTINGS, concurrency: 1 });
  const [a, b] = fill(queue, 'ep_a', 2, 0);
  assert.deepEqual(started(queue, 0).map((c) => c.id), [a!.id]);
  const { start, stale } = queue.take(10_001);
  assert.deepEqual(start, []);
  assert.deepEqual(stale.map((c) => c.id), [b!.id]);
  assert.equal(queue.ready, 0);
});

test('claim room: held and slow endpoints are listed; one not heard from yet may hold its share x 4, one that answers the full allowance', () => {
  const queue = new ReadyQueue(SETTINGS);
  fill(queue, 'ep_a', 3);
  const { room, otherRoom } = queue.claimRoom();
  assert.equal(otherRoom, 16, 'an endpoint held nowhere: endpointConcurrency 4 x 4');
  assert.deepEqual([...room], [['ep_a', 5]], 'not heard from: share 2 x 4, 3 held');
  assert.equal(queue.atCap('ep_a'), false);
  fill(queue, 'ep_a', 5);
  assert.equal(queue.atCap('ep_a'), true);
  const [first] = started(queue, 0);
  queue.finish(first!.id, 1, false);
  assert.deepEqual([...queue.claimRoom().room], [['ep_a', 16 - 7]], 'it answered: the full allowance, while its share still grows');
  assert.equal(queue.drain().length, 6);
  const fresh = new ReadyQueue(SETTINGS);
  fill(fresh, 'ep_b', 1);
  fresh.drain();
  assert.deepEqual([...fresh.claimRoom().room], [], 'an endpoint holding nothing at the initial share is forgotten');
});

test('a claim arriving after its endpoint turned slow is refused beyond the slow cap', () => {
  const queue = new ReadyQueue(SETTINGS);
  fill(queue, 'ep_a', 2);
  started(queue, 0);
  queue.park(200);
  assert.equal(queue.add(claimed('ep_a'), ['s'], 200), false, 'share 2, 2 in flight: no room');
  assert.equal(queue.ready, 0);
});

test('a grown share is remembered across a lull; past maxEndpoints the oldest idle endpoints are forgotten', () => {
  const queue = new ReadyQueue({ ...SETTINGS, maxEndpoints: 10 });
  fill(queue, 'ep_busy', 2);
  for (const c of started(queue, 0)) queue.finish(c.id, 1, false);
  assert.equal(queue.ready, 0);
  assert.equal(queue.shareOf('ep_busy'), 4, 'grown, and held nothing');
  fill(queue, 'ep_busy', 4, 2);
  assert.equal(started(queue, 2).length, 4, 'the next burst starts at the grown share');
  for (let e = 0; e < 12; e++) {
    fill(queue, `ep_${e}`, 1, 3);
    for (const r of started(queue, 3)) queue.finish(r.id, 4, false);
  }
  assert.equal(queue.shareOf('ep_11'), 3);
  assert.equal(queue.shareOf('ep_0'), 2, 'the oldest idle one was forgotten: back to the initial share');
  assert.equal(queue.shareOf('ep_busy'), 4, 'still remembered while it holds deliveries');
});

test('an endpoint that keeps answering is busy, not stuck: an old attempt alone does not make it slow', () => {
  const queue = new ReadyQueue({ ...SETTINGS, initialShare: 4 });
  fill(queue, 'ep_busy', 4);
  const [old, ...rest] = started(queue, 0);
  // Three answers come in late (a saturated thread reads them late), the fourth is still open.
  for (const c of rest) queue.finish(c.id, 150, false);
  assert.deepEqual(queue.park(200), { parked: 0, released: [] });
  assert.equal(queue.slowEndpoints(), 0);
  // Nothing more answered for slowAfterMs while the old attempt stays open: now it is stuck.
  assert.equal(queue.park(260).parked, 1);
  assert.equal(queue.slowEndpoints(), 1);
  queue.finish(old!.id, 270, false);
});

test('an endpoint a claim capped asks for the next claim once it has room for a round, not at every freed place', () => {
  const queue = new ReadyQueue({ ...SETTINGS, initialShare: 4 });
  fill(queue, 'ep_a', 1);
  const [first] = started(queue, 0);
  queue.finish(first!.id, 1, false); // it answers: the full allowance, 4 x 4
  let given = queue.claimRoom();
  assert.equal(given.otherRoom, 16);
  fill(queue, 'ep_a', 16, 2);
  assert.equal(queue.claimed(new Map([['ep_a', 16]]), given), false, 'capped, and no room yet');
  const running = started(queue, 2);
  assert.equal(running.length, 4);
  const opened = running.map((c) => queue.finish(c.id, 3, false).roomOpened);
  assert.deepEqual(opened, [false, false, false, true], 'room for a round (its share, 4) after the 4th');

  given = queue.claimRoom();
  fill(queue, 'ep_a', 2, 4);
  queue.claimed(new Map([['ep_a', 2]]), given); // given 4, took 2: nothing more is due
  const more = started(queue, 4);
  assert.ok(more.every((c) => !queue.finish(c.id, 5, false).roomOpened));
});
