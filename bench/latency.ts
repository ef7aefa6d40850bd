import { randomBytes } from 'node:crypto';
import { tokenCreate } from '../dist/auth/token.js';
import { openHookyard } from '../dist/hookyard.js';
import { openPostgres } from '../dist/store/postgres.js';
import { scratchDatabaseCreate } from '../dist/test/scratch-database.js';
import { call, percentile, postLatencies, type Post } from './load.js';
import type { BenchContext } from './main.js';
import { serveProcess } from './processes.js';
import { benchReceiver } from './receiver.js';

/**
 * Where a publish's time goes at light load (one request at a time, 5 ms apart), on PostgreSQL.
 * Each part is timed alone in the same run, with the same client where it is HTTP:
 *   HTTP floor          POST to the bench's receiver (a bare node:http answer)
 *   API edge            POST /msg that the API refuses with 422 before the database: the
 *                       socket, Hono, token auth, the body read and validation
 *   database round trip `select 1` from this process
 *   commit              one autocommit insert: a round trip plus the WAL flush of a commit
 *   library publish     `hookyard.messages.publish` in this process: group commit and the one
 *                       publish statement (its commit included)
 *   publish over HTTP   the whole thing, against `serve --role api`
 * so that publish over HTTP ≈ API edge + library publish, and the library publish is compared
 * with the commit it cannot avoid.
 */
export async function latencyBench(ctx: BenchContext): Promise<void> {
  if (!ctx.databaseUrl || !ctx.storages.has('postgres')) return;
  const COUNT = ctx.quick ? 50 : 300;
  const scratch = await scratchDatabaseCreate(ctx.databaseUrl, 'hookyard_bench');
  const receiver = await benchReceiver();
  const storage = await openPostgres({ connectionString: scratch.url, max: 2 });
  const secretKey = randomBytes(32);
  console.log(`\n## latency: where a publish's time goes at light load, ${COUNT} one at a time, 5 ms apart (PostgreSQL)`);
  try {
    const hookyard = await openHookyard({ storage, secretKey, allowCidrs: '127.0.0.0/8' });
    const { token } = await tokenCreate(storage, 'bench');
    const app = await hookyard.applications.create({ name: 'latency' });
    await hookyard.endpoints.create(app.id, { url: `${receiver.url}/latency` });
    await storage.query('create table bench_commit (n int)');

    const parts: [string, number[]][] = [];
    const timed = async (fn: () => Promise<unknown>): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < COUNT; i++) {
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
      return times;
    };
    const payload = { type: 'invoice.paid', id: 'inv_123', amount: 4200 };
    const api = await serveProcess('api', { databaseUrl: scratch.url, secretKey });
    try {
      const msg = (body: string): Post => ({ url: `${api.url}/api/v1/app/${app.id}/msg`, body, headers: { authorization: `Bearer ${token}` } });
      await postLatencies(50, 1, () => msg(JSON.stringify({ eventType: 'invoice.paid', payload }))); // warm-up
      parts.push(['HTTP floor: POST to the receiver', await postLatencies(COUNT, 5, () => ({ url: `${receiver.url}/floor`, body: JSON.stringify(payload) }))]);
      parts.push(['API edge: POST /msg refused (422) before the database', await postLatenciesAny(COUNT, () => msg(JSON.stringify({ eventType: 'invoice.paid' })))]);
      parts.push(['database round trip: select 1', await timed(() => storage.query('select 1'))]);
      parts.push(['commit: one autocommit insert', await timed(() => storage.query('insert into bench_commit values (1)'))]);
      parts.push(['library publish (group commit + one statement)', await timed(() => hookyard.messages.publish(app.id, { eventType: 'invoice.paid', payload }))]);
      parts.push(['publish over HTTP (serve --role api)', await postLatencies(COUNT, 5, () => msg(JSON.stringify({ eventType: 'invoice.paid', payload })))]);
      await call('GET', `${api.url}/api/v1/app/${app.id}`, token);
    } finally {
      await api.stop();
    }
    for (const [name, xs] of parts) {
      console.log(`  ${name.padEnd(56)} p50 ${percentile(xs, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(xs, 99).toFixed(2).padStart(6)} ms`);
    }
    const p50 = (i: number) => percentile(parts[i]![1], 50);
    console.log(`  API edge + library publish = ${(p50(1) + p50(4)).toFixed(2)} ms against ${p50(5).toFixed(2)} ms over HTTP; the publish statement's commit alone: ${p50(3).toFixed(2)} ms`);
    await hookyard.close();
  } finally {
    await storage.close();
    await receiver.close();
    await scratch.drop();
  }
}

/** Like postLatencies, for requests that are meant to be refused: any status counts. */
async function postLatenciesAny(count: number, post: () => Post): Promise<number[]> {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: 1 });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const { url, body, headers } = post();
    const t = performance.now();
    const res = await request(url, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/json', ...headers } });
    await res.body.text();
    if (res.statusCode !== 422) throw new Error(`bench: the refused publish answered ${res.statusCode}`);
    times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  await agent.close();
  return times;
}
