import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../ids/id.js';
import type { Queryable, Storage } from '../store/port.js';
import { describeEachStorage } from '../test/storages.js';
import { inboundRecorder, type AcceptedEvent } from './record.js';
import type { SourceWithToken } from './service.js';

const event = (s: SourceWithToken): AcceptedEvent => ({
  sourceId: s.id, tokenHash: s.tokenHash, sourceVersion: s.version, appId: s.appId, messageId: newId('msg'), eventType: 'push',
  eventId: null, payload: '{"a":1}', verified: true, receivedAt: new Date(),
  log: { id: newId('inreq'), clientIp: '127.0.0.1', userAgent: null, headers: {}, size: 7, durationMs: 1, contentType: null },
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describeEachStorage('the receive path\'s writer', (env) => {
  // Two at a time made every group finish with the other and the senders' next requests arrive
  // together: one group of everything, the thread and the database taking turns (record.ts).
  test('one statement at a time: requests that arrive while it runs go together in the next', async () => {
    const { hookyard, storage } = env();
    const source = await hookyard.sources.create({ name: 'grouped', type: 'generic-webhook' });
    const groups: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const db: Queryable = {
      async query(text, params) {
        if (!text.includes('hookyard.inbound_record')) return storage.query(text, params);
        groups.push((JSON.parse(params![0] as string) as unknown[]).length);
        if (groups.length === 1) await held; // the first statement runs until every other request has arrived
        return storage.query(text, params);
      },
    };
    const recorder = inboundRecorder({ storage: { ...storage, query: db.query } as Storage, onDeliveriesCreated: () => {} });
    const first = recorder.record(event(source));
    await nextTurn();
    const rest: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      rest.push(recorder.record(event(source)));
      await nextTurn(); // each in a turn of its own, as requests arriving one after another
    }
    release();
    const outcomes = await Promise.all([first, ...rest]);
    assert.deepEqual(outcomes.map((o) => (o as { kind: string }).kind), ['created', 'created', 'created', 'created']);
    assert.deepEqual(groups, [1, 3], 'the first alone, then the three that arrived while it ran');
  });
});
