import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HookyardError } from '../errors.js';
import { openHookyard } from '../hookyard.js';
import { endpointFor } from '../test/fixtures.js';
import { storageKinds, testDatabase, TEST_ALLOW_CIDRS, TEST_SECRET_KEY, type TestDatabase } from '../test/storages.js';
import { startTcpProxy, type TcpProxy } from '../test/tcp-proxy.js';
import { openPostgres } from './postgres.js';
import type { Storage } from './port.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts `work` fails as an outage (HookyardError database_unavailable, the driver's error as cause) within `withinMs`. */
async function rejectsAsOutage(work: Promise<unknown>, withinMs: number, cause?: RegExp): Promise<HookyardError> {
  const started = Date.now();
  const error = await work.then(
    () => assert.fail('expected the database to be unavailable'),
    (e: unknown) => e,
  );
  const took = Date.now() - started;
  assert.ok(error instanceof HookyardError, `not a HookyardError: ${String(error)}`);
  assert.equal(error.code, 'database_unavailable');
  assert.ok(took < withinMs, `failed after ${took} ms, expected within ${withinMs} ms`);
  if (cause) assert.match(String((error.cause as Error | undefined)?.message ?? (error.cause as { code?: string })?.code), cause);
  return error;
}

// Ending backends and stalling the network need a server: PostgreSQL only.
if (storageKinds().includes('postgres')) {
  describe('PostgreSQL connections that fail [postgres]', () => {
    let db: TestDatabase;
    before(async () => {
      db = await testDatabase('postgres');
    });
    after(async () => {
      await db.close();
    });

    /** Ends every backend of `applicationName` but the caller's. */
    const terminate = async (applicationName: string) => {
      const { rows } = await db.storage.query<{ n: number }>(
        `select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
        [applicationName],
      );
      return rows[0]!.n;
    };

    describe('ended mid-transaction', () => {
      let storage: Storage;
      before(async () => {
        storage = await openPostgres({ connectionString: db.url!, max: 3, applicationName: 'midtx-test' });
      });
      after(async () => {
        await storage.close();
      });

      test('during a statement: the caller gets database_unavailable, the process stays up, the pool recovers', async () => {
        let pid = 0;
        const work = storage.transaction(async (tx) => {
          pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
          await tx.query('select pg_sleep(10)');
        });
        await sleep(200);
        assert.equal((await db.storage.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid])).rows[0]!.ok, true);
        await rejectsAsOutage(work, 3_000, /terminating connection|terminated/);
        const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => storage.query<{ n: number }>('select $1::int as n', [n])));
        assert.deepEqual(results.map((r) => r.rows[0]!.n), [1, 2, 3, 4, 5, 6]);
      });

      test('between statements, while the caller holds the connection: no unhandled error, the next statement fails, nothing is committed', async () => {
        await db.storage.query('create table if not exists midtx (n int)');
        const work = storage.transaction(async (tx) => {
          const { rows } = await tx.query<{ pid: number }>('insert into midtx values (1) returning pg_backend_pid() as pid');
          await db.storage.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
          // The driver emits 'error' on the checked-out client now; before, that ended the process.
          await sleep(300);
          await tx.query('insert into midtx values (2)');
        });
        await rejectsAsOutage(work, 3_000);
        const { rows } = await db.storage.query<{ n: number }>('select count(*)::int as n from midtx');
        assert.equal(rows[0]!.n, 0, 'the transaction was rolled back');
        await storage.transaction((tx) => tx.query('insert into midtx values (3)'));
        assert.equal((await db.storage.query<{ n: number }>('select count(*)::int as n from midtx')).rows[0]!.n, 1);
      });

      test('idle connections in the pool that are ended are replaced without a failed statement', async () => {
        await Promise.all([1, 2, 3].map(() => storage.query('select pg_sleep(0.05)'))); // three idle clients
        assert.equal(await terminate('midtx-test'), 3);
        await sleep(200);
        const { rows } = await storage.query<{ ok: number }>('select 1 as ok');
        assert.equal(rows[0]!.ok, 1);
      });
    });

    describe('timeouts', () => {
      let storage: Storage;
      before(async () => {
        storage = await openPostgres({ connectionString: db.url!, max: 2, applicationName: 'timeout-test', timeouts: { statementMs: 300, idleInTransactionMs: 400 } });
      });
      after(async () => {
        await storage.close();
      });

      test('a statement over the statement timeout fails as an outage (57014); migrations run without it', async () => {
        await rejectsAsOutage(storage.query('select pg_sleep(3)'), 2_000, /statement timeout/);
        const { rows } = await storage.transaction((tx) => tx.query<{ ok: number }>('select pg_sleep(0.6), 1 as ok'), { timeouts: false });
        assert.equal(rows[0]!.ok, 1);
        assert.equal((await storage.query<{ ok: number }>('select 1 as ok')).rows[0]!.ok, 1);
      });

      test('a transaction left idle past the idle-in-transaction timeout is ended by the server and the pool recovers', async () => {
        const work = storage.transaction(async (tx) => {
          await tx.query('select 1');
          await sleep(1_000);
          await tx.query('select 2');
        });
        await rejectsAsOutage(work, 3_000);
        assert.equal((await storage.query<{ ok: number }>('select 1 as ok')).rows[0]!.ok, 1);
      });
    });

    describe('a stalled network (every byte held back, no reset)', () => {
      let proxy: TcpProxy;
      let storage: Storage;
      before(async () => {
        proxy = await startTcpProxy(db.url!);
        storage = await openPostgres({ connectionString: proxy.url, max: 2, applicationName: 'stall-test', timeouts: { connectMs: 500, statementMs: 300 } });
      });
      after(async () => {
        await proxy.restore();
        await storage.close();
        await proxy.close();
      });

      test('statements and transactions give up within the client bound instead of hanging, and work again after', async () => {
        await storage.query('select 1'); // an idle connection that will be stalled
        proxy.freeze();
        // On a pooled connection: the client's bound (300 ms + 2 s); waiting for a new one: the connect timeout.
        const started = Date.now();
        const results = await Promise.allSettled([storage.query('select 1'), storage.transaction((tx) => tx.query('select 1')), storage.query('select 1'), storage.query('select 1')]);
        assert.ok(Date.now() - started < 4_000, `gave up after ${Date.now() - started} ms`);
        for (const r of results) {
          assert.equal(r.status, 'rejected');
          assert.ok(r.reason instanceof HookyardError && r.reason.code === 'database_unavailable', String(r.reason));
        }
        await rejectsAsOutage(storage.query('select 1'), 2_000);
        await proxy.restore();
        assert.equal((await storage.query<{ ok: number }>('select 1 as ok')).rows[0]!.ok, 1);
      });
    });

    test('publishers while every backend is ended every 300 ms: the process stays up, failures are outages, nothing acknowledged is lost', async () => {
      const storage = await openPostgres({ connectionString: db.url!, max: 8, applicationName: 'soak-test' });
      const hookyard = await openHookyard({ storage, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false });
      try {
        const app = await hookyard.applications.create({ name: 'soak' });
        await endpointFor(hookyard, app.id);
        const acknowledged: string[] = [];
        const failures: unknown[] = [];
        // Bounded in time whatever happens to the test, so a failed assertion cannot leave them spinning.
        const stopAt = Date.now() + 4_000;
        let running = true;
        const publisher = async () => {
          while (running && Date.now() < stopAt) {
            try {
              const { message } = await hookyard.messages.publish(app.id, { eventType: 'soak.tick', payload: { at: Date.now() } });
              acknowledged.push(message.id);
            } catch (error) {
              failures.push(error);
            }
          }
        };
        const publishers = Array.from({ length: 8 }, publisher);
        let rounds = 0;
        try {
          for (const deadline = Date.now() + 2_400; Date.now() < deadline; rounds++) {
            await sleep(300);
            await terminate('soak-test');
          }
        } finally {
          running = false;
          await Promise.all(publishers);
        }
        assert.ok(rounds >= 5, `${rounds} rounds`);
        assert.ok(acknowledged.length > 0, 'some publishes got through between rounds');
        for (const f of failures) assert.ok(f instanceof HookyardError && f.code === 'database_unavailable', `unexpected failure: ${String(f)}`);
        const { rows } = await db.storage.query<{ n: number }>('select count(*)::int as n from hookyard.message where id = any ($1::text[])', [acknowledged]);
        assert.equal(rows[0]!.n, acknowledged.length, 'every acknowledged message is stored');
        await hookyard.messages.publish(app.id, { eventType: 'soak.tick', payload: { at: 'after' } });
      } finally {
        await hookyard.close();
        await storage.close();
      }
    });
  });
}
