import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { WorkerOptions } from '../dist/delivery/options.js';
import type { Hookyard } from '../dist/hookyard.js';
import type { BenchContext } from './main.js';
import { benchTargets, rate } from './databases.js';
import { benchReceiver, type BenchReceiver } from './receiver.js';

/**
 * Endpoint isolation: do healthy endpoints keep flowing while others hang?
 * A backlog of N messages x 40 endpoints is published, then a worker with the
 * default settings (64 slots, 8 per endpoint) drains it: once with every
 * endpoint answering at once, once with 8 of the 40 (20 %) accepting the
 * connection and never answering. The figure is the healthy deliveries per
 * second in each run, and their ratio (target: at least 0.9). Then 1 healthy
 * endpoint beside 8 hanging ones. Traffic goes to 127.0.0.1 only.
 */
const ENDPOINTS = 40;
const HANGING = 8;
const WORKER: WorkerOptions = { allowCidrs: '127.0.0.0/8' };
const PAYLOAD = { type: 'invoice.paid', id: 'inv_123', amount: 4200, currency: 'eur' };

/** Accepts connections and never answers; a hanging receiver costs the bench nothing. */
async function hangingServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function succeededCount(hookyard: Hookyard, endpointIds: string[]): Promise<number> {
  const { rows } = await hookyard.storage.query<{ n: number }>(
    `select count(*)::int as n from hookyard.delivery where endpoint_id = any ($1::text[]) and state = 'succeeded'`,
    [endpointIds],
  );
  return rows[0]!.n;
}

interface RunResult {
  healthy: number;
  ms: number;
  hangingAttempts: number;
  slowEndpoints: number;
  slowInFlight: number;
  /** The worker's claims: how many, rows per claim, ms per claim. */
  claims: string;
}

/**
 * One drain: publish `messages` to `healthy` answering endpoints and `hanging`
 * silent ones, start a worker, time until every healthy delivery succeeded.
 */
async function drain(hookyard: Hookyard, receiver: BenchReceiver, hang: string, messages: number, healthy: number, hanging: number, timeoutMs: number): Promise<RunResult> {
  const app = await hookyard.applications.create({ name: `isolation-${healthy}-${hanging}` });
  const healthyIds: string[] = [];
  // Hanging endpoints are spread among the healthy ones (every fifth of 40), so each fan-out mixes both.
  const step = Math.max(1, Math.floor((healthy + hanging) / Math.max(1, hanging)));
  for (let i = 0; i < healthy + hanging; i++) {
    const hangs = hanging > 0 && i % step === 0 && i / step < hanging;
    const endpoint = await hookyard.endpoints.create(app.id, { url: hangs ? `${hang}/h${i}` : `${receiver.url}/e${i}` });
    if (!hangs) healthyIds.push(endpoint.id);
  }
  for (let i = 0; i < messages; i += 100) {
    await hookyard.messages.publishBatch(app.id, Array.from({ length: Math.min(100, messages - i) }, () => ({ eventType: 'invoice.paid', payload: PAYLOAD })));
  }
  await hookyard.storage.query('analyze hookyard.delivery');
  const total = messages * healthyIds.length;
  const receivedBefore = (await receiver.stats()).count;
  const worker = hookyard.startWorker(WORKER);
  const t = performance.now();
  let slowEndpoints = 0;
  let slowInFlight = 0;
  let ms = 0;
  let claims = '';
  try {
    const deadline = Date.now() + timeoutMs;
    // Wait at the receiver: polling the database would compete with the worker (PGlite is one connection).
    while ((await receiver.stats()).count - receivedBefore < total && Date.now() < deadline) {
      ({ slowEndpoints, slowInFlight } = worker.stats());
      await new Promise((r) => setTimeout(r, 20));
    }
    while ((await succeededCount(hookyard, healthyIds)) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ms = performance.now() - t;
  } finally {
    const stats = worker.stats();
    claims = `${stats.claims} claims of ${(stats.claimedRows / Math.max(1, stats.claims)).toFixed(0)} rows in ${(stats.claimMs / Math.max(1, stats.claims)).toFixed(1)} ms`;
    await worker.stop(0);
  }
  const delivered = await succeededCount(hookyard, healthyIds);
  const { rows } = await hookyard.storage.query<{ n: number }>(
    `select count(*)::int as n from hookyard.attempt a join hookyard.endpoint e on e.id = a.endpoint_id where e.app_id = $1 and not (a.endpoint_id = any ($2::text[]))`,
    [app.id, healthyIds],
  );
  return { healthy: delivered, ms, hangingAttempts: rows[0]!.n, slowEndpoints, slowInFlight, claims };
}

export async function isolationBench(ctx: BenchContext): Promise<void> {
  const messages = ctx.quick ? 250 : 2_500;
  const timeoutMs = ctx.quick ? 60_000 : 180_000;
  const receiver = await benchReceiver();
  const hang = await hangingServer();
  try {
    console.log(`\n## isolation: ${messages} messages x ${ENDPOINTS} endpoints, ${HANGING} of them hanging (never answer), worker defaults (64 slots, 8 per endpoint), loopback receiver`);
    for (const target of await benchTargets(ctx)) {
      const { kind, hookyard } = target;
      try {
        // A first drain of a process runs cold (the JIT, PGlite's most of all): warm up first.
        await drain(hookyard, receiver, hang.url, Math.ceil(messages / 10), ENDPOINTS, 0, timeoutMs);
        const none = await drain(hookyard, receiver, hang.url, messages, ENDPOINTS, 0, timeoutMs);
        const some = await drain(hookyard, receiver, hang.url, messages, ENDPOINTS - HANGING, HANGING, timeoutMs);
        const noneRate = (none.healthy / none.ms) * 1000;
        const someRate = (some.healthy / some.ms) * 1000;
        console.log(`  ${kind.padEnd(8)} none hanging      ${rate(none.healthy, none.ms).padStart(10)} deliveries (${none.healthy} in ${(none.ms / 1000).toFixed(1)} s); ${none.claims}`);
        console.log(
          `  ${kind.padEnd(8)} ${HANGING} of ${ENDPOINTS} hanging   ${rate(some.healthy, some.ms).padStart(10)} healthy deliveries (${some.healthy} of ${messages * (ENDPOINTS - HANGING)} in ${(some.ms / 1000).toFixed(1)} s)  ` +
            `${(someRate / noneRate).toFixed(2)} of the figure with none hanging (target 0.9)`,
        );
        console.log(`           ${some.claims}; hanging attempts timed out ${some.hangingAttempts}, slow endpoints ${some.slowEndpoints}, attempts on the slow pool ${some.slowInFlight}`);
        const one = await drain(hookyard, receiver, hang.url, 200, 1, 8, timeoutMs);
        console.log(`  ${kind.padEnd(8)} 1 healthy, 8 hanging: ${one.healthy} of 200 delivered in ${(one.ms / 1000).toFixed(2)} s`);
      } finally {
        await hookyard.close();
        await target.drop();
      }
    }
  } finally {
    await hang.close();
    await receiver.close();
  }
}
