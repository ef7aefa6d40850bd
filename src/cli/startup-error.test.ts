import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HookyardError } from '../errors.js';
import { databaseErrorLine, databaseTarget, dataDirErrorLine, explained, listenErrorLine } from './startup-error.js';

const URL_ = 'postgres://app:s3cret-pw@db.internal:6543/hooks';
const errnoError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code} something`), { code, ...extra });
const sqlState = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL', file: 'postinit.c', routine: 'InitPostgres' });

test('the database target never shows the password', () => {
  assert.deepEqual(databaseTarget(URL_), { user: 'app', host: 'db.internal', port: '6543', database: 'hooks', shown: 'app@db.internal:6543/hooks' });
  assert.equal(databaseTarget('postgres://h/').port, '5432');
  assert.equal(databaseTarget('not a url').shown, 'the URL');
});

test('database mistakes: one line naming DATABASE_URL and what to do, never the password', () => {
  const cases: [unknown, RegExp][] = [
    [errnoError('ECONNREFUSED', { address: '10.0.0.1', port: 6543 }), /nothing accepts connections at db\.internal:6543 \(connection refused\); start PostgreSQL there/],
    // Node tries each address of a name and reports them together.
    [Object.assign(new AggregateError([errnoError('ECONNREFUSED'), errnoError('ECONNREFUSED')]), { code: 'ECONNREFUSED' }), /connection refused/],
    [new AggregateError([errnoError('ECONNREFUSED')]), /connection refused/],
    [errnoError('ENOTFOUND', { hostname: 'db.internal', syscall: 'getaddrinfo' }), /the host "db\.internal" cannot be resolved \(ENOTFOUND\); correct the host name/],
    [errnoError('EAI_AGAIN'), /cannot be resolved \(EAI_AGAIN\)/],
    [errnoError('ETIMEDOUT'), /db\.internal:6543 cannot be reached \(ETIMEDOUT\)/],
    [errnoError('ECONNRESET'), /closed the connection .*sslmode=require/],
    [sqlState('3D000', 'database "hooks" does not exist'), /database "hooks" does not exist on db\.internal:6543; create it \(createdb -h db\.internal -p 6543 hooks\)/],
    [sqlState('28P01', 'password authentication failed for user "app"'), /password authentication failed for user "app" at db\.internal:6543; correct the user or password/],
    [sqlState('28000', 'role "app" does not exist'), /refused the connection: role "app" does not exist; .*pg_hba\.conf/],
    [sqlState('57P03', 'the database system is starting up'), /starting up or shutting down; try again shortly/],
    [sqlState('53300', 'sorry, too many clients already'), /HOOKYARD_POOL_SIZE/],
    [sqlState('42501', 'permission denied for database hooks'), /grant it CREATE on the database/],
    [sqlState('XX000', 'something odd'), /PostgreSQL at db\.internal:6543 answered: something odd \(SQLSTATE XX000\)/],
    [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), /TLS with db\.internal:6543 failed \(DEPTH_ZERO_SELF_SIGNED_CERT/],
    [new Error('The server does not support SSL connections'), /does not offer TLS; remove sslmode/],
  ];
  for (const [error, expected] of cases) {
    const line = databaseErrorLine(error, URL_);
    assert.ok(line, String(error));
    assert.match(line, /^DATABASE_URL \(--database-url\): /);
    assert.match(line, expected);
    assert.ok(!line.includes('\n') && !line.includes('s3cret-pw'), line);
  }
});

test('errors that are not mistakes stay as they are (a bug keeps its stack)', () => {
  assert.equal(databaseErrorLine(new TypeError('x is undefined'), URL_), undefined);
  assert.equal(databaseErrorLine(new HookyardError('secret_key', 'already clear'), URL_), undefined);
  assert.equal(listenErrorLine(new Error('odd'), { host: '127.0.0.1', port: 1 }), undefined);
  const bug = new TypeError('bug');
  assert.equal(explained(bug, undefined), bug);
  const wrapped = explained(bug, 'a line') as HookyardError;
  assert.deepEqual([wrapped.code, wrapped.message, wrapped.cause], ['startup', 'a line', bug]);
});

test('listen mistakes name HOOKYARD_PORT or HOOKYARD_HOST', () => {
  const at = { host: '127.0.0.1', port: 8071 };
  assert.equal(
    listenErrorLine(errnoError('EADDRINUSE', { syscall: 'listen' }), at),
    'HOOKYARD_PORT (--port): port 8071 on 127.0.0.1 is already in use by another program; stop it, or choose another port (0 picks a free one)',
  );
  assert.match(listenErrorLine(errnoError('EACCES'), { host: '0.0.0.0', port: 80 })!, /^HOOKYARD_PORT \(--port\): not permitted to listen on port 80 \(ports below 1024 need privileges\)/);
  assert.match(listenErrorLine(errnoError('EADDRNOTAVAIL'), { host: '192.0.2.7', port: 8071 })!, /^HOOKYARD_HOST \(--host\): 192\.0\.2\.7 is not an address of this machine/);
  assert.match(listenErrorLine(errnoError('ENOTFOUND'), { host: 'nohost', port: 8071 })!, /^HOOKYARD_HOST \(--host\): "nohost" cannot be resolved/);
});

test('data folder files that cannot be used name HOOKYARD_DATA_DIR', () => {
  assert.match(dataDirErrorLine(errnoError('EACCES', { path: '/srv/hy/secret.key' }), '/srv/hy')!, /^HOOKYARD_DATA_DIR \(--data-dir\): cannot use \/srv\/hy\/secret\.key \(permission denied\)/);
  assert.equal(dataDirErrorLine(errnoError('EACCES'), '/srv/hy'), undefined);
});
