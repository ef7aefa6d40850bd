import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startReceiver } from '../test/receiver.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });

describe('the hookyard program', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('version, help, and a clear message for each bad setting', () => {
    assert.match(run(['version']).stdout, /^\d+\.\d+\.\d+/);
    const help = run(['serve', '--help']).stdout;
    for (const s of ['HOOKYARD_PORT', '--role', 'HOOKYARD_RATE_LIMIT', 'HOOKYARD_BODY_LIMIT_BYTES', 'token create']) assert.ok(help.includes(s), s);
    const bad = run(['serve', '--port', 'abc', '--role', 'boss'], { HOOKYARD_DATA_DIR: dir });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /HOOKYARD_PORT \(--port\)/);
    assert.match(bad.stderr, /HOOKYARD_ROLE \(--role\)/);
  });

  test('serve: first start prints an admin token once; a message sent with it arrives; JSON logs with request ids and no token; SIGTERM stops it', async () => {
    const receiver = await startReceiver();
    const child = spawn(process.execPath, [MAIN, 'serve', '--data-dir', dir, '--port', '0', '--host', '127.0.0.1', '--allow-cidrs', '127.0.0.0/8', '--poll-interval-ms', '100'], { env: { PATH: process.env.PATH } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && !/Admin API token[\s\S]*hy_/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const token = /(hy_[A-Za-z0-9_-]+)/.exec(out)?.[1];
      assert.ok(url && token, out);
      const res = await fetch(`${url}/api/v1/app`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'cli' }) });
      assert.equal(res.status, 201);
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const app = (await (await post('/api/v1/app', { name: 'acme', uid: 'acme' })).json()) as { id: string };
      assert.equal((await post('/api/v1/app/acme/endpoint', { url: `${receiver.origin}/hook` })).status, 201);
      assert.equal((await post('/api/v1/app/acme/msg', { eventType: 'invoice.paid', payload: { id: 42 } })).status, 202);
      const [got] = await receiver.waitFor(1, (r) => r.path === '/hook', 15_000);
      assert.deepEqual(JSON.parse(got!.body), { id: 42 });
      assert.ok(app.id);
      await new Promise((r) => setTimeout(r, 200));
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const request = lines.find((l) => l.msg === 'request' && l.method === 'POST');
      assert.ok(request && typeof request.reqId === 'string', out);
      assert.ok(!lines.some((l) => JSON.stringify(l).includes(token)), 'a log line holds the token');
    } finally {
      child.kill('SIGTERM');
      await receiver.close();
    }
    assert.equal(await exited, 0);

    // A second start makes no new token.
    const tokens = run(['token', 'list', '--data-dir', dir]);
    assert.equal(tokens.stdout.trim().split('\n').length, 1, tokens.stdout + tokens.stderr);
    assert.match(tokens.stdout, /admin/);
  });

  test('token create, list, revoke', () => {
    const created = run(['token', 'create', 'ci', '--data-dir', dir]);
    assert.equal(created.status, 0, created.stderr);
    const prefix = /(hy_[A-Za-z0-9_-]+)/.exec(created.stdout)![1]!.slice(0, 10);
    assert.match(run(['token', 'list', '--data-dir', dir]).stdout, new RegExp(`${prefix.replace(/[-]/g, '\\-')}…  ci`));
    assert.match(run(['token', 'revoke', prefix, '--data-dir', dir]).stdout, /revoked tok_/);
    assert.match(run(['token', 'list', '--data-dir', dir]).stdout, /ci .*revoked/);
    assert.equal(run(['token', 'revoke', 'nope', '--data-dir', dir]).status, 1);
  });
});
