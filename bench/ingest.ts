import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { sign } from '@octokit/webhooks-methods';
import { createApi } from '../dist/api/app.js';
import { apiListen } from '../dist/api/server.js';
import { tokenCreate } from '../dist/auth/token.js';
import type { Hookyard } from '../dist/hookyard.js';
import { createLogger } from '../dist/log.js';
import type { BenchContext } from './main.js';
import { machineCpuMicros, processCpuMicros } from './cpu.js';
import { benchTargets } from './databases.js';
import { call, postLoad, waitUntil, type Post } from './load.js';
import { childCpuMicros } from './processes.js';
import { benchReceiver } from './receiver.js';

/**
 * Receiving webhooks: GitHub-signed pushes accepted per second over HTTP on loopback (each with
 * its own X-GitHub-Delivery, so none is a duplicate), against the same-run ceiling of a plain
 * node:http server that reads the body and answers 200 to the same load, in the same process
 * (so both figures include the same client's cost); then accepted → forwarded end to end, with
 * a worker in the process delivering to the bench's receiver (its own process). Limits are off
 * (rate limits 0); request logs are silent.
 *
 * Method: a long warm-up of both servers (JIT, the pool's connections, the database's caches),
 * then ROUNDS alternating pairs (ceiling, then accepted), each pair's ratio taken from two runs
 * seconds apart, so that drift in the machine's load (it is shared) moves both figures of a
 * pair alike. Reported: the median ratio and its spread (min–max), the median rates, and CPU
 * per request, which depends less on other processes' load than a rate does: this process's
 * (the client and the server, so accepted − ceiling is what Hookyard's receive path costs over
 * a bare node:http answer) and, on PostgreSQL, the database backends' (read from /proc).
 */
const IN_FLIGHT = 32;

