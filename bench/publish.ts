import type { BenchContext } from './main.js';
import { benchTargets, rate } from './databases.js';

/**
 * Publish throughput: messages and deliveries created per second, single
 * publish (one transaction per message, sequential and with 8 in flight) and
 * batch publish (100 messages per call), each message fanning out to
 * ENDPOINTS endpoints. Nothing is delivered: this measures the write path only.
 */
export async function publishBench(ctx: BenchContext): Promise<void> {
  const { quick } = ctx;
  const ENDPOINTS = 10;
  const SINGLE = quick ? 300 : 3000;
  const BATCHES = quick ? 10 : 100;
  const BATCH_SIZE = 100;
  const WIDE = 10_000;
  console.log(`\n## publish: ${ENDPOINTS} endpoints per app; single x${SINGLE}, batch ${BATCHES}x${BATCH_SIZE}`);
  for (const { kind, hookyard, drop } of await benchTargets(ctx)) {
    try {
      const app = await hookyard.applications.create({ name: 'bench' });
      for (let i = 0; i < ENDPOINTS; i++) await hookyard.endpoints.create(app.id, { url: `http://127.0.0.1:9/${i}` });
      const payload = { type: 'invoice.paid', id: 'inv_123', amount: 4200, currency: 'eur', customer: { id: 'cus_1', email: 'a@example.com' } };

      let t = performance.now();
      for (let i = 0; i < SINGLE; i++) await hookyard.messages.publish(app.id, { eventType: 'invoice.paid', payload });
      let ms = performance.now() - t;
      console.log(`  ${kind.padEnd(8)} single, sequential   ${rate(SINGLE, ms).padStart(10)} messages  ${rate(SINGLE * ENDPOINTS, ms).padStart(10)} deliveries`);

      t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < SINGLE) await hookyard.messages.publish(app.id, { eventType: 'invoice.paid', payload });
        }),
      );
      ms = performance.now() - t;
      console.log(`  ${kind.padEnd(8)} single, 8 in flight  ${rate(SINGLE, ms).padStart(10)} messages  ${rate(SINGLE * ENDPOINTS, ms).padStart(10)} deliveries`);

      const batch = Array.from({ length: BATCH_SIZE }, () => ({ eventType: 'invoice.paid', payload }));
      t = performance.now();
      for (let i = 0; i < BATCHES; i++) await hookyard.messages.publishBatch(app.id, batch);
      ms = performance.now() - t;
      const total = BATCHES * BATCH_SIZE;
      console.log(`  ${kind.padEnd(8)} batch of ${BATCH_SIZE}         ${rate(total, ms).padStart(10)} messages  ${rate(total * ENDPOINTS, ms).padStart(10)} deliveries`);

      // Wide fan-out: one message to WIDE endpoints is one insert…select.
      const wide = await hookyard.applications.create({ name: 'wide' });
      await hookyard.storage.query(
        `insert into hookyard.endpoint (id, app_id, url) select 'ep_bench_' || g, $1, 'http://127.0.0.1:9/' || g from generate_series(1, $2::int) g`,
        [wide.id, WIDE],
      );
      t = performance.now();
      const { deliveries } = await hookyard.messages.publish(wide.id, { eventType: 'invoice.paid', payload });
      ms = performance.now() - t;
      console.log(`  ${kind.padEnd(8)} one message to ${WIDE} endpoints: ${deliveries} deliveries in ${ms.toFixed(0)} ms (${rate(deliveries, ms)})`);
    } finally {
      await hookyard.close();
      await drop();
    }
  }
}
