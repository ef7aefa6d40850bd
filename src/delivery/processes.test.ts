import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_WORKER, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

const ENTRY = fileURLToPath(new URL('../test/worker-process.js', import.meta.url));

/** Starts a worker process on `url`; resolves once it says it is ready. */
async function spawnWorker(url: string, options: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ENTRY], {
    env: { ...process.env, DATABASE_URL: url, HOOKYARD_WORKER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

// Real worker processes on one PostgreSQL database.
describeEachStorage(
  'delivery across processes',
  (env) => {
    describe('on a loopback receiver', () => {
      let receiver: Receiver;
      const children: ChildProcess[] = [];
      /** In-flight requests per (message, path), to catch two at the same time. */
      const open = new Map<string, number>();
      let overlaps = 0;
      before(async () => {
        receiver = await startReceiver((r) => {
          const key = `${String(r.headers['webhook-id'])} ${r.path}`;
          const n = (open.get(key) ?? 0) + 1;
          if (n > 1) overlaps++;
          open.set(key, n);
          setTimeout(() => open.set(key, open.get(key)! - 1), 40);
          return { status: 200, delayMs: 40 };
        });
      });
      after(async () => {
        for (const c of children) c.kill('SIGKILL');
        await Promise.all(children.map(exited));
        await receiver.close();
      });

      async function publish(name: string, endpoints: number, messages: number): Promise<string[]> {
        const { hookyard } = env();
        const app = await hookyard.applications.create({ name });
        for (let i = 0; i < endpoints; i++) await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/${name}/${i}` });
        const results = await hookyard.messages.publishBatch(app.id, Array.from({ length: messages }, (_, n) => ({ eventType: 'a.b', payload: { n } })));
        return results.map((r) => r.message.id);
      }

      const pairs = (prefix: string) => {
        const counts = new Map<string, number>();
        for (const r of receiver.received.filter((x) => x.path.startsWith(prefix))) {
          const key = `${String(r.headers['webhook-id'])} ${r.path}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return counts;
      };

      test('SIGKILL mid-delivery loses nothing: a second worker delivers the rest once the leases run out', async () => {
        const options = { ...TEST_WORKER, concurrency: 16, leaseMs: 2_500, attemptTimeoutMs: 1_000 };
        const ids = await publish('crash', 4, 50);
        const first = await spawnWorker(env().url!, options);
        children.push(first);
        await receiver.waitFor(40, (r) => r.path.startsWith('/crash/'));
        first.kill('SIGKILL');
        await exited(first);
        await new Promise((r) => setTimeout(r, 200)); // let the receiver handle what reached its sockets
        const beforeKill = new Set(pairs('/crash/').keys());
        children.push(await spawnWorker(env().url!, options));
        const rows = await waitForStates(env().storage, ids, ['succeeded'], 30_000);
        assert.equal(rows.length, 200);
        const counts = pairs('/crash/');
        assert.equal(counts.size, 200, 'every message reached every endpoint');
        // Only what the dead worker had sent and not yet written back may arrive twice: every
        // duplicate must be a delivery that had already arrived before the kill, and at most twice.
        const duplicated = [...counts].filter(([, n]) => n > 1);
        for (const [key, n] of duplicated) {
          assert.ok(beforeKill.has(key), `${key} arrived twice but was not sent before the kill`);
          assert.equal(n, 2, `${key} arrived ${n} times`);
        }
        assert.ok(duplicated.length < counts.size, `${duplicated.length} duplicates of ${counts.size}`);
      });

      test('two worker processes share a batch without sending any delivery twice at once', async () => {
        const options = { ...TEST_WORKER, concurrency: 16, endpointConcurrency: 4, batchSize: 10, leaseMs: 10_000 };
        overlaps = 0;
        const a = await spawnWorker(env().url!, options);
        const b = await spawnWorker(env().url!, options);
        children.push(a, b);
        const ids = await publish('pair', 5, 60);
        await waitForStates(env().storage, ids, ['succeeded'], 30_000);
        const counts = pairs('/pair/');
        assert.equal(counts.size, 300);
        assert.ok([...counts.values()].every((n) => n === 1), 'each delivery sent exactly once');
        assert.equal(overlaps, 0);
        const { rows } = await env().storage.query<{ n: number }>(
          'select count(*)::int as n from hookyard.attempt where message_id = any ($1::text[])',
          [ids],
        );
        assert.equal(rows[0]!.n, 300, 'one attempt recorded per delivery');
        a.kill('SIGTERM');
        b.kill('SIGTERM');
        await Promise.all([exited(a), exited(b)]);
        assert.equal(a.exitCode, 0);
        assert.equal(b.exitCode, 0);
      });
    });
  },
  {},
  ['postgres'],
);
