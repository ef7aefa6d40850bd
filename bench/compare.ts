import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, makeWorkerUtils } from 'graphile-worker';
import { tokenCreate } from '../dist/auth/token.js';
import { openHookyard } from '../dist/hookyard.js';
import { openPostgres } from '../dist/store/postgres.js';
import { scratchDatabaseCreate } from '../dist/test/scratch-database.js';
import { machineCpuMicros } from './cpu.js';
import { call, percentile, postLatencies, postLoad, waitUntil, type Post } from './load.js';
import type { BenchContext } from './main.js';
import { BENCH_CONCURRENCY, peerProcess, serveProcess, type ServeProcess } from './processes.js';
import { benchReceiver, type BenchReceiver } from './receiver.js';

/**
 * The issue-10 comparison, in one run against one receiver (its own process, answering 200 at
 * once). Every HTTP figure uses the same undici client (load.ts) with the same concurrency:
 *   ceiling      a plain POST loop to the receiver
 *   publish      POST /api/v1/app/{app}/msg to `serve --role api`, 32 in flight, without and
 *                with an Idempotency-Key per request (as the svix SDK sends); latency one at a
 *                time at light load
 *   end to end   publish over HTTP until the receiver has every message: `--role all`, and
 *                `--role api` + `--role worker` as two processes
 *   drain        the backlog the publish runs left (one endpoint), by `--role worker`
 * and, on PostgreSQL, the peers (peer-process.ts), loaded the same way:
 *   graphile-worker drain   a runner draining as many jobs, one per delivery, posting with undici
 *   do-it-yourself          a node:http handler adding one graphile-worker job per request, and
 *                           the runner in the same process
 * Hookyard runs as deployed: request logs on (info), signing, an attempt row per delivery; the
 * rate limit is off. Workers and peers: 64 in flight, all 64 allowed to the one endpoint.
 */
const IN_FLIGHT = 32;
const PAYLOAD = { type: 'invoice.paid', id: 'inv_123', amount: 4200, currency: 'eur', customer: { id: 'cus_1', email: 'a@example.com' } };
const MESSAGE = JSON.stringify({ eventType: 'invoice.paid', payload: PAYLOAD });

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}` : 'n/a');

interface Figures {
  ceiling32: number;
  ceiling64: number;
  publish?: number;
  publishKeyed?: number;
  latency?: number[];
  latencyKeyed?: number[];
  e2eAll?: number;
  e2eSplit?: number;
  drain?: number;
}

/** CPU of the listed processes per unit of work, in µs, and the machine's idle share. */
async function measured<T>(processes: { name: string; cpu: () => number }[], units: number, fn: () => Promise<T>): Promise<{ result: T; cpu: string }> {
  const m0 = machineCpuMicros();
  const before = processes.map((p) => p.cpu());
  const result = await fn();
  const m1 = machineCpuMicros();
  const parts = processes.map((p, i) => `${p.name} ${fmt((p.cpu() - before[i]!) / units)} µs`);
  const busy = m1.busy - m0.busy;
  const idle = m1.idle - m0.idle;
  return { result, cpu: `CPU per message: ${parts.join(', ')}, whole machine ${fmt(busy / units)} µs; idle ${Math.round((idle / (busy + idle)) * 100)}%` };
}

function line(kind: string, what: string, rate: number, ceiling: number, peer?: { name: string; rate: number | undefined }, extra = '') {
  const vsPeer = peer ? `  ${ratio(rate, peer.rate)}x ${peer.name}${peer.rate ? ` (${fmt(peer.rate)}/s)` : ''}` : '';
  console.log(`  ${kind.padEnd(8)} ${what.padEnd(44)} ${`${fmt(rate)}/s`.padStart(10)}  ${ratio(rate, ceiling)} of ceiling${vsPeer}${extra}`);
}

export async function compareBench(ctx: BenchContext): Promise<void> {
  const N = ctx.quick ? 2_000 : 20_000;
  const LIGHT = ctx.quick ? 50 : 300;
  const receiver = await benchReceiver();
  console.log(`\n## compare: ${N} messages per run, ${IN_FLIGHT} publishes in flight, workers and peers ${BENCH_CONCURRENCY} in flight to one endpoint; latency ${LIGHT} publishes one at a time, 5 ms apart`);
  try {
    const toReceiver = (path: string) => (): Post => ({ url: `${receiver.url}/${path}`, body: JSON.stringify(PAYLOAD) });
    // Taken again before each storage's runs: on a shared machine the ceiling drifts within a run.
    const ceilings = async (kind: string) => {
      await postLoad(ctx.quick ? 1_000 : 5_000, IN_FLIGHT, toReceiver('warmup'));
      const ceiling32 = (await postLoad(N, IN_FLIGHT, toReceiver('ceiling'))).rate;
      const ceiling64 = (await postLoad(N, BENCH_CONCURRENCY, toReceiver('ceiling'))).rate;
      console.log(`  ${kind.padEnd(8)} ceiling, a plain POST loop to the receiver: ${fmt(ceiling32)}/s at ${IN_FLIGHT} in flight, ${fmt(ceiling64)}/s at ${BENCH_CONCURRENCY}`);
      return { ceiling32, ceiling64 };
    };
    if (ctx.storages.has('postgres') && ctx.databaseUrl) await onPostgres(ctx.databaseUrl, receiver, N, LIGHT, await ceilings('postgres'));
    if (ctx.storages.has('pglite')) await onPglite(receiver, N, LIGHT, await ceilings('pglite'));
  } finally {
    await receiver.close();
  }
}

