import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { HookyardError } from '../errors.js';
import { createLogger } from '../log.js';
import { reconnectDelay } from './notifier.js';
import { outageTracker } from './outage.js';
import { databaseUnavailable, unavailableReason, unavailableWrap } from './unavailable.js';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

test('databaseUnavailable: connection-level failures are outages; statement errors are not', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']) {
    assert.equal(databaseUnavailable(withCode(code)), true, code);
  }
  for (const code of ['57P01', '57P02', '57P03', '57014', '25P03', '08006', '08001', '08P01', '53300', '53100']) {
    assert.equal(databaseUnavailable(withCode(code)), true, code);
  }
  for (const message of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect', 'Query read timeout', 'Client has encountered a connection error and is not queryable']) {
    assert.equal(databaseUnavailable(new Error(message)), true, message);
  }
  // Through a cause chain, inside an AggregateError (several addresses refused), and already wrapped.
  assert.equal(databaseUnavailable(new Error('publish failed', { cause: withCode('57P01') })), true);
  assert.equal(databaseUnavailable(Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: undefined })), true);
  assert.equal(databaseUnavailable(new HookyardError('database_unavailable', 'away')), true);

  // What the database answered about the statement itself, and everything else, is not an outage.
  for (const code of ['23505', '23503', '42601', '42P01', '40001', '40P01', '22P02', '28P01', '3D000', 'EPERM']) {
    assert.equal(databaseUnavailable(withCode(code)), false, code);
  }
  assert.equal(databaseUnavailable(new HookyardError('not_found', 'application not found')), false);
  assert.equal(databaseUnavailable(new Error('Cannot use a pool after calling end on the pool')), false);
  assert.equal(databaseUnavailable(new TypeError('x is undefined')), false);
  assert.equal(databaseUnavailable(undefined), false);
  assert.equal(databaseUnavailable('ECONNREFUSED'), false);
});

test('unavailableWrap gives outages one stable code with the driver error as cause, and passes other errors through', () => {
  const refused = withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
  const wrapped = unavailableWrap(refused);
  assert.ok(wrapped instanceof HookyardError);
  assert.equal(wrapped.code, 'database_unavailable');
  assert.equal(wrapped.status, 503);
  assert.equal(wrapped.cause, refused);
  assert.match(wrapped.message, /database is unavailable \(connect ECONNREFUSED 127\.0\.0\.1:5432\)/);
  const shutdown = unavailableWrap(withCode('57P01', 'terminating connection due to administrator command')) as HookyardError;
  assert.equal(unavailableReason(shutdown), '57P01: terminating connection due to administrator command');
  const duplicate = withCode('23505', 'duplicate key');
  assert.equal(unavailableWrap(duplicate), duplicate);
  assert.equal(unavailableWrap(wrapped), wrapped);
});

test('an outage is one warn line when it starts and one info line when it ends, however many statements fail', () => {
  const lines: { level: number; msg: string; reason?: string; downMs?: number; failures?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  let clock = 1_000;
  const outage = outageTracker(createLogger('info', sink), () => clock);
  outage.succeeded(clock);
  outage.failed(withCode('23505')); // a bad statement is not an outage
  assert.equal(outage.down, false);
  for (let i = 0; i < 500; i++) outage.failed(withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'));
  assert.equal(outage.down, true);
  const inFlight = clock - 5; // sent before the outage began: its answer does not end it
  clock += 10_000;
  outage.succeeded(inFlight);
  assert.equal(outage.down, true);
  outage.succeeded(clock - 1);
  outage.succeeded(clock);
  assert.equal(outage.down, false);
  assert.equal(lines.length, 2, JSON.stringify(lines));
  assert.equal(lines[0]!.level, 40);
  assert.match(lines[0]!.msg, /^database unavailable/);
  assert.equal(lines[0]!.reason, 'connect ECONNREFUSED 127.0.0.1:5432');
  assert.equal(lines[1]!.level, 30);
  assert.equal(lines[1]!.msg, 'database available again');
  assert.equal(lines[1]!.downMs, 10_000);
  assert.equal(lines[1]!.failures, 500);
  // A second outage is reported again.
  outage.failed(withCode('57P01'));
  assert.equal(lines.length, 3);
});

test('reconnectDelay starts short, doubles to 2 s and spreads by ±25%', () => {
  assert.equal(reconnectDelay(1, () => 0.5), 100);
  assert.equal(reconnectDelay(2, () => 0.5), 200);
  assert.equal(reconnectDelay(5, () => 0.5), 1_600);
  assert.equal(reconnectDelay(6, () => 0.5), 2_000);
  assert.equal(reconnectDelay(60, () => 0.5), 2_000);
  assert.equal(reconnectDelay(1, () => 0), 75);
  assert.equal(reconnectDelay(1, () => 0.999_999), 125);
  assert.equal(reconnectDelay(40, () => 0), 1_500);
});
