import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorClassify, errorDescribe } from './classify.js';
import { BlockedAddressError } from './dispatcher.js';

const withCode = (code: string, extra: Record<string, unknown> = {}, name = 'Error') => Object.assign(new Error(code), { code, name, ...extra });

test('errorClassify maps driver errors to stable classes, through cause chains', () => {
  assert.equal(errorClassify(new BlockedAddressError('no')), 'blocked');
  assert.equal(errorClassify(withCode('ENOTFOUND')), 'dns');
  assert.equal(errorClassify(withCode('EAI_AGAIN')), 'dns');
  assert.equal(errorClassify(withCode('ECONNREFUSED')), 'refused');
  assert.equal(errorClassify(withCode('ECONNRESET')), 'reset');
  assert.equal(errorClassify(withCode('UND_ERR_SOCKET')), 'reset');
  assert.equal(errorClassify(withCode('UND_ERR_CONNECT_TIMEOUT')), 'timeout');
  assert.equal(errorClassify(withCode('UND_ERR_HEADERS_TIMEOUT')), 'timeout');
  assert.equal(errorClassify(Object.assign(new Error('t'), { name: 'TimeoutError' })), 'timeout');
  assert.equal(errorClassify(withCode('CERT_HAS_EXPIRED')), 'tls');
  assert.equal(errorClassify(withCode('ERR_TLS_CERT_ALTNAME_INVALID')), 'tls');
  assert.equal(errorClassify(withCode('DEPTH_ZERO_SELF_SIGNED_CERT')), 'tls');
  assert.equal(errorClassify(new Error('fetch failed', { cause: withCode('ECONNREFUSED') })), 'refused');
  assert.equal(errorClassify(new Error('???')), 'other');
  assert.equal(errorClassify(undefined), 'other');
});

test('errorDescribe gives a short reason that starts with the class and says what to do', () => {
  const describe = (e: unknown) => errorDescribe(e, { timeoutMs: 15_000 }).message;
  assert.equal(describe(new BlockedAddressError('127.0.0.1 is a loopback address')), 'blocked: 127.0.0.1 is a loopback address; allow it with HOOKYARD_ALLOW_CIDRS (the allowCidrs option)');
  assert.equal(describe(new Error('fetch failed', { cause: withCode('ENOTFOUND', { hostname: 'acme.example' }) })), 'dns: ENOTFOUND acme.example');
  assert.equal(describe(Object.assign(new Error('deadline'), { name: 'TimeoutError' })), 'timeout after 15000 ms');
  assert.equal(describe(withCode('UND_ERR_HEADERS_TIMEOUT')), 'timeout after 15000 ms');
  assert.equal(describe(withCode('UND_ERR_CONNECT_TIMEOUT', { connectTimeoutMs: 5000 })), 'timeout: no connection within 5000 ms');
  assert.equal(describe(withCode('ECONNREFUSED', { address: '127.0.0.1', port: 9 })), 'refused: 127.0.0.1:9 refused the connection (ECONNREFUSED)');
  assert.equal(describe(withCode('ECONNRESET')), 'reset: the connection was reset (ECONNRESET)');
  assert.equal(describe(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })), 'tls: CERT_HAS_EXPIRED certificate has expired');
  assert.equal(describe(new Error('something odd')), 'other: something odd');
  assert.equal(errorDescribe(withCode('ECONNRESET'), { timeoutMs: 1 }).errorClass, 'reset');
  assert.ok(describe(new Error('x'.repeat(2000))).length <= 500);
});
