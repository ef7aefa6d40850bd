import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sseEvent } from './notice.js';
import { liveStream } from './stream.js';

const decoder = new TextDecoder();

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, untilIncludes: string): Promise<string> {
  let text = '';
  while (!text.includes(untilIncludes)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return text;
}

test('a client that reads too slowly loses events, not memory, and is told to reload once it reads again', async () => {
  let closedCalls = 0;
  const s = liveStream({ queueBytes: 4_096, heartbeatMs: 60_000, retryMs: 2_000, onClose: () => closedCalls++ });
  const reader = s.body.getReader();
  const frame = sseEvent('attempt', { items: [{ msgId: 'msg_'.padEnd(200, 'x') }] });
  for (let i = 0; i < 1_000; i++) s.send(frame); // ~230 KB sent to a reader that is not reading
  assert.ok(s.dropped > 900, `dropped ${s.dropped}`);
  const text = await readAll(reader, 'event: reload');
  assert.match(text, /^retry: 2000\n/);
  assert.ok(Buffer.byteLength(text) < 4_096 + 1_000, `what was queued stayed within the bound (${Buffer.byteLength(text)} bytes)`);
  assert.match(text, /event: reload\ndata: \{"reason":"overflow","dropped":\d+\}/);
  // Caught up: events flow again.
  s.send(sseEvent('message', { items: [] }));
  assert.match(await readAll(reader, 'event: message'), /event: message/);
  await reader.cancel();
  assert.equal(closedCalls, 1, 'the client leaving closes it once');
  assert.equal(s.closed, true);
  s.send(frame); // ignored
});

test('heartbeat comments keep an idle stream alive; end() sends the last event and finishes', async () => {
  let closedCalls = 0;
  const s = liveStream({ queueBytes: 4_096, heartbeatMs: 20, retryMs: 1_000, onClose: () => closedCalls++ });
  const reader = s.body.getReader();
  // The heartbeat's timer is unref'd (it must not keep a server alive): this one keeps the test's loop going.
  const keep = setTimeout(() => {}, 5_000);
  assert.match(await readAll(reader, ': ping\n\n'), /: ping\n\n/);
  clearTimeout(keep);
  s.end(sseEvent('end', { reason: 'session_ended' }));
  assert.match(await readAll(reader, 'never'), /event: end\ndata: \{"reason":"session_ended"\}\n\n$/);
  assert.equal((await reader.read()).done, true);
  s.end();
  assert.equal(closedCalls, 1);
});
