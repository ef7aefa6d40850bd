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

test('the encoding is exact: the body decodes back to the time and every random byte', () => {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  for (const fill of [0x00, 0xff, 0x5a]) {
    const random = Buffer.alloc(14, fill);
    random[13] = 0x01;
    const id = newId('atmpt', 281_474_976_710_655, () => random); // the largest 48-bit time
    let n = 0n;
    for (const ch of id.slice('atmpt_'.length)) n = n * 62n + BigInt(alphabet.indexOf(ch));
    assert.equal(n.toString(16).padStart(40, '0'), 'ffffffffffff' + random.toString('hex'));
  }
});
