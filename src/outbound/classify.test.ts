import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorClassify } from './classify.js';
import { BlockedAddressError } from './dispatcher.js';

test('errorClassify maps driver errors to stable classes, through cause chains', () => {
  const withCode = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });
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
