import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { startWorker, type WorkerOptions, type WorkerStats } from '../delivery/worker.js';
import type { Hookyard } from '../hookyard.js';
import { send } from '../outbound/send.js';
import type { BenchContext } from './main.js';
import { machineCpuMicros, processCpuMicros } from './cpu.js';
import { benchTargets, rate } from './databases.js';

/**
 * Delivery throughput against its ceiling. One loopback receiver, in its own
 * process, answers 200 at once. The ceiling is a bare undici POST loop to it with the worker's
 * concurrency; then, per storage, N messages x M endpoints are published and
 * timed until every delivery is succeeded and its attempt recorded. Latency is
 * publish-to-receipt at light load (one message every 20 ms, one endpoint),
 * from a timestamp in the payload. Traffic goes to 127.0.0.1 only.
 */
const CONCURRENCY = 128;
const WORKER: WorkerOptions = { concurrency: CONCURRENCY, endpointConcurrency: 16, batchSize: 200, allowCidrs: '127.0.0.0/8', pollIntervalMs: 200 };
const PAYLOAD = { type: 'invoice.paid', id: 'inv_123', amount: 4200, currency: 'eur', customer: { id: 'cus_1', email: 'a@example.com' } };

export interface BenchReceiver {
  url: string;
  stats(): Promise<{ count: number; latencies: number[]; cpuMicros: number }>;
  resetLatencies(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the receiver in its own process (see receiver-process.ts). */
export async function benchReceiver(): Promise<BenchReceiver> {
  const child = fork(fileURLToPath(new URL('./receiver-process.js', import.meta.url)), { stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`bench receiver exited with ${code}`)));
  });
  const ask = <T>(op: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m: T) => resolve(m));
      child.send({ op });
    });
  return {
    url,
    stats: () => ask('stats'),
    resetLatencies: async () => void (await ask('reset')),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ op: 'close' });
      }),
  };
}

/**
 * Where the machine's CPU went while `fn` ran, in cores: this process, the
 * receiver's, and everything else (the database server, the OS), plus idle.
 * It shows what a figure is limited by on a small machine.
 */
async function cpuSplit<T>(receiver: BenchReceiver, fn: () => Promise<T>, workerCpu?: () => number): Promise<{ result: T; split: string }> {
  const worker = workerCpu ?? (() => 0);
  const [m0, o0, r0, w0, t0] = [machineCpuMicros(), processCpuMicros(), (await receiver.stats()).cpuMicros, worker(), performance.now()];
  const result = await fn();
  const [m1, o1, r1, w1, t1] = [machineCpuMicros(), processCpuMicros(), (await receiver.stats()).cpuMicros, worker(), performance.now()];
  const wallMicros = (t1 - t0) * 1000;
  const cores = (micros: number) => (micros / wallMicros).toFixed(2);
  const rest = Math.max(0, m1.busy - m0.busy - (o1 - o0) - (r1 - r0) - (w1 - w0));
  const idle = m1.idle - m0.idle;
  const workerPart = workerCpu ? `, worker process ${cores(w1 - w0)}` : '';
  return { result, split: `CPU in cores: this process ${cores(o1 - o0)}${workerPart}, receiver ${cores(r1 - r0)}, database and rest ${cores(rest)}, idle ${cores(idle)}` };
}

/** Peak RSS while `fn` runs, sampled every 50 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await fn();
    return { result, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * `count` POSTs, CONCURRENCY at a time, each on its own keep-alive connection
 * of a fresh agent; requests per second. Both reference loops below use it, so
 * they differ only in how one request is made.
 */
async function postLoop(count: number, post: (agent: Agent) => Promise<void>): Promise<number> {
  const agent = new Agent({ connections: CONCURRENCY });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await post(agent);
    }),
  );
  const ms = performance.now() - t;
  await agent.close();
  return (count / ms) * 1000;
}

