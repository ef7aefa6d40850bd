import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tokenCreate } from '../auth/token.js';
import { openHookyard } from '../hookyard.js';
import { ownPostgresMissing, ownPostgresStart, type OwnPostgres } from '../test/own-postgres.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';

// `hookyard serve --role all` (API, worker and a loopback receiver) on a PostgreSQL of the test's
// own, which is stopped and started under it. The shared test server must never be stopped, so
// this runs whether or not HOOKYARD_TEST_DATABASE_URL is set, and only needs the server binaries.
const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const missing = ownPostgresMissing();

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a database restart under a running Hookyard [own postgres]', { skip: missing ? `no PostgreSQL server binaries to run one of our own: ${missing}` : false }, () => {
  let pg: OwnPostgres;
  let receiver: Receiver;
  let child: ChildProcess;
  let base = '';
  let token = '';
  let appId = '';
  const logs: LogLine[] = [];
  let exited = false;

  before(async () => {
    pg = await ownPostgresStart();
    receiver = await startReceiver();
    const hookyard = await openHookyard({ databaseUrl: pg.url, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS });
    try {
      token = (await tokenCreate(hookyard.storage, 'restart-test')).token;
      appId = (await hookyard.applications.create({ name: 'restart' })).id;
      await hookyard.endpoints.create(appId, { url: `${receiver.origin}/hook` });
    } finally {
      await hookyard.close();
    }
    child = spawn(process.execPath, [MAIN, 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: pg.url,
        HOOKYARD_SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
        HOOKYARD_ROLE: 'all',
        HOOKYARD_PORT: '0',
        HOOKYARD_ALLOW_CIDRS: '127.0.0.0/8',
        HOOKYARD_RATE_LIMIT: '0',
        HOOKYARD_LOG_LEVEL: 'info',
        HOOKYARD_POLL_INTERVAL_MS: '500',
        HOOKYARD_SHUTDOWN_GRACE_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.once('exit', () => (exited = true));
    let pending = '';
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve did not start within 20 s')), 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine);
          const url = /is listening on (http:\/\/\S+)/.exec(line)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    base = await listening;
  });

  after(async () => {
    if (child && !exited) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    await receiver?.close();
    await pg?.destroy();
  });

  /** One HTTP call that must answer within `timeoutMs`: hanging is a failure, not a slow pass. */
  async function call(method: string, path: string, body?: unknown, timeoutMs = 8_000): Promise<{ status: number; body: Record<string, unknown> | undefined; ms: number }> {
    const started = Date.now();
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, ms: Date.now() - started };
  }

  const publish = (n: string | number) => call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'restart.tick', payload: { n } });
  const receivedIds = () => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));

  test('the API answers 503 while the database is away, the process stays up, and afterwards nothing acknowledged is lost', async (t) => {
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    const first = await publish('before');
    assert.equal(first.status, 202);
    acknowledged.push(String(first.body!.id));
    await receiver.waitFor(1, undefined, 10_000);

    // Publishers keep going through the whole outage; each call is bounded.
    let publishing = true;
    const stopAt = Date.now() + 60_000;
    const publishers = Array.from({ length: 4 }, async (_, p) => {
      for (let i = 0; publishing && Date.now() < stopAt; i++) {
        const r = await publish(`${p}-${i}`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 202) acknowledged.push(String(r.body!.id));
        else {
          assert.equal(r.status, 503, JSON.stringify(r.body));
          assert.equal(r.body!.code, 'database_unavailable');
          await sleep(20);
        }
      }
    });

    try {
      await sleep(300);
      await pg.stop();
      const downAt = Date.now();
      // While it is down: health and other requests answer 503 promptly, and never hang.
      while (Date.now() - downAt < 2_000) {
        const health = await call('GET', '/api/v1/health');
        assert.equal(health.status, 503);
        assert.equal(health.body!.code, 'database_unavailable');
        assert.ok(health.ms < 6_000, `health took ${health.ms} ms`);
        const list = await call('GET', `/api/v1/app/${appId}`);
        assert.equal(list.status, 503);
        await sleep(200);
      }
      assert.equal(exited, false, 'the process is still running');

      await pg.start();
      const backAt = Date.now();
      let healthy = await call('GET', '/api/v1/health');
      while (healthy.status !== 204 && Date.now() - backAt < 10_000) {
        await sleep(50);
        healthy = await call('GET', '/api/v1/health');
      }
      assert.equal(healthy.status, 204, 'healthy again');
      // Deliveries continue: a message published now arrives within a second of its acknowledgement.
      const marker = await publish('marker');
      assert.equal(marker.status, 202);
      const markerId = String(marker.body!.id);
      acknowledged.push(markerId);
      const acceptedAt = Date.now();
      await receiver.waitFor(1, (r) => r.headers['webhook-id'] === markerId, 5_000);
      const deliveredMs = Date.now() - acceptedAt;
      t.diagnostic(`the first message after the restart was delivered ${deliveredMs} ms after its publish, ${Date.now() - backAt} ms after the database was back`);
      assert.ok(deliveredMs < 1_000, `delivered ${deliveredMs} ms after its publish (${Date.now() - backAt} ms after the database was back)`);
    } finally {
      publishing = false;
      await Promise.all(publishers);
    }
    assert.ok((statuses.get(503) ?? 0) > 0, `the outage was seen by publishers: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(202) ?? 0) > 0);
    t.diagnostic(`publishes during the run: ${JSON.stringify(Object.fromEntries(statuses))}`);

    // Nothing that got a 2xx is lost: every acknowledged message reaches the receiver.
    const deadline = Date.now() + 20_000;
    while ([...acknowledged].some((id) => !receivedIds().has(id)) && Date.now() < deadline) await sleep(100);
    const lost = acknowledged.filter((id) => !receivedIds().has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged messages never arrived`);
    assert.equal(exited, false);

    // One line when the outage started and one when it ended; no stack per failed request.
    const down = logs.filter((l) => l.msg.startsWith('database unavailable'));
    const up = logs.filter((l) => l.msg === 'database available again');
    assert.equal(down.length, 1, JSON.stringify(down));
    assert.equal(up.length, 1, JSON.stringify(up));
    const errors = logs.filter((l) => l.level >= 50);
    assert.deepEqual(errors, [], 'no error lines');
    assert.ok(!logs.some((l) => JSON.stringify(l).includes('"stack"')), 'no stacks in the log');
  });

  test('the worker has connections of its own, and the process stops cleanly', async () => {
    const hookyard = await openHookyard({ databaseUrl: pg.url, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false, poolSize: 1 });
    try {
      // The LISTEN connection may still be in its reconnect backoff (up to 2 s) after the restart.
      let names: string[] = [];
      for (const deadline = Date.now() + 5_000; !names.includes('hookyard-worker-listen') && Date.now() < deadline; await sleep(100)) {
        const { rows } = await hookyard.storage.query<{ name: string }>(
          `select distinct application_name as name from pg_stat_activity where datname = current_database() and application_name like 'hookyard%' order by 1`,
        );
        names = rows.map((r) => r.name);
      }
      assert.ok(names.includes('hookyard-worker'), `worker pool in ${names.join(', ')}`);
      assert.ok(names.includes('hookyard-worker-listen'), `worker LISTEN connection in ${names.join(', ')}`);
    } finally {
      await hookyard.close();
    }
    child.kill('SIGTERM');
    const code = await Promise.race([new Promise<number | null>((r) => child.once('exit', (c) => r(c))), sleep(10_000).then(() => 'timeout' as const)]);
    assert.equal(code, 0);
  });
});
