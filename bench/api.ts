import { createApi } from '../dist/api/app.js';
import { apiListen } from '../dist/api/server.js';
import { tokenCreate } from '../dist/auth/token.js';
import { createLogger } from '../dist/log.js';
import type { BenchContext } from './main.js';
import { benchTargets, rate } from './databases.js';

/**
 * API throughput: messages accepted per second over HTTP on loopback, through
 * the whole server path (auth, validation, publish, fan-out to ENDPOINTS
 * endpoints, JSON response). Single POST /msg sequentially and with IN_FLIGHT
 * concurrent requests; and POST /msg/batch with BATCH_SIZE messages each.
 * Nothing is delivered. Rate limiting is off; request logs are silent.
 */
export async function apiBench(ctx: BenchContext): Promise<void> {
  const { quick } = ctx;
  const ENDPOINTS = 1;
  const SINGLE = quick ? 300 : 2000;
  const IN_FLIGHT = 16;
  const BATCHES = quick ? 10 : 50;
  const BATCH_SIZE = 100;
  console.log(`\n## api: HTTP on 127.0.0.1, ${ENDPOINTS} endpoint; single x${SINGLE} (sequential and ${IN_FLIGHT} in flight), batch ${BATCHES}x${BATCH_SIZE}`);
  for (const { kind, hookyard, drop } of await benchTargets(ctx)) {
    const api = createApi(hookyard, { log: createLogger('silent'), rateLimit: 0 });
    const server = await apiListen(api, { host: '127.0.0.1', port: 0 });
    try {
      const { token } = await tokenCreate(hookyard.storage, 'bench');
      const app = await hookyard.applications.create({ name: 'bench' });
      for (let i = 0; i < ENDPOINTS; i++) await hookyard.endpoints.create(app.id, { url: `http://127.0.0.1:9/${i}` });
      const payload = { type: 'invoice.paid', id: 'inv_123', amount: 4200, currency: 'eur', customer: { id: 'cus_1', email: 'a@example.com' } };
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${server.url}/api/v1/app/${app.id}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`bench: POST ${path} answered ${res.status}`);
      };
      const single = { eventType: 'invoice.paid', payload };

      let t = performance.now();
      for (let i = 0; i < SINGLE; i++) await post('/msg', single);
      let ms = performance.now() - t;
      console.log(`  ${kind.padEnd(8)} POST /msg, sequential      ${rate(SINGLE, ms).padStart(10)} messages`);

      t = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next++ < SINGLE) await post('/msg', single);
      }));
      ms = performance.now() - t;
      console.log(`  ${kind.padEnd(8)} POST /msg, ${IN_FLIGHT} in flight     ${rate(SINGLE, ms).padStart(10)} messages`);

      const batch = { messages: Array.from({ length: BATCH_SIZE }, () => single) };
      t = performance.now();
      for (let i = 0; i < BATCHES; i++) await post('/msg/batch', batch);
      ms = performance.now() - t;
      console.log(`  ${kind.padEnd(8)} POST /msg/batch of ${BATCH_SIZE}     ${rate(BATCHES * BATCH_SIZE, ms).padStart(10)} messages`);
    } finally {
      await server.close(1_000);
      await hookyard.close();
      await drop();
    }
  }
}
