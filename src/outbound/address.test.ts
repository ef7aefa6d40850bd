import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressCheck, cidrListParse } from './address.js';

// Pure checks only: nothing here opens a connection.
test('addressCheck refuses every internal range, in every spelling', () => {
  const refused = [
    '127.0.0.1', '127.255.0.9', '0.0.0.0', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '100.64.0.1', '100.127.255.254', '224.0.0.1', '255.255.255.255', '240.0.0.1',
    '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1',
    '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1',
    '64:ff9b::a00:1', '64:ff9b::127.0.0.1', '2002:a00:1::1', '2002:7f00:1::1',
  ];
  for (const address of refused) {
    const verdict = addressCheck(address);
    assert.equal(verdict.allowed, false, `${address} should be refused`);
  }
  assert.equal(addressCheck('example.com').allowed, false);
});

test('addressCheck lets public unicast through, and the allowlist open chosen ranges', () => {
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    assert.equal(addressCheck(address).allowed, true, `${address} should pass`);
  }
  const allow = cidrListParse('127.0.0.0/8, ::1/128');
  assert.equal(addressCheck('127.0.0.1', allow).allowed, true);
  assert.equal(addressCheck('::1', allow).allowed, true);
  assert.equal(addressCheck('::ffff:127.0.0.1', allow).allowed, true);
  assert.equal(addressCheck('10.0.0.1', allow).allowed, false);
  assert.equal(addressCheck('0.0.0.0', allow).allowed, false);
  assert.deepEqual(addressCheck('169.254.169.254'), { allowed: false, reason: 'linkLocal address 169.254.169.254' });
  assert.throws(() => cidrListParse('300.0.0.0/8'));
});
