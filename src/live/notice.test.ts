import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveNoticeFor, liveNoticeParse, sseEvent } from './notice.js';

const notice = liveNoticeParse(JSON.stringify({ k: 'attempt', r: [
  { app: 'app_a', ep: 'ep_a', msg: 'msg_a', state: 'succeeded' },
  { app: 'app_b', ep: 'ep_b', msg: 'msg_b', state: 'failed' },
] }))!;

test('a notification parses into its kind and items; anything else is ignored', () => {
  assert.equal(notice.kind, 'attempt');
  assert.equal(notice.items.length, 2);
  for (const junk of ['', 'x', '{}', '{"k":"attempt"}', '{"k":"nope","r":[]}', '[1]', 'null', '{"k":"attempt","r":{}}']) {
    assert.equal(liveNoticeParse(junk), undefined, junk);
  }
});

test('operators see every item, under the API\'s field names', () => {
  const out = liveNoticeFor({ scope: 'admin', appId: null }, notice)!;
  assert.deepEqual(out.items, [
    { appId: 'app_a', endpointId: 'ep_a', msgId: 'msg_a', state: 'succeeded' },
    { appId: 'app_b', endpointId: 'ep_b', msgId: 'msg_b', state: 'failed' },
  ]);
  assert.equal(liveNoticeFor({ scope: 'api', appId: null }, notice)!.items.length, 2);
});

test('a portal sees its own application\'s items only, no source requests, and nothing of a notification without its items', () => {
  assert.deepEqual(liveNoticeFor({ scope: 'app', appId: 'app_a' }, notice)!.items.map((i) => i.msgId), ['msg_a']);
  assert.equal(liveNoticeFor({ scope: 'app', appId: 'app_c' }, notice), undefined);
  assert.equal(liveNoticeFor({ scope: 'app', appId: null }, notice), undefined);
  const sources = liveNoticeParse('{"k":"source-request","r":[{"src":"src_1","id":"inreq_1","app":"app_a"}]}')!;
  assert.equal(liveNoticeFor({ scope: 'app', appId: 'app_a' }, sources), undefined);
  assert.equal(liveNoticeFor({ scope: 'admin', appId: null }, sources)!.items[0]!.sourceId, 'src_1');
  const unnamed = liveNoticeParse('{"k":"message","r":[{"msg":"msg_x"}]}')!;
  assert.equal(liveNoticeFor({ scope: 'app', appId: 'app_a' }, unnamed), undefined, 'an item without an application is no portal\'s');
});

test('fields not listed are never passed on', () => {
  const odd = liveNoticeParse('{"k":"task","r":[{"app":"app_a","id":"qtask_1","secret":"whsec_x","status":"running"}]}')!;
  assert.deepEqual(liveNoticeFor({ scope: 'admin', appId: null }, odd)!.items, [{ appId: 'app_a', id: 'qtask_1', status: 'running' }]);
});

test('an event is one frame whose data is one line', () => {
  assert.equal(sseEvent('attempt', { a: 'x\ny' }), 'event: attempt\ndata: {"a":"x\\ny"}\n\n');
});
