import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressCheck, cidrListParse, urlAddressRefusal } from './address.js';

// Pure checks only: nothing here opens a connection.
test('addressCheck refuses every internal range, in every spelling', () => {
  const refused = [
    '127.0.0.1', '127.255.0.9', '0.0.0.0', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '100.64.0.1', '100.127.255.254', '224.0.0.1', '255.255.255.255', '240.0.0.1',
    '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1',
    '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1',
    '64:ff9b::a00:1', '64:ff9b::127.0.0.1', '2002:a00:1::1', '2002:7f00:1::1',
    // IPv4-compatible (::/96, what http://[::127.0.0.1]/ becomes), even with a public IPv4 inside.
    '::7f00:1', '::127.0.0.1', '::a00:1', '::a9fe:a9fe', '::808:808',
    // IPv4-translated (::ffff:0:0:0/96), NAT64 local use (64:ff9b:1::/48), 6to4 of internal ranges, Teredo.
    '::ffff:0:7f00:1', '::ffff:0:a00:1', '64:ff9b:1::7f00:1', '64:ff9b:1:7f00:1::', '64:ff9b:1::808:808',
    '2002:a9fe:a9fe::1', '2002:c0a8:101::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::1',
    // Documentation, benchmarking, discard-only and other special IPv6 ranges.
    '2001:db8::1', '2001:2::1', '100::1', 'fec0::1',
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
  assert.equal(addressCheck('::7f00:1', allow).allowed, false, 'the allowlist names ::1 and 127/8, not the IPv4-compatible form');
  assert.equal(addressCheck('::7f00:1', cidrListParse('::/96')).allowed, true, 'but an operator may open it explicitly');
  assert.deepEqual(addressCheck('169.254.169.254'), { allowed: false, reason: '169.254.169.254 is a link-local address' });
  assert.throws(() => cidrListParse('300.0.0.0/8'));
});

test('refusals read as sentences that name the address and its range', () => {
  const reason = (a: string) => {
    const v = addressCheck(a);
    return v.allowed ? 'allowed' : v.reason;
  };
  assert.equal(reason('127.0.0.1'), '127.0.0.1 is a loopback address');
  assert.equal(reason('10.1.2.3'), '10.1.2.3 is a private address');
  assert.equal(reason('::ffff:7f00:1'), '::ffff:7f00:1 is an IPv4-mapped address of 127.0.0.1 (a loopback address)');
  assert.equal(reason('::7f00:1'), '::7f00:1 is an IPv4-compatible address (deprecated), embedding 127.0.0.1');
  assert.equal(reason('2001::1'), '2001::1 is a Teredo tunnel address (2001::/32)');
  assert.equal(reason('0.0.0.0'), '0.0.0.0 is the unspecified address');
});

test('urlAddressRefusal judges literal hosts and localhost, in every spelling new URL accepts', () => {
  const refused = [
    'http://localhost/', 'http://LOCALHOST:8080/x', 'http://localhost./', 'http://api.localhost/', 'http://127.0.0.1/',
    'http://127.1/', 'http://2130706433/', 'http://0x7f.0.0.1/', 'http://0177.0.0.1/', 'http://[::1]/', 'http://[::127.0.0.1]/',
    'http://[::ffff:127.0.0.1]/', 'https://10.0.0.1/', 'http://0.0.0.0/', 'http://0/', 'http://[::]/', 'http://169.254.169.254/latest',
    'http://192.168.0.1./', 'http://[fd00::1]/', 'http://[64:ff9b::a00:1]/',
  ];
  for (const url of refused) assert.ok(urlAddressRefusal(url), `${url} should be refused`);
  // Names are judged when they resolve, at delivery; public literals pass.
  for (const url of ['https://example.com/', 'https://acme.example/hook', 'http://8.8.8.8/', 'http://[2606:4700::1111]/', 'http://localhost.example.com/']) {
    assert.equal(urlAddressRefusal(url), undefined, url);
  }
  const loopback = cidrListParse('127.0.0.0/8,::1/128');
  for (const url of ['http://localhost/', 'http://127.0.0.1:9/', 'http://[::1]/', 'http://2130706433/']) assert.equal(urlAddressRefusal(url, loopback), undefined, url);
  assert.equal(urlAddressRefusal('http://localhost/', cidrListParse('::1/128')), undefined, 'localhost may resolve to ::1');
  assert.ok(urlAddressRefusal('http://10.0.0.1/', loopback));
  assert.equal(urlAddressRefusal('http://2130706433/'), '127.0.0.1 is a loopback address');
  assert.equal(urlAddressRefusal('http://localhost:3000/'), 'localhost is a loopback name');
});
