import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';
import { sourceConfigParse } from './index.js';

const config = { username: 'hooks', password: 'pässword-9f3b' };
const now = new Date('2026-12-01T12:00:00Z');
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
const verify = (h: Record<string, string>) => verifyWith('hookyard-basic-auth', config, inboundRequest('{"type":"ping"}', h), now);

test('hookyard-basic-auth: the right credentials pass; wrong, partial, missing or other schemes are refused', () => {
  assert.deepEqual(verify({ Authorization: basic('hooks', 'pässword-9f3b') }), { ok: true, eventType: 'ping', dedupKey: null, verified: true });
  assert.equal(reasonOf(verify({ Authorization: basic('hooks', 'pässword-9f3') })), 'credentials_invalid');
  assert.equal(reasonOf(verify({ Authorization: basic('other', 'pässword-9f3b') })), 'credentials_invalid');
  assert.equal(reasonOf(verify({ Authorization: basic('hooks:pässword-9f3b', '') })), 'credentials_invalid');
  assert.equal(reasonOf(verify({ Authorization: 'Bearer pässword-9f3b' })), 'credentials_invalid');
  assert.equal(reasonOf(verify({})), 'credentials_invalid');
  assert.throws(() => sourceConfigParse('hookyard-basic-auth', { username: 'a:b', password: 'x' }), /username/);
});
