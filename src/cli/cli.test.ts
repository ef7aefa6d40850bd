import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPostgres } from '../store/postgres.js';
import { scratchDatabaseCreate, type ScratchDatabase } from '../test/scratch-database.js';
import { startReceiver } from '../test/receiver.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 180_000 });

/** A start-up mistake: exit 1, one line on stderr, no stack. */
function assertOneLine(result: ReturnType<typeof run>, expected: RegExp): void {
  assert.equal(result.status, 1, result.stdout + result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, expected);
  assert.ok(!/\n\s+at /.test(result.stderr), result.stderr);
}

/** `hookyard serve` in the background, until `stop()`. */
function serveProcess(args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env: { PATH: process.env.PATH } });
  let stdout = '';
  let all = '';
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (all += d.toString())));
  child.stderr.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    all: () => all,
    async ready(pattern: RegExp) {
      // Generous: a first start (initdb) on a loaded two-core machine has taken over 20 s.
      for (let i = 0; i < 1800 && !pattern.test(all); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(all, pattern);
    },
    stop: () => (child.kill('SIGTERM'), exited),
  };
}

describe('the hookyard program', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('version, help, and a clear message for each bad setting', () => {
    assert.match(run(['version']).stdout, /^\d+\.\d+\.\d+/);
    const help = run(['serve', '--help']).stdout;
    for (const s of ['HOOKYARD_PORT', '--role', 'HOOKYARD_RATE_LIMIT', 'HOOKYARD_BODY_LIMIT_BYTES', 'token create', 'secret-key rotate', 'HOOKYARD_NEW_SECRET_KEY']) assert.ok(help.includes(s), s);
    const bad = run(['serve', '--port', 'abc', '--role', 'boss'], { HOOKYARD_DATA_DIR: dir });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /HOOKYARD_PORT \(--port\)/);
    assert.match(bad.stderr, /HOOKYARD_ROLE \(--role\)/);
  });

  test('a port in use: one line naming HOOKYARD_PORT, exit 1, and no admin token made unseen', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const folder = join(dir, 'busy');
      assertOneLine(run(['serve', '--data-dir', folder, '--host', '127.0.0.1', '--port', String(port)]), new RegExp(`^hookyard: HOOKYARD_PORT \\(--port\\): port ${port} on 127\\.0\\.0\\.1 is already in use by another program; stop it, or choose another port`));
      // The token is made once the API listens, so the failed start made none and the next start prints one.
      assert.equal(run(['token', 'list', '--data-dir', folder]).stdout.trim(), 'no tokens');
      // With --log-level debug the cause follows, for whoever wants it.
      const debug = run(['serve', '--data-dir', folder, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'debug']);
      assert.equal(debug.status, 1);
      assert.match(debug.stderr, /EADDRINUSE/);
    } finally {
      busy.close();
    }
  });

  test('serve: the admin token is printed once; messages arrive; tokens change while it runs; a second opener is refused with one line', async () => {
    const receiver = await startReceiver();
    const server = serveProcess(['--data-dir', dir, '--port', '0', '--host', '127.0.0.1', '--allow-cidrs', '127.0.0.0/8', '--poll-interval-ms', '100']);
    let exit: number | null = null;
    try {
      await server.ready(/Admin API token[\s\S]*hy_[\s\S]*More tokens/);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.all())?.[1];
      const token = /(hy_[A-Za-z0-9_-]+)/.exec(server.stdout())?.[1];
      assert.ok(url && token, server.all());
      assert.equal(server.stdout().split(token).length - 1, 1, 'the token appears once on stdout');
      const call = (path: string, body?: unknown, bearer = token) =>
        fetch(`${url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      assert.equal((await call('/api/v1/app', { name: 'acme', uid: 'acme' })).status, 201);
      assert.equal((await call('/api/v1/app/acme/endpoint', { url: `${receiver.origin}/hook` })).status, 201);
      assert.equal((await call('/api/v1/app/acme/msg', { eventType: 'invoice.paid', payload: { id: 42 } })).status, 202);
      const [got] = await receiver.waitFor(1, (r) => r.path === '/hook', 15_000);
      assert.deepEqual(JSON.parse(got!.body), { id: 42 });

      // Token management while it runs goes through its API: no restart, and a revoke holds at once.
      const created = run(['token', 'create', 'ci', '--data-dir', dir]);
      assert.equal(created.status, 0, created.stderr);
      assert.match(created.stderr, /going through its API/);
      const ci = /(hy_[A-Za-z0-9_-]+)/.exec(created.stdout)![1]!;
      assert.equal((await call('/api/v1/app', undefined, ci)).status, 200, 'the server accepts a token the CLI just made');
      assert.match(run(['token', 'list', '--data-dir', dir]).stdout, /ci {2}api {2}created/);
      assert.match(run(['token', 'revoke', 'ci', '--data-dir', dir]).stdout, /^revoked tok_\w+ \(ci\)/);
      assert.equal((await call('/api/v1/app', undefined, ci)).status, 401, 'revoked at once, despite the lookup cache');
      const admin = run(['token', 'create', 'ops', '--admin', '--data-dir', dir]);
      assert.match(admin.stdout, /\(ops, admin\)/);

      // Anything that would open the folder a second time is refused, naming the holder.
      const holder = new RegExp(`^hookyard: HOOKYARD_DATA_DIR \\(--data-dir\\): .* is in use by process ${server.child.pid} \\(hookyard serve, started [^)]+\\); stop it first`);
      assertOneLine(run(['serve', '--data-dir', dir, '--port', '0']), holder);
      assertOneLine(run(['secret-key', 'rotate', '--data-dir', dir]), holder);
      assertOneLine(run(['migrate', '--data-dir', dir]), holder);

      await new Promise((r) => setTimeout(r, 200));
      const lines = server.all().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const request = lines.find((l) => l.msg === 'request' && l.method === 'POST');
      assert.ok(request && typeof request.reqId === 'string', server.all());
      assert.ok(!lines.some((l) => JSON.stringify(l).includes(token) || JSON.stringify(l).includes(ci)), 'a log line holds a token');
    } finally {
      await receiver.close();
      exit = await server.stop();
    }
    assert.equal(exit, 0);

    // A second start makes no new token; the ones made while it ran are there, the revoked one marked.
    const tokens = run(['token', 'list', '--data-dir', dir]).stdout.trim().split('\n');
    assert.equal(tokens.length, 3, tokens.join('\n'));
    assert.match(tokens.join('\n'), /admin {2}admin[\s\S]*ci {2}api .*revoked[\s\S]*ops {2}admin/);
  });

  test('token create, list, revoke with the server stopped (on the folder directly)', () => {
    const created = run(['token', 'create', 'deploy', '--data-dir', dir]);
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.stderr, '');
    const whole = /(hy_[A-Za-z0-9_-]+)/.exec(created.stdout)![1]!;
    const prefix = whole.slice(0, 10);
    assert.match(run(['token', 'list', '--data-dir', dir]).stdout, new RegExp(`${prefix.replace(/[-]/g, '\\-')}…  deploy`));
    assert.match(run(['token', 'revoke', prefix, '--data-dir', dir]).stdout, /revoked tok_\w+ \(deploy\)/);
    assert.match(run(['token', 'list', '--data-dir', dir]).stdout, /deploy .*revoked/);
    // By the token itself, too.
    const other = /(hy_[A-Za-z0-9_-]+)/.exec(run(['token', 'create', 'leaked', '--data-dir', dir]).stdout)![1]!;
    assert.match(run(['token', 'revoke', other, '--data-dir', dir]).stdout, /revoked tok_\w+ \(leaked\)/);
    assertOneLine(run(['token', 'revoke', 'nope', '--data-dir', dir]), /^hookyard: token not found$/);
  });

  test('secret key: a different key is refused at start; rotate re-encrypts and the folder keeps working', async () => {
    assertOneLine(
      run(['serve', '--data-dir', dir, '--port', '0', '--secret-key', randomBytes(32).toString('base64')]),
      /^hookyard: HOOKYARD_SECRET_KEY \(--secret-key\): this key \(fingerprint \w{8}\) is not the one this database's secrets are sealed with \(fingerprint \w{8}\); start with that key, or change keys with `hookyard secret-key rotate`/,
    );
    const rotated = run(['secret-key', 'rotate', '--data-dir', dir]);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, /^re-encrypted 1 secret\(s\): key \w{8} → \w{8}\n.*secret\.key now holds the new key/);
    // It opens with the new key, and the endpoint's secret still opens.
    const server = serveProcess(['--data-dir', dir, '--port', '0', '--host', '127.0.0.1']);
    try {
      await server.ready(/listening on http/);
    } finally {
      await server.stop();
    }
    const created = /(hy_[A-Za-z0-9_-]+)/.exec(run(['token', 'create', 'after-rotate', '--data-dir', dir, '--admin']).stdout)![1]!;
    const again = serveProcess(['--data-dir', dir, '--port', '0', '--host', '127.0.0.1']);
    try {
      await again.ready(/listening on (http:\S+)/);
      const url = /listening on (http:\/\/\S+)/.exec(again.all())![1]!;
      const res = await fetch(`${url}/api/v1/app/acme/endpoint`, { headers: { authorization: `Bearer ${created}` } });
      const ep = ((await res.json()) as { data: { id: string }[] }).data[0]!;
      const secret = await fetch(`${url}/api/v1/app/acme/endpoint/${ep.id}/secret`, { headers: { authorization: `Bearer ${created}` } });
      assert.equal(secret.status, 200);
      assert.match(((await secret.json()) as { key: string }).key, /^whsec_/);
    } finally {
      await again.stop();
    }
  });

  test('an unreachable database: one line naming DATABASE_URL', () => {
    const key = randomBytes(32).toString('base64');
    // Port 1 on loopback: nothing listens there.
    assertOneLine(run(['serve', '--database-url', 'postgres://postgres:pw@127.0.0.1:1/x', '--secret-key', key]), /^hookyard: DATABASE_URL \(--database-url\): nothing accepts connections at 127\.0\.0\.1:1 \(connection refused\); start PostgreSQL there/);
    assertOneLine(run(['migrate', '--database-url', 'postgres://postgres:pw@127.0.0.1:1/x']), /^hookyard: DATABASE_URL \(--database-url\): nothing accepts connections/);
  });
});

describe('the hookyard program on PostgreSQL', { skip: !process.env.HOOKYARD_TEST_DATABASE_URL && 'set HOOKYARD_TEST_DATABASE_URL' }, () => {
  let scratch: ScratchDatabase;
  before(async () => {
    scratch = await scratchDatabaseCreate(process.env.HOOKYARD_TEST_DATABASE_URL!, 'hookyard_test');
  });
  after(() => scratch?.drop());

  test('a database that does not exist: one line that says how to create it', () => {
    const missing = new URL(scratch.url);
    missing.pathname = '/hookyard_no_such_db';
    assertOneLine(run(['serve', '--database-url', missing.href, '--secret-key', randomBytes(32).toString('base64')]), /^hookyard: DATABASE_URL \(--database-url\): database "hookyard_no_such_db" does not exist on 127\.0\.0\.1:5432; create it \(createdb /);
  });

  test('secret-key rotate: refused while another Hookyard is connected; then re-encrypts; the old key is refused', async () => {
    const [k1, k2] = [randomBytes(32).toString('base64'), randomBytes(32).toString('hex')];
    const env = { DATABASE_URL: scratch.url };
    assert.equal(run(['token', 'create', 'x', '--secret-key', k1], env).status, 0);
    assertOneLine(run(['secret-key', 'rotate', '--secret-key', k1], env), /^hookyard: HOOKYARD_NEW_SECRET_KEY \(--new-secret-key\): required when the current key is given/);
    const other = await openPostgres({ connectionString: scratch.url, max: 1 });
    try {
      await other.query('select 1');
      assertOneLine(run(['secret-key', 'rotate', '--secret-key', k1, '--new-secret-key', k2], env), /^hookyard: 1 other Hookyard connection\(s\) to this database are open .*stop every Hookyard process first/);
    } finally {
      await other.close();
    }
    const rotated = run(['secret-key', 'rotate', '--secret-key', k1, '--new-secret-key', k2], env);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-encrypted 0 secret\(s\)[\s\S]*start every Hookyard process with the new key/);
    assertOneLine(run(['token', 'list', '--secret-key', k1], env), /^hookyard: HOOKYARD_SECRET_KEY \(--secret-key\): this key .* is not the one/);
    assert.match(run(['token', 'list', '--secret-key', k2], env).stdout, /x {2}api/);
  });
});
