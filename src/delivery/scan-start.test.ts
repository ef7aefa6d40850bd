import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScanStart } from './scan-start.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const room = (entries: [string, number][]) => new Map(entries);

test('a scan starts where the last got to while the endpoints it skipped are still skipped', () => {
  const scan = new ScanStart(1_000);
  assert.equal(scan.from(room([['ep_hang', 0]]), 0), null, 'nothing learnt yet: from the start');
  scan.reached(at(10), null, room([['ep_hang', 0], ['ep_ok', 5]]), 0);
  assert.deepEqual(scan.from(room([['ep_hang', -1], ['ep_ok', 3]]), 100), at(10));
  scan.reached(at(12), at(10), room([['ep_hang', 0], ['ep_ok', 0]]), 100);
  assert.deepEqual(scan.from(room([['ep_hang', 0], ['ep_ok', 0]]), 200), at(12), 'it only moves on');
  // ep_ok was skipped on the way to 12 s and has room again: rows of it may lie before that point.
  assert.equal(scan.from(room([['ep_hang', 0], ['ep_ok', 2]]), 300), null);
  assert.equal(scan.from(room([['ep_hang', 0]]), 300), null, 'and stays reset');
});

test('an endpoint skipped then that is no longer listed has room (the default) now: from the start', () => {
  const scan = new ScanStart(1_000);
  scan.reached(at(10), null, room([['ep_hang', 0]]), 0);
  assert.equal(scan.from(room([]), 10), null);
});

test('from the start again every rescanEveryMs, and whenever nothing was skipped', () => {
  const scan = new ScanStart(1_000);
  scan.reached(at(10), null, room([['ep_hang', 0]]), 0);
  assert.deepEqual(scan.from(room([['ep_hang', 0]]), 999), at(10));
  assert.equal(scan.from(room([['ep_hang', 0]]), 1_001), null);
  scan.reached(at(20), null, room([['ep_ok', 4]]), 2_000);
  assert.equal(scan.from(room([['ep_ok', 4]]), 2_001), null, 'nothing skipped: nothing to walk past');
});