/** An application with one endpoint at `/<path>` on the receiver, made through the API. */
async function appTo(api: ServeProcess, token: string, receiver: BenchReceiver, path: string): Promise<string> {
  const app = await call<{ id: string }>('POST', `${api.url}/api/v1/app`, token, { name: `bench ${path}` });
  await call('POST', `${api.url}/api/v1/app/${app.id}/endpoint`, token, { url: `${receiver.url}/${path}` });
  return app.id;
}

const publishPost = (api: ServeProcess, token: string, appId: string, keyed: boolean) => (i: number): Post => ({
  url: `${api.url}/api/v1/app/${appId}/msg`,
  body: MESSAGE,
  headers: { authorization: `Bearer ${token}`, ...(keyed ? { 'idempotency-key': `k-${randomBytes(8).toString('hex')}-${i}` } : {}) },
});

/** Publishes over HTTP (the API's own process) and the light-load latency; leaves one delivery per message pending. */
async function publishRuns(kind: string, api: ServeProcess, token: string, appId: string, N: number, LIGHT: number, f: Figures, diy?: Figures) {
  await postLoad(Math.min(N, 1_000), IN_FLIGHT, publishPost(api, token, appId, false), 202); // warm-up
  const plain = await measured([{ name: 'API process', cpu: api.cpuMicros }], N, () => postLoad(N, IN_FLIGHT, publishPost(api, token, appId, false), 202));
  f.publish = plain.result.rate;
  line(kind, `publish over HTTP, ${IN_FLIGHT} in flight`, f.publish, f.ceiling32, { name: 'DIY', rate: diy?.publish }, `\n           ${plain.cpu}`);
  const keyed = await measured([{ name: 'API process', cpu: api.cpuMicros }], N, () => postLoad(N, IN_FLIGHT, publishPost(api, token, appId, true), 202));
  f.publishKeyed = keyed.result.rate;
  line(kind, `publish over HTTP + Idempotency-Key`, f.publishKeyed, f.ceiling32, { name: 'DIY', rate: diy?.publish }, `\n           ${keyed.cpu}`);
  f.latency = await postLatencies(LIGHT, 5, publishPost(api, token, appId, false));
  f.latencyKeyed = await postLatencies(LIGHT, 5, publishPost(api, token, appId, true));
  const lat = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms`;
  console.log(`  ${kind.padEnd(8)} publish latency at light load: ${lat(f.latency)}; with Idempotency-Key ${lat(f.latencyKeyed)}${diy?.latency ? `; DIY ${lat(diy.latency)}` : ''}`);
  return Math.min(N, 1_000) + 2 * N + 2 * LIGHT;
}

/** Publishes N over HTTP and waits for the receiver to have them all at `/<path>`. */
async function endToEnd(api: ServeProcess, token: string, appId: string, receiver: BenchReceiver, path: string, N: number): Promise<number> {
  const t = performance.now();
  await postLoad(N, IN_FLIGHT, publishPost(api, token, appId, false), 202);
  await waitUntil(async () => (await receiver.countOf(path)) >= N, 300_000);
  return (N / (performance.now() - t)) * 1000;
}

async function drain(receiver: BenchReceiver, path: string, backlog: number, start: () => Promise<{ stop(): Promise<void>; cpuMicros: () => number }>): Promise<{ rate: number; cpu: string; stop(): Promise<void> }> {
  const before = await receiver.countOf(path);
  const worker = await start();
  const t = performance.now();
  const at0 = await receiver.countOf(path);
  const { cpu } = await measured([{ name: 'worker process', cpu: worker.cpuMicros }], backlog, () => waitUntil(async () => (await receiver.countOf(path)) - before >= backlog, 600_000));
  const rate = ((backlog - (at0 - before)) / (performance.now() - t)) * 1000;
  return { rate, cpu, stop: () => worker.stop() };
}

async function onPostgres(adminUrl: string, receiver: BenchReceiver, N: number, LIGHT: number, ceilings: Pick<Figures, 'ceiling32' | 'ceiling64'>) {
  let scratch;
  try {
    scratch = await scratchDatabaseCreate(adminUrl, 'hookyard_bench');
  } catch (error) {
    console.log(`  (postgres skipped: ${(error as Error).message})`);
    return;
  }
  const secretKey = randomBytes(32);
  const where = { databaseUrl: scratch.url, secretKey };
  const storage = await openPostgres({ connectionString: scratch.url, max: 2 });
  const f: Figures = { ...ceilings };
  const diy: Figures = { ...ceilings };
  try {
    const hookyard = await openHookyard({ storage, secretKey }); // migrates
    const { token } = await tokenCreate(storage, 'bench');
    // HOOKYARD_BENCH_LIVE=1: as if a console were open somewhere, so every writer NOTIFYs its live
    // updates (migration 023); without it, as on a server nobody watches, they only look.
    if (process.env.HOOKYARD_BENCH_LIVE === '1') await storage.query(`insert into hookyard.live_listener (id, until) values ('lst_bench', 'infinity')`);

    // Peers first, so that Hookyard's lines can show the ratios.
    const utils = await makeWorkerUtils({ connectionString: scratch.url, logger: new Logger(() => () => {}) });
    await utils.migrate();
    const diyApi = await peerProcess({ mode: 'diy', databaseUrl: scratch.url, concurrency: BENCH_CONCURRENCY, target: `${receiver.url}/gw` });
    const diyPost = (): Post => ({ url: `${diyApi.url}/msg`, body: MESSAGE });
    await postLoad(Math.min(N, 1_000), IN_FLIGHT, diyPost, 202);
    diy.publish = (await postLoad(N, IN_FLIGHT, diyPost, 202)).rate;
    diy.latency = await postLatencies(LIGHT, 5, diyPost);
    await diyApi.stop();

    // Hookyard: publish over HTTP; the backlog it leaves is the drain's.
    const api = await serveProcess('api', where);
    const appId = await appTo(api, token, receiver, 'drain');
    const backlog = await publishRuns('postgres', api, token, appId, N, LIGHT, f, diy);
    await api.stop();

    // The graphile-worker peer drains as many jobs (the DIY run queued some already).
    const queued = Math.min(N, 1_000) + N + LIGHT;
    for (let at = queued; at < backlog; at += 1_000) {
      await utils.addJobs(Array.from({ length: Math.min(1_000, backlog - at) }, () => ({ identifier: 'send', payload: { url: `${receiver.url}/gw/x`, body: JSON.stringify(PAYLOAD) } })));
    }
    const gw = await drain(receiver, 'gw', backlog, () => peerProcess({ mode: 'runner', databaseUrl: scratch.url, concurrency: BENCH_CONCURRENCY }));
    await gw.stop();
    diy.drain = gw.rate;

    const hy = await drain(receiver, 'drain', backlog, () => serveProcess('worker', where));
    await hy.stop();
    f.drain = hy.rate;
    line('postgres', `drain ${fmt(backlog)}, 1 endpoint, ${BENCH_CONCURRENCY} in flight`, f.drain, f.ceiling64, { name: 'graphile-worker', rate: diy.drain }, `\n           ${hy.cpu}\n           graphile-worker: ${gw.cpu}`);

    // End to end: the DIY sender with its runner in the process, then Hookyard's two shapes.
    const diyAll = await peerProcess({ mode: 'diy', runner: 1, databaseUrl: scratch.url, concurrency: BENCH_CONCURRENCY, target: `${receiver.url}/diye` });
    const t = performance.now();
    await postLoad(N, IN_FLIGHT, () => ({ url: `${diyAll.url}/msg`, body: MESSAGE }), 202);
    await waitUntil(async () => (await receiver.countOf('diye')) >= N, 300_000);
    diy.e2eAll = (N / (performance.now() - t)) * 1000;
    await diyAll.stop();

    const all = await serveProcess('all', where);
    const allApp = await appTo(all, token, receiver, 'e2eall');
    const e2eAll = await measured([{ name: 'serve --role all', cpu: all.cpuMicros }], N, () => endToEnd(all, token, allApp, receiver, 'e2eall', N));
    f.e2eAll = e2eAll.result;
    await all.stop();
    line('postgres', 'end to end over HTTP, worker in the API process', f.e2eAll, f.ceiling32, { name: 'DIY', rate: diy.e2eAll }, `\n           ${e2eAll.cpu}`);

    const api2 = await serveProcess('api', where);
    const worker = await serveProcess('worker', where);
    const splitApp = await appTo(api2, token, receiver, 'e2esplit');
    const e2eSplit = await measured([{ name: 'API process', cpu: api2.cpuMicros }, { name: 'worker process', cpu: worker.cpuMicros }], N, () => endToEnd(api2, token, splitApp, receiver, 'e2esplit', N));
    f.e2eSplit = e2eSplit.result;
    await Promise.all([api2.stop(), worker.stop()]);
    line('postgres', 'end to end over HTTP, worker as its own process', f.e2eSplit, f.ceiling32, { name: 'DIY', rate: diy.e2eAll }, `\n           ${e2eSplit.cpu}`);
    await utils.release();
    await hookyard.close();
  } finally {
    await storage.close();
    await scratch.drop();
  }
}

async function onPglite(receiver: BenchReceiver, N: number, LIGHT: number, ceilings: Pick<Figures, 'ceiling32' | 'ceiling64'>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'hookyard-bench-'));
  const f: Figures = { ...ceilings };
  try {
    // One process at a time owns an embedded folder: api, then worker, then all.
    const api = await serveProcess('api', { dataDir, firstStart: true });
    const token = api.token!;
    const appId = await appTo(api, token, receiver, 'pdrain');
    const backlog = await publishRuns('pglite', api, token, appId, N, LIGHT, f);
    await api.stop();
    const hy = await drain(receiver, 'pdrain', backlog, () => serveProcess('worker', { dataDir }));
    await hy.stop();
    line('pglite', `drain ${fmt(backlog)}, 1 endpoint, ${BENCH_CONCURRENCY} in flight`, hy.rate, f.ceiling64, undefined, `\n           ${hy.cpu}`);
    const all = await serveProcess('all', { dataDir });
    const allApp = await appTo(all, token, receiver, 'pe2e');
    const e2e = await measured([{ name: 'serve --role all', cpu: all.cpuMicros }], N, () => endToEnd(all, token, allApp, receiver, 'pe2e', N));
    await all.stop();
    line('pglite', 'end to end over HTTP, worker in the API process', e2e.result, f.ceiling32, undefined, `\n           ${e2e.cpu}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