interface Run {
  rate: number;
  /** This process's CPU per request (µs): client + server, and PGlite when embedded. */
  cpu: number;
  /** The database backends' CPU per request (µs); 0 for PGlite (in `cpu`). */
  db: number;
  /** The machine's idle share during the run. */
  idle: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** CPU of the PostgreSQL backends serving this database (their pids from pg_stat_activity), in µs. */
function databaseCpu(hookyard: Hookyard): () => Promise<number> {
  if (hookyard.storage.kind !== 'postgres') return async () => 0;
  const seen = new Map<number, () => number>();
  return async () => {
    const { rows } = await hookyard.storage.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
    for (const { pid } of rows) if (!seen.has(pid)) seen.set(pid, childCpuMicros(pid));
    let sum = 0;
    for (const cpu of seen.values()) sum += cpu(); // an exited backend reads 0: its CPU is lost, rare here (the pool keeps its connections)
    return sum;
  };
}

export async function ingestBench(ctx: BenchContext): Promise<void> {
  const COUNT = ctx.quick ? 500 : 3_000;
  const ROUNDS = ctx.quick ? 2 : 5;
  const WARM = ctx.quick ? 500 : 3_000;
  const secret = 'bench-github-secret';
  const body = JSON.stringify({
    ref: 'refs/heads/main', before: '0'.repeat(40), after: 'f'.repeat(40),
    repository: { id: 1296269, full_name: 'octocat/Hello-World', private: false, owner: { login: 'octocat', id: 1 } },
    pusher: { name: 'octocat', email: 'octocat@example.com' },
    commits: Array.from({ length: 3 }, (_, i) => ({ id: String(i).repeat(40), message: `commit ${i}`, author: { name: 'Mona', email: 'mona@example.com' }, added: ['README.md'], removed: [], modified: [] })),
  });
  const signature = await sign(secret, body);
  let sent = 0;
  const headersFor = () => ({ 'x-github-event': 'push', 'x-github-delivery': `bench-${Date.now()}-${sent++}`, 'x-hub-signature-256': signature, 'user-agent': 'GitHub-Hookshot/bench' });
  console.log(`\n## ingest: GitHub-signed pushes of ${body.length} bytes, ${IN_FLIGHT} in flight, HTTP on 127.0.0.1; warm-up ${WARM} each, then ${ROUNDS} rounds of ${COUNT} (ceiling, accepted) (a shared machine: see the load averages)`);

  const receiver = await benchReceiver();
  try {
    for (const { kind, hookyard, drop } of await benchTargets(ctx)) {
      const api = createApi(hookyard, { log: createLogger('silent'), rateLimit: 0, inbound: { limits: { perKeyPerMinute: 0, perIpPerMinute: 0, globalPerMinute: 0 } } });
      const server = await apiListen(api, { host: '127.0.0.1', port: 0 });
      const plain = await plainServer();
      const dbCpu = databaseCpu(hookyard);
      const k = kind.padEnd(8);
      try {
        const { token } = await tokenCreate(hookyard.storage, 'bench', 'admin');
        const source = await call<{ id: string; ingestUrl: string }>('POST', `${server.url}/ingest/api/v1/source`, token, { name: 'bench', type: 'github', config: { secret } });
        await call('POST', `${server.url}/ingest/api/v1/source/${source.id}/endpoint`, token, { url: `${receiver.url}/ingest-${kind}` });
        const to = (url: string) => (): Post => ({ url, body, headers: headersFor() });
        const run = async (url: string, n: number): Promise<Run> => {
          const [c0, d0, m0] = [processCpuMicros(), await dbCpu(), machineCpuMicros()];
          const { rate } = await postLoad(n, IN_FLIGHT, to(url), 200);
          const [c1, d1, m1] = [processCpuMicros(), await dbCpu(), machineCpuMicros()];
          const idle = m1.idle - m0.idle;
          return { rate, cpu: (c1 - c0) / n, db: (d1 - d0) / n, idle: idle / (idle + m1.busy - m0.busy) };
        };

        const loadBefore = load();
        await run(plain.url, WARM);
        await run(source.ingestUrl, WARM);
        const ceilings: Run[] = [];
        const accepted: Run[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          ceilings.push(await run(plain.url, COUNT));
          accepted.push(await run(source.ingestUrl, COUNT));
        }
        const ratios = accepted.map((a, i) => a.rate / ceilings[i]!.rate);
        const spread = (xs: number[], f = fmt) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
        const m = (runs: Run[], f: keyof Run) => median(runs.map((x) => x[f]));
        const ceil = m(ceilings, 'rate');
        const idle = Math.round(median([...ceilings, ...accepted].map((x) => x.idle)) * 100);
        console.log(`  ${k} ceiling (node:http, 200)   ${`${fmt(ceil)}/s`.padStart(9)}  median of ${ROUNDS} (${spread(ceilings.map((x) => x.rate))}); CPU per request: this process ${fmt(m(ceilings, 'cpu'))} µs`);
        console.log(`  ${k} accepted (recorded, 200)   ${`${fmt(m(accepted, 'rate'))}/s`.padStart(9)}  median of ${ROUNDS} (${spread(accepted.map((x) => x.rate))}); ratio ${median(ratios).toFixed(2)} of the ceiling (per round ${spread(ratios, (x) => x.toFixed(2))})`);
        console.log(`  ${' '.repeat(8)} CPU per accepted request: this process ${fmt(m(accepted, 'cpu'))} µs (${fmt(m(accepted, 'cpu') - m(ceilings, 'cpu'))} µs more than the ceiling's)${kind === 'postgres' ? `, PostgreSQL backends ${fmt(m(accepted, 'db'))} µs` : ' (PGlite included)'}; machine idle ${idle}%; load ${loadBefore} → ${load()}`);

        // End to end: the backlog of the runs above drains first, then a fresh run is timed from the first POST to the last arrival.
        const worker = hookyard.startWorker({ allowCidrs: '127.0.0.0/8', concurrency: 64, endpointConcurrency: 64 });
        try {
          const backlog = WARM + ROUNDS * COUNT;
          await waitUntil(async () => (await receiver.countOf(`ingest-${kind}`)) >= backlog, 300_000, 50);
          const t = performance.now();
          const withWorker = await run(source.ingestUrl, COUNT);
          const [c0, d0] = [processCpuMicros(), await dbCpu()];
          await waitUntil(async () => (await receiver.countOf(`ingest-${kind}`)) >= backlog + COUNT, 120_000, 20);
          const ms = performance.now() - t;
          const [c1, d1] = [processCpuMicros(), await dbCpu()];
          const e2e = (COUNT / ms) * 1000;
          const cpuAll = withWorker.cpu + (c1 - c0) / COUNT;
          const dbAll = withWorker.db + (d1 - d0) / COUNT;
          console.log(`  ${k} accepted with a worker     ${`${fmt(withWorker.rate)}/s`.padStart(9)}  ratio ${(withWorker.rate / ceil).toFixed(2)}`);
          console.log(`  ${k} accepted → forwarded       ${`${fmt(e2e)}/s`.padStart(9)}  ratio ${(e2e / ceil).toFixed(2)} (first POST to last arrival)`);
          console.log(`  ${' '.repeat(8)} CPU per forwarded request: this process ${fmt(cpuAll)} µs${kind === 'postgres' ? `, PostgreSQL backends ${fmt(dbAll)} µs` : ' (PGlite included)'}; load ${load()}`);
        } finally {
          await worker.stop(2_000);
        }
      } finally {
        await plain.close();
        await server.close(1_000);
        api.inboundLog.stop();
        await hookyard.close();
        await drop();
      }
    }
  } finally {
    await receiver.close();
  }
}

/** The ceiling: node:http reading the body and answering 200, nothing else. */
async function plainServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"accepted"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