/** The ceiling: a plain undici `request()` per POST, no storage. */
function ceiling(url: string, count: number): Promise<number> {
  const body = JSON.stringify(PAYLOAD);
  return postLoop(count, async (dispatcher) => {
    const res = await request(`${url}/ceiling`, { method: 'POST', dispatcher, body, headers: { 'content-type': 'application/json' } });
    await res.body.dump();
  });
}

/**
 * The same loop through Hookyard's own HTTP layer (`send()`, which the worker
 * calls once per attempt) instead of undici's `request()`: what sending alone
 * would allow, without storage, signing or bookkeeping.
 */
function sendLoop(url: string, count: number): Promise<number> {
  const req = { url: `${url}/send`, body: JSON.stringify(PAYLOAD), headers: { 'content-type': 'application/json' } };
  return postLoop(count, async (agent) => {
    const result = await send(req, { agent, timeoutMs: 15_000, maxResponseBytes: 16_384, requireHttps: false });
    if (result.kind !== 'response' || result.status !== 200) throw new Error(`send loop: ${JSON.stringify(result)}`);
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function deliveredCount(hookyard: Hookyard, appId: string): Promise<{ succeeded: number; attempts: number }> {
  const { rows } = await hookyard.storage.query<{ succeeded: number; attempts: number }>(
    `select (select count(*)::int from hookyard.delivery d join hookyard.endpoint e on e.id = d.endpoint_id where e.app_id = $1 and d.state = 'succeeded') as succeeded,
            (select count(*)::int from hookyard.attempt a join hookyard.endpoint e on e.id = a.endpoint_id where e.app_id = $1) as attempts`,
    [appId],
  );
  return rows[0]!;
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? NaN;

export async function deliveryBench(ctx: BenchContext): Promise<void> {
  const { quick } = ctx;
  const run: RunSize = { messages: quick ? 500 : 5_000, endpoints: 10, light: quick ? 50 : 200 };
  const PENDING = quick ? 50_000 : 1_000_000;
  const receiver = await benchReceiver();
  try {
    console.log(`\n## deliver: ${run.messages} messages x ${run.endpoints} endpoints, worker concurrency ${CONCURRENCY}, loopback receiver`);
    for (const target of await benchTargets(ctx)) {
      const { kind, hookyard, shared } = target;
      try {
        const inProcess = startWorker(hookyard, WORKER);
        try {
          await throughput(`${kind}`, hookyard, receiver, run, quick, undefined, () => inProcess.stats());
        } finally {
          await inProcess.stop(5_000);
        }
        // Deployed on PostgreSQL, workers are processes of their own (`serve --role worker`), so the
        // worker's thread is not shared with the publisher: measure that shape too.
        if (shared) {
          const child = await workerProcess(shared);
          try {
            await throughput(`${kind}, worker process`, hookyard, receiver, run, quick, child.cpuMicros);
          } finally {
            await child.stop();
          }
          await pendingMemory(hookyard, receiver.url, PENDING);
        }
      } finally {
        await hookyard.close();
        await target.drop();
      }
    }
  } finally {
    await receiver.close();
  }
}

interface RunSize {
  messages: number;
  endpoints: number;
  light: number;
}

/**
 * One measured run against a running worker: throughput with the ceiling taken
 * right before and right after it, then light-load latency.
 */
async function throughput(
  label: string,
  hookyard: Hookyard,
  receiver: BenchReceiver,
  { messages, endpoints, light }: RunSize,
  quick: boolean,
  workerCpu?: () => number,
  workerStats?: () => WorkerStats,
): Promise<void> {
  await ceiling(receiver.url, quick ? 2_000 : 10_000); // warm-up
  const { result: ceilBefore, split: ceilingCpu } = await cpuSplit(receiver, () => ceiling(receiver.url, quick ? 5_000 : 50_000));
  const sendRate = await sendLoop(receiver.url, quick ? 5_000 : 50_000);

  // Throughput: publish in batches of 100 while the worker runs; done when all are succeeded and recorded.
  const app = await hookyard.applications.create({ name: 'bench' });
  for (let i = 0; i < endpoints; i++) await hookyard.endpoints.create(app.id, { url: `${receiver.url}/e${i}` });
  const total = messages * endpoints;
  const receivedBefore = (await receiver.stats()).count;
  const statsBefore = workerStats?.();
  const depths: { inFlight: number; ready: number }[] = [];
  const sampler = workerStats ? setInterval(() => depths.push(workerStats()), 10) : undefined;
  const { result: { result: ms, peakMb }, split } = await cpuSplit(receiver, () => withPeakRss(async () => {
    const t = performance.now();
    for (let i = 0; i < messages; i += 100) {
      await hookyard.messages.publishBatch(app.id, Array.from({ length: Math.min(100, messages - i) }, () => ({ eventType: 'invoice.paid', payload: PAYLOAD })));
    }
    // Wait at the receiver first: polling the database would compete with the worker (PGlite is one connection).
    await waitUntil(async () => (await receiver.stats()).count - receivedBefore >= total, 300_000, 10);
    await waitUntil(async () => {
      const c = await deliveredCount(hookyard, app.id);
      return c.succeeded >= total && c.attempts >= total;
    }, 300_000, 50);
    return performance.now() - t;
  }), workerCpu);
  clearInterval(sampler);
  // The ceiling is taken right before and right after the run and averaged: the machine's speed
  // drifts from minute to minute, and a ratio means something only against the same conditions.
  const ceilAfter = await ceiling(receiver.url, quick ? 5_000 : 50_000);
  const ceil = (ceilBefore + ceilAfter) / 2;
  console.log(`  ceiling  undici POST loop       ${rate(ceil, 1000).padStart(10)} requests (before ${rate(ceilBefore, 1000)}, after ${rate(ceilAfter, 1000)})`);
  console.log(`           ${ceilingCpu} (before)`);
  console.log(`  send()   the worker's HTTP layer  ${rate(sendRate, 1000).padStart(10)} requests  ${(sendRate / ceil).toFixed(2)}x the ceiling (same loop, no storage, signing or bookkeeping)`);
  const perSecond = (total / ms) * 1000;
  console.log(`  ${label.padEnd(8)} end to end  ${rate(total, ms).padStart(10)} deliveries  ${(perSecond / ceil).toFixed(2)} of ceiling  peak RSS ${peakMb} MB (this process)`);
  console.log(`           ${split}`);
  // How long each POST took as the worker recorded it: the receiver answers at once, so anything
  // beyond the ceiling's round trip is time spent queued behind the worker's own work.
  const { rows: durations } = await hookyard.storage.query<{ p: number[] }>(
    `select percentile_cont(array[0.5, 0.9, 0.99]) within group (order by a.duration_ms) as p
       from hookyard.attempt a join hookyard.endpoint e on e.id = a.endpoint_id where e.app_id = $1`,
    [app.id],
  );
  console.log(`           attempt durations as recorded: p50/p90/p99 ${durations[0]!.p.map((v) => Math.round(v)).join('/')} ms`);
  if (workerStats && statsBefore) {
    const after = workerStats();
    const claims = after.claims - statsBefore.claims;
    const writes = after.writes - statsBefore.writes;
    const median = (values: number[]) => pct(values, 50);
    console.log(
      `           worker: ${claims} claims of ${((after.claimedRows - statsBefore.claimedRows) / claims).toFixed(0)} rows in ${((after.claimMs - statsBefore.claimMs) / claims).toFixed(1)} ms, ` +
        `${writes} write-backs of ${((after.writtenRows - statsBefore.writtenRows) / writes).toFixed(0)} rows in ${((after.writeMs - statsBefore.writeMs) / writes).toFixed(1)} ms; ` +
        `median in flight ${median(depths.map((d) => d.inFlight))}, ready ${median(depths.map((d) => d.ready))}`,
    );
  }

  // Latency at light load.
  const lightApp = await hookyard.applications.create({ name: 'light' });
  await hookyard.endpoints.create(lightApp.id, { url: `${receiver.url}/latency` });
  await receiver.resetLatencies();
  for (let i = 0; i < light; i++) {
    await hookyard.messages.publish(lightApp.id, { eventType: 'ping', payload: { sentAt: Date.now() } });
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitUntil(async () => (await receiver.stats()).latencies.length >= light, 30_000, 20);
  const { latencies } = await receiver.stats();
  console.log(`  ${label.padEnd(8)} latency, 1 msg/20 ms   p50 ${pct(latencies, 50)} ms  p99 ${pct(latencies, 99)} ms  (publish call to receipt, n=${light})`);
}

/**
 * The shipped worker, `hookyard serve --role worker`, as a child process on
 * the same database, configured like the in-process one through its
 * environment. Its CPU time is read from /proc (Linux), for the CPU split.
 */
async function workerProcess({ databaseUrl, secretKey }: { databaseUrl: string; secretKey: Buffer }): Promise<{ cpuMicros?: () => number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../cli/main.js', import.meta.url)), 'serve', '--role', 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOOKYARD_SECRET_KEY: secretKey.toString('base64'),
      HOOKYARD_ALLOW_CIDRS: WORKER.allowCidrs as string,
      HOOKYARD_WORKER_CONCURRENCY: String(WORKER.concurrency),
      HOOKYARD_ENDPOINT_CONCURRENCY: String(WORKER.endpointConcurrency),
      HOOKYARD_WORKER_BATCH_SIZE: String(WORKER.batchSize),
      HOOKYARD_POLL_INTERVAL_MS: String(WORKER.pollIntervalMs),
      HOOKYARD_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('delivery worker started')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining its log
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code}: ${seen.slice(-500)}`)));
  });
  const ticks = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux
  const stat = `/proc/${child.pid}/stat`;
  const cpuMicros = existsSync(stat)
    ? () => {
        // Fields 14 and 15 (utime, stime) follow the ")" that ends the command name.
        const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
        return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1_000_000;
      }
    : undefined;
  return {
    ...(cpuMicros ? { cpuMicros } : {}),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Memory with a deep queue: PENDING due deliveries are inserted by SQL, then a
 * worker runs for 5 s; its RSS should not grow with the queue, since it only
 * ever holds a claimed batch.
 */
async function pendingMemory(hookyard: Hookyard, url: string, pending: number): Promise<void> {
  const app = await hookyard.applications.create({ name: 'deep' });
  for (let i = 0; i < 10; i++) await hookyard.endpoints.create(app.id, { url: `${url}/deep${i}` });
  const t = performance.now();
  await hookyard.storage.query(
    `insert into hookyard.message (id, app_id, event_type, payload)
     select 'msg_deep' || lpad(g::text, 23, '0'), $1, 'invoice.paid', $2 from generate_series(1, $3::int) g`,
    [app.id, JSON.stringify(PAYLOAD), pending / 10],
  );
  await hookyard.storage.query(
    `insert into hookyard.delivery (message_id, endpoint_id)
     select m.id, e.id from hookyard.message m cross join hookyard.endpoint e where m.app_id = $1 and e.app_id = $1`,
    [app.id],
  );
  await hookyard.storage.query('analyze hookyard.delivery');
  const queuedS = ((performance.now() - t) / 1000).toFixed(1);
  const before = Math.round(process.memoryUsage().rss / 1048576);
  const worker = startWorker(hookyard, WORKER);
  const samples: number[] = [];
  const { result: delivered } = await withPeakRss(async () => {
    for (let s = 0; s < 10; s++) {
      await new Promise((r) => setTimeout(r, 500));
      samples.push(Math.round(process.memoryUsage().rss / 1048576));
      if (process.env.HOOKYARD_BENCH_DEBUG) console.log('  debug', JSON.stringify((await hookyard.storage.query('select state, count(*)::int from hookyard.delivery group by 1')).rows));
    }
    return (await deliveredCount(hookyard, app.id)).succeeded;
  });
  await worker.stop(5_000);
  console.log(`  postgres ${pending.toLocaleString('en-US')} pending (queued in ${queuedS} s): RSS ${before} MB before the worker, then ${samples.join(' ')} MB each 0.5 s; ${delivered.toLocaleString('en-US')} delivered in 5 s`);
}
