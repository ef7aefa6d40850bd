// The bench's peers, each run as a child process like Hookyard's own processes:
//   runner   a graphile-worker runner whose one task POSTs its job's body to its job's URL with
//            undici: one job per delivery, nothing recorded. Its batching settings are the ones
//            graphile-worker documents for high throughput (a local queue, batched completions).
//   diy      the do-it-yourself sender: a plain node:http handler that checks a message and adds
//            one graphile-worker job per request, answering 202; with `runner: 1` the runner
//            above runs in the same process (as Hookyard's --role all does).
// It reports `{ url }` over IPC once ready and stops on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Logger, makeWorkerUtils, run, type Runner, type RunnerOptions } from 'graphile-worker';
import { Agent, request } from 'undici';

// graphile-worker logs a line per job at info; Hookyard's worker logs none per success. Silence it.
const logger = new Logger(() => () => {});
const args = JSON.parse(process.argv[2] ?? '{}') as { mode: 'runner' | 'diy'; databaseUrl: string; concurrency: number; target?: string; runner?: number };

async function startRunner(): Promise<Runner> {
  const agent = new Agent({ connections: args.concurrency });
  const options: RunnerOptions = {
    connectionString: args.databaseUrl,
    concurrency: args.concurrency,
    maxPoolSize: args.concurrency + 2,
    noHandleSignals: true,
    pollInterval: 200,
    logger,
    taskList: {
      async send(payload) {
        const { url, body } = payload as { url: string; body: string };
        const res = await request(url, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/json' } });
        await res.body.dump();
        if (res.statusCode >= 300) throw new Error(`receiver answered ${res.statusCode}`);
      },
    },
    preset: {
      worker: {
        // Fetch (and lock) jobs in batches, and complete them in batches.
        localQueue: { size: args.concurrency * 4 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  };
  return run(options);
}

const stops: (() => Promise<void>)[] = [];
let url: string | undefined;

if (args.mode === 'runner' || args.runner) {
  const runner = await startRunner();
  stops.push(() => runner.stop());
}

if (args.mode === 'diy') {
  const utils = await makeWorkerUtils({ connectionString: args.databaseUrl, maxPoolSize: args.concurrency + 2, logger });
  await utils.migrate();
  stops.push(async () => utils.release());
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let message: { eventType?: unknown; payload?: unknown };
      try {
        message = JSON.parse(Buffer.concat(chunks).toString()) as typeof message;
      } catch {
        return answer(400, { detail: 'not JSON' });
      }
      if (typeof message.eventType !== 'string' || message.payload === null || typeof message.payload !== 'object') return answer(422, { detail: 'bad message' });
      const id = `msg_${randomUUID()}`;
      utils
        .addJob('send', { url: `${args.target}/${id}`, body: JSON.stringify(message.payload) })
        .then(() => answer(202, { id, eventType: message.eventType }), () => answer(500, { detail: 'could not queue' }));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stops.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
}

process.send!({ url });
process.once('SIGTERM', () => {
  void Promise.all(stops.map((s) => s())).finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
