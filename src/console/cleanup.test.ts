import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portalTokenCreate, portalTokenEnd } from '../auth/portal-token.js';
import type { LiveToken } from '../auth/principal.js';
import { tokenCreate, tokenRevoke } from '../auth/token.js';
import { consoleCleanupStart } from '../maintenance/schedule.js';
import { logCapture } from '../test/log-capture.js';
import { describeEachStorage } from '../test/storages.js';
import { consoleCleanOnce } from './cleanup.js';
import { rollupAddMany } from './rollup-sql.js';
import { sessionCreate, sessionResume } from './session.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SESSIONS = { idleMs: 8 * HOUR, maxMs: 7 * DAY };

describeEachStorage('console cleanup', (env) => {
  test('ended sessions, ended portal tokens and old rollups go; live ones stay; an expired session is refused before any cleanup', async () => {
    const { storage, hookyard } = env();
    // The injected clock is weeks ahead of the database's own, so what the database stamps with now() (a revocation)
    // is long past for the cleanup.
    const T = Date.now() + 40 * DAY;
    const at = (ms: number) => new Date(T + ms);
    const live = (record: { id: string; scope: 'admin' | 'api' }): LiveToken => ({ id: record.id, scope: record.scope, appId: null, capabilities: null, expiresAt: null });

    const admin = (await tokenCreate(storage, 'cleanup-admin', 'admin')).record;
    const doomed = (await tokenCreate(storage, 'cleanup-revoked', 'api')).record;
    const expired = await sessionCreate(storage, live(admin), SESSIONS, at(-10 * HOUR));
    const fresh = await sessionCreate(storage, live(admin), SESSIONS, at(-HOUR));
    const ofRevoked = await sessionCreate(storage, live(doomed), SESSIONS, at(-HOUR));
    await tokenRevoke(storage, doomed.id);

    const app = await hookyard.applications.create({ name: 'cleanup' });
    const portal = (expiresAt: Date) => portalTokenCreate(storage, { appId: app.id, capabilities: null, expiresAt, sessionId: null });
    const endedLongAgo = await portal(at(-2 * DAY));
    assert.equal((await storage.query('select 1 from hookyard.api_token where id = $1', [endedLongAgo.id])).rows.length, 1);
    const endedRecently = await portal(at(-HOUR));
    const revoked = await portal(at(HOUR));
    await portalTokenEnd(storage, revoked.id);
    const livePortal = await portal(at(HOUR));

    const minute = (ms: number) => T + ms - ((T + ms) % 60_000);
    await rollupAddMany(
      storage,
      [
        { minute: minute(-32 * DAY), metric: 'message.published', key: '', value: 1 },
        { minute: minute(-32 * DAY), metric: 'delivery.attempt', key: 'succeeded', value: 1 },
        { minute: minute(-30 * DAY), metric: 'message.published', key: '', value: 1 },
      ],
      [],
      [
        { minute: minute(-32 * DAY), metric: 'delivery.latency', counts: [0, 1, 2] },
        { minute: minute(-30 * DAY), metric: 'delivery.latency', counts: [0, 1, 2] },
      ],
    );

    assert.equal(await sessionResume(storage, expired.id, SESSIONS, at(0)), undefined, 'past its expiry: refused, though its row is still there');
    assert.equal(await sessionResume(storage, ofRevoked.id, SESSIONS, at(0)), undefined, 'its token revoked: refused');
    assert.equal((await storage.query('select 1 from hookyard.console_session')).rows.length, 3, 'nothing deleted yet');

    const result = await consoleCleanOnce({ storage, now: () => at(0) }, { rollupRetentionMs: 31 * DAY, portalTokenKeepMs: DAY, batchSize: 1 });
    assert.deepEqual(result, { sessions: 2, portalTokens: 2, rollups: 3 });

    const sessions = await storage.query<{ token_id: string }>('select token_id from hookyard.console_session');
    assert.deepEqual(sessions.rows.map((r) => r.token_id), [admin.id]);
    assert.ok(await sessionResume(storage, fresh.id, SESSIONS, at(0)), 'the live session still works');
    const tokens = await storage.query<{ id: string }>(`select id from hookyard.api_token where scope = 'app' order by id`);
    assert.deepEqual(tokens.rows.map((r) => r.id), [endedRecently.id, livePortal.id].sort(), 'a token ended a day ago or more goes; one ended an hour ago stays a while');
    assert.ok((await storage.query('select 1 from hookyard.api_token where id = $1', [doomed.id])).rows.length === 1, 'API tokens are not the console cleanup’s');
    const counters = await storage.query<{ minute: Date }>('select minute from hookyard.rollup_minute');
    assert.deepEqual(counters.rows.map((r) => r.minute.getTime()), [minute(-30 * DAY)]);
    const histograms = await storage.query<{ minute: Date }>('select minute from hookyard.rollup_histogram');
    assert.deepEqual(histograms.rows.map((r) => r.minute.getTime()), [minute(-30 * DAY)]);

    assert.deepEqual(await consoleCleanOnce({ storage, now: () => at(0) }, { rollupRetentionMs: 31 * DAY, portalTokenKeepMs: DAY }), { sessions: 0, portalTokens: 0, rollups: 0 }, 'a second pass finds nothing');
  });

  test('on the maintenance schedule: the cleanup runs soon after start and logs what it removed', async () => {
    const { storage } = env();
    const admin = (await tokenCreate(storage, 'cleanup-scheduled', 'admin')).record;
    const session = await sessionCreate(storage, { id: admin.id, scope: 'admin', appId: null, capabilities: null, expiresAt: null }, SESSIONS, new Date(Date.now() - DAY));
    const left = async () => (await storage.query('select 1 from hookyard.console_session where token_id = $1', [admin.id])).rows.length;
    assert.equal(await left(), 1);
    assert.equal(await sessionResume(storage, session.id, SESSIONS, new Date()), undefined);
    const { log, lines } = logCapture();
    const running = consoleCleanupStart({ storage, now: () => new Date() }, { rollupRetentionMs: 31 * DAY, portalTokenKeepMs: DAY }, log, { firstAfterMs: 20, everyMs: 60_000 });
    try {
      for (let i = 0; i < 250 && (await left()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await left(), 0);
      for (let i = 0; i < 50 && !lines.some((l) => l.msg === 'console cleanup'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(lines.some((l) => l.msg === 'console cleanup' && Number(l.sessions) >= 1), JSON.stringify(lines));
    } finally {
      await running.stop();
    }
  });
});
