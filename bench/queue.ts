import type { Completion } from '../dist/delivery/model.js';
import { deliveryClaimDue, deliveryComplete } from '../dist/delivery/sql.js';
import { newId } from '../dist/ids/id.js';
import type { BenchContext } from './main.js';
import { machineCpuMicros, processCpuMicros } from './cpu.js';
import { benchTargets, rate } from './databases.js';

/**
 * The queue's database cost alone, without HTTP: N due deliveries are claimed
 * in batches and written back as succeeded (an attempt row each), one batch
 * after another. It prints deliveries per second, the time per row of each
 * statement, and the machine's CPU per delivery split into this process and
 * the rest (the database server). The worker's claim and write-back are
 * exactly these two statements.
 */
export async function queueBench(ctx: BenchContext): Promise<void> {
  const DELIVERIES = ctx.quick ? 5_000 : 50_000;
  const BATCH = 200;
  const payload = { type: 'invoice.paid', id: 'inv_123', amount: 4200 };
  console.log(`\n## queue: ${DELIVERIES} deliveries claimed and written back in batches of ${BATCH}, no HTTP`);
  for (const { kind, hookyard, drop } of await benchTargets(ctx)) {
    try {
      const app = await hookyard.applications.create({ name: 'queue' });
      for (let i = 0; i < 10; i++) await hookyard.endpoints.create(app.id, { url: `http://127.0.0.1:9/e${i}` });
      for (let i = 0; i < DELIVERIES / 10; i += 100) {
        await hookyard.messages.publishBatch(app.id, Array.from({ length: 100 }, () => ({ eventType: 'invoice.paid', payload })));
      }
      await hookyard.storage.query('analyze hookyard.delivery');
      const [b0, o0, t0] = [machineCpuMicros().busy, processCpuMicros(), performance.now()];
      let claimMs = 0;
      let writeMs = 0;
      let done = 0;
      for (;;) {
        let t = performance.now();
        const { claimed } = await deliveryClaimDue(hookyard.storage, { limit: BATCH, leaseMs: 60_000, endpointCap: BATCH, endpointRoom: new Map() });
        claimMs += performance.now() - t;
        if (claimed.length === 0) break;
        const now = new Date();
        const completions: Completion[] = claimed.map((c) => ({
          deliveryId: c.id,
          claimedCount: c.attemptCount,
          attemptCount: c.attemptCount,
          state: 'succeeded',
          delayMs: null,
          attempt: {
            id: newId('atmpt'),
            deliveryId: c.id,
            messageId: c.messageId,
            endpointId: c.endpointId,
            attemptNumber: c.attemptCount,
            trigger: c.trigger,
            url: c.url,
            requestHeaders: { 'content-type': 'application/json', 'webhook-id': c.messageId, 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' },
            responseStatus: 200,
            responseHeaders: { 'content-length': '0', date: now.toUTCString() },
            responseBody: '',
            responseTruncated: false,
            errorCode: null,
            errorMessage: null,
            succeeded: true,
            durationMs: 1,
            createdAt: now,
          },
        }));
        t = performance.now();
        await deliveryComplete(hookyard.storage, completions);
        writeMs += performance.now() - t;
        done += claimed.length;
      }
      const [b1, o1, ms] = [machineCpuMicros().busy, processCpuMicros(), performance.now() - t0];
      const per = (micros: number) => `${Math.round(micros / done)} µs`;
      console.log(
        `  ${kind.padEnd(8)} ${rate(done, ms).padStart(10)} deliveries  claim ${per(claimMs * 1000)}/row, write-back ${per(writeMs * 1000)}/row (wall)  ` +
          `CPU per delivery: this process ${per(o1 - o0)}, database and rest ${per(Math.max(0, b1 - b0 - (o1 - o0)))}`,
      );
    } finally {
      await hookyard.close();
      await drop();
    }
  }
}
