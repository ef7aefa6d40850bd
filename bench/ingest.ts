import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import { createApi } from '../dist/api/app.js';
import { apiListen } from '../dist/api/server.js';
import { tokenCreate } from '../dist/auth/token.js';
import { createLogger } from '../dist/log.js';
import type { BenchContext } from './main.js';
import { benchTargets, rate } from './databases.js';
import { call, postLoad, waitUntil, type Post } from './load.js';
import { benchReceiver } from './receiver.js';

/**
 * Receiving webhooks: GitHub-signed pushes accepted per second over HTTP on loopback (each with
 * its own X-GitHub-Delivery, so none is a duplicate), against the same-run ceiling of a plain
 * node:http server that reads the body and answers 200 to the same load, in the same process;
 * then accepted → forwarded end to end, with a worker in the process delivering to the bench's
 * receiver (its own process). Limits are off (rate limits 0); request logs are silent.
 */
export async function ingestBench(ctx: BenchContext): Promise<void> {
  const COUNT = ctx.quick ? 500 : 3_000;
  const IN_FLIGHT = 32;
  const secret = 'bench-github-secret';
  const body = JSON.stringify({
    ref: 'refs/heads/main', before: '0'.repeat(40), after: 'f'.repeat(40),
    repository: { id: 1296269, full_name: 'octocat/Hello-World', private: false, owner: { login: 'octocat', id: 1 } },
    pusher: { name: 'octocat', email: 'octocat@example.com' },
    commits: Array.from({ length: 3 }, (_, i) => ({ id: String(i).repeat(40), message: `commit ${i}`, author: { name: 'Mona', email: 'mona@example.com' }, added: ['README.md'], removed: [], modified: [] })),
  });
  const signature = await sign(secret, body);
  const headersFor = (i: number) => ({ 'x-github-event': 'push', 'x-github-delivery': `bench-${Date.now()}-${i}`, 'x-hub-signature-256': signature, 'user-agent': 'GitHub-Hookshot/bench' });
  console.log(`\n## ingest: ${COUNT} GitHub-signed pushes of ${body.length} bytes, ${IN_FLIGHT} in flight, HTTP on 127.0.0.1 (figures on a shared machine are indicative)`);

  const receiver = await benchReceiver();
  try {
    for (const { kind, hookyard, drop } of await benchTargets(ctx)) {
      const api = createApi(hookyard, { log: createLogger('silent'), rateLimit: 0, inbound: { limits: { perKeyPerMinute: 0, perIpPerMinute: 0, globalPerMinute: 0 } } });
      const server = await apiListen(api, { host: '127.0.0.1', port: 0 });
      const plain = await plainServer();
      try {
        const { token } = await tokenCreate(hookyard.storage, 'bench', 'admin');
        const source = await call<{ id: string; ingestUrl: string }>('POST', `${server.url}/ingest/api/v1/source`, token, { name: 'bench', type: 'github', config: { secret } });
        await call('POST', `${server.url}/ingest/api/v1/source/${source.id}/endpoint`, token, { url: `${receiver.url}/ingest-${kind}` });
        const to = (url: string) => (i: number): Post => ({ url, body, headers: headersFor(i) });

        await postLoad(100, IN_FLIGHT, to(plain.url)); // warm-up
        const ceiling = await postLoad(COUNT, IN_FLIGHT, to(plain.url), 200);
        await postLoad(100, IN_FLIGHT, to(source.ingestUrl), 200); // warm-up
        const accepted = await postLoad(COUNT, IN_FLIGHT, to(source.ingestUrl), 200);
        const ceilingAfter = await postLoad(COUNT, IN_FLIGHT, to(plain.url), 200);
        const ceil = (ceiling.rate + ceilingAfter.rate) / 2;
        console.log(`  ${kind.padEnd(8)} ceiling (node:http, 200)   ${rate(COUNT, (COUNT / ceil) * 1000).padStart(10)}  (before ${Math.round(ceiling.rate)}/s, after ${Math.round(ceilingAfter.rate)}/s)`);
        console.log(`  ${kind.padEnd(8)} accepted (recorded, 200)   ${rate(COUNT, accepted.ms).padStart(10)}  ratio ${(accepted.rate / ceil).toFixed(2)} of the ceiling`);

        // End to end: the backlog of the runs above drains first, then a fresh run is timed from the first POST to the last arrival.
        const worker = hookyard.startWorker({ allowCidrs: '127.0.0.0/8', concurrency: 64, endpointConcurrency: 64 });
        try {
          const backlog = 100 + COUNT;
          await waitUntil(async () => (await receiver.countOf(`ingest-${kind}`)) >= backlog, 120_000, 50);
          const t = performance.now();
          await postLoad(COUNT, IN_FLIGHT, to(source.ingestUrl), 200);
          const acceptedMs = performance.now() - t;
          await waitUntil(async () => (await receiver.countOf(`ingest-${kind}`)) >= backlog + COUNT, 120_000, 20);
          const ms = performance.now() - t;
          console.log(`  ${kind.padEnd(8)} accepted with a worker     ${rate(COUNT, acceptedMs).padStart(10)}  ratio ${((COUNT / acceptedMs) * 1000 / ceil).toFixed(2)}`);
          console.log(`  ${kind.padEnd(8)} accepted → forwarded       ${rate(COUNT, ms).padStart(10)}  ratio ${((COUNT / ms) * 1000 / ceil).toFixed(2)} (first POST to last arrival)`);
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
