import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createLogger } from '../log.js';
import { storageKinds, testDatabase, type TestDatabase } from '../test/storages.js';
import { startTcpProxy, type TcpProxy } from '../test/tcp-proxy.js';
import { createNotifier } from './notifier.js';
import { outageTracker } from './outage.js';
import { openPostgres } from './postgres.js';
import type { Storage } from './port.js';

/** Resolves when `check()` holds, polling every 20 ms; fails after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A subscriber that records what it hears. */
function recorder() {
  const heard: string[] = [];
  let reconnects = 0;
  return {
    heard,
    get reconnects() {
      return reconnects;
    },
    onNotify: (payload: string) => heard.push(payload),
    options: { onReconnect: () => void reconnects++ },
  };
}

// The notifier needs a server whose backends can be ended: PostgreSQL only.
if (storageKinds().includes('postgres')) {
  describe('LISTEN notifier [postgres]', () => {
    let db: TestDatabase;
    let storage: Storage;
    before(async () => {
      db = await testDatabase('postgres', { migrated: false });
      storage = await openPostgres({ connectionString: db.url!, max: 2, applicationName: 'notifier-test' });
    });
    after(async () => {
      await storage.close();
      await db.close();
    });

    const terminateListen = async () => {
      const { rows } = await db.storage.query<{ ended: boolean }>(
        `select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and application_name = 'notifier-test-listen'`,
      );
      return rows.filter((r) => r.ended).length;
    };

    test('pg_terminate_backend on the LISTEN connection: the process stays up, it listens again and the catch-up fires', async () => {
      const a = recorder();
      const b = recorder();
      const unlistenA = await storage.listen('notifier_a', a.onNotify, a.options);
      const unlistenB = await storage.listen('notifier_b', b.onNotify, b.options);
      await storage.query('select pg_notify($1, $2)', ['notifier_a', 'before']);
      await until('the first notification', () => a.heard.includes('before'));
      assert.equal(a.reconnects, 0, 'no gap yet');

      for (let round = 1; round <= 3; round++) {
        assert.equal(await terminateListen(), 1, 'one LISTEN connection to end');
        await until(`catch-up ${round}`, () => a.reconnects === round && b.reconnects === round);
        // Listening again on both channels, on a new backend.
        await storage.query('select pg_notify($1, $2), pg_notify($3, $4)', ['notifier_a', `after ${round}`, 'notifier_b', `after ${round}`]);
        await until(`notifications after reconnect ${round}`, () => a.heard.includes(`after ${round}`) && b.heard.includes(`after ${round}`));
      }
      assert.deepEqual(a.heard, ['before', 'after 1', 'after 2', 'after 3']);

      // Unlistened, a channel is quiet; once nothing listens, the connection is closed.
      await unlistenA();
      await storage.query('select pg_notify($1, $2), pg_notify($3, $4)', ['notifier_a', 'gone', 'notifier_b', 'still']);
      await until('the notification to b', () => b.heard.includes('still'));
      assert.equal(a.heard.includes('gone'), false);
      await unlistenB();
      await until('the LISTEN connection to close', async () => {
        const { rows } = await db.storage.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'notifier-test-listen'`);
        return rows[0]!.n === 0;
      });
    });

    test('a subscriber that throws does not take the connection or its neighbours down', async () => {
      const good = recorder();
      const unlistenBad = await storage.listen('notifier_c', () => {
        throw new Error('subscriber bug');
      });
      const unlistenGood = await storage.listen('notifier_c', good.onNotify, good.options);
      await storage.query('select pg_notify($1, $2)', ['notifier_c', 'one']);
      await storage.query('select pg_notify($1, $2)', ['notifier_c', 'two']);
      await until('both notifications', () => good.heard.length === 2);
      assert.equal(good.reconnects, 0);
      await unlistenBad();
      await unlistenGood();
    });

    describe('through a proxy that can cut or freeze the network', () => {
      let proxy: TcpProxy;
      before(async () => {
        proxy = await startTcpProxy(db.url!);
      });
      after(async () => {
        await proxy.close();
      });

      test('the database gone for a while: listen() does not hang, and once it is back the notifier listens and catches up', async () => {
        const outage = outageTracker(createLogger('silent'));
        const notifier = createNotifier({ newClient: () => new pg.Client({ connectionString: proxy.url, connectionTimeoutMillis: 1_000 }), log: createLogger('silent'), outage });
        try {
          const a = recorder();
          await notifier.listen('notifier_d', a.onNotify, a.options);
          await proxy.cut();
          await until('the loss to be seen', () => outage.down);
          // Subscribing while the database is away resolves after the first failed try.
          const late = recorder();
          const started = Date.now();
          await notifier.listen('notifier_e', late.onNotify, late.options);
          assert.ok(Date.now() - started < 3_000, `listen took ${Date.now() - started} ms`);
          await new Promise((r) => setTimeout(r, 1_500)); // several failed reconnects
          assert.equal(a.reconnects, 0);
          await proxy.restore();
          await until('catch-up after the outage', () => a.reconnects === 1 && late.reconnects === 1, 5_000);
          assert.equal(outage.down, false, 'the live connection ends the outage');
          await db.storage.query('select pg_notify($1, $2), pg_notify($3, $4)', ['notifier_d', 'back', 'notifier_e', 'back']);
          await until('notifications after the outage', () => a.heard.includes('back') && late.heard.includes('back'));
        } finally {
          await notifier.close();
        }
      });

      test('closing does not wait for a connection attempt that hangs', async () => {
        const notifier = createNotifier({ newClient: () => new pg.Client({ connectionString: proxy.url, connectionTimeoutMillis: 20_000 }), log: createLogger('silent'), outage: outageTracker(createLogger('silent')) });
        proxy.freeze();
        try {
          const listening = notifier.listen('notifier_g', () => {});
          await new Promise((r) => setTimeout(r, 200));
          const started = Date.now();
          await notifier.close();
          await listening;
          assert.ok(Date.now() - started < 2_000, `close took ${Date.now() - started} ms`);
        } finally {
          await proxy.restore();
        }
      });

      test('a blackholed LISTEN connection is found by its ping and replaced', async () => {
        const notifier = createNotifier({
          newClient: () => new pg.Client({ connectionString: proxy.url, connectionTimeoutMillis: 500 }),
          log: createLogger('silent'),
          outage: outageTracker(createLogger('silent')),
          pingIntervalMs: 200,
          pingTimeoutMs: 300,
        });
        try {
          const a = recorder();
          await notifier.listen('notifier_f', a.onNotify, a.options);
          proxy.freeze();
          await new Promise((r) => setTimeout(r, 1_200)); // a ping times out; reconnects time out too
          await proxy.restore();
          await until('catch-up after the blackhole', () => a.reconnects >= 1, 5_000);
          await db.storage.query('select pg_notify($1, $2)', ['notifier_f', 'thawed']);
          await until('a notification after the blackhole', () => a.heard.includes('thawed'));
        } finally {
          await notifier.close();
        }
      });
    });
  });
}
