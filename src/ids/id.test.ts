import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idBoundary, idTime, isId, newId } from './id.js';

test('ids carry their prefix and a fixed-width body', () => {
  const id = newId('msg');
  assert.match(id, /^msg_[0-9A-Za-z]{27}$/);
  assert.ok(isId('msg', id));
  assert.ok(!isId('app', id));
  assert.ok(!isId('msg', 'msg_short'));
});

test('ids sort by creation time, across the whole range of random bits', () => {
  const lowest = () => Buffer.alloc(14, 0);
  const highest = () => Buffer.alloc(14, 0xff);
  const a = newId('ep', 1_700_000_000_000, highest);
  const b = newId('ep', 1_700_000_000_001, lowest);
  assert.ok(a < b, `${a} should sort before ${b}`);
  const times = [5, 1, 4, 2, 3].map((n) => newId('app', 1_600_000_000_000 + n * 1000));
  assert.deepEqual([...times].sort(), [...times].sort((x, y) => idTime(x)!.getTime() - idTime(y)!.getTime()));
});

test('idTime reads back the millisecond the id was made', () => {
  const at = Date.UTC(2026, 10, 23, 10, 0, 0, 123);
  assert.equal(idTime(newId('atmpt', at))!.getTime(), at);
  assert.equal(idTime('app_not-an-id'), undefined);
});

test('idBoundary separates ids made before a time from ids made at or after it', () => {
  const t = Date.UTC(2026, 0, 1);
  const boundary = idBoundary('msg', t);
  assert.ok(newId('msg', t - 1, () => Buffer.alloc(14, 0xff)) < boundary);
  assert.ok(newId('msg', t, () => Buffer.alloc(14, 0)) >= boundary);
  assert.ok(newId('msg', t + 1) > boundary);
});
