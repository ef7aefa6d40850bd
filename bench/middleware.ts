import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { messageOutText } from '../dist/api/message.js';
import { authenticator } from '../dist/auth/authenticate.js';
import { tokenHash } from '../dist/auth/token.js';
import { rateLimiter } from '../dist/auth/rate-limit.js';
import { jsonDepth, jsonMemberText } from '../dist/json/scan.js';
import { createLogger } from '../dist/log.js';
import { JsonText, messageInSchema, type Message } from '../dist/message/model.js';
import { payloadOf } from '../dist/message/payload.js';
import { parseInput } from '../dist/validate.js';
import type { BenchContext } from './main.js';

/**
 * What each step of a publish request costs in the API process, without the network or the
 * database: each step alone in a loop, in µs per call (wall time on one thread). The steps are
 * the ones every POST /msg runs, in order. A CPU profile of the API under load
 * (`node --cpu-prof dist/cli/main.js serve`) shows the same steps in context.
 */
export async function middlewareBench(ctx: BenchContext): Promise<void> {
  const N = ctx.quick ? 20_000 : 200_000;
  const token = `hy_${randomBytes(24).toString('base64url')}`;
  const body = JSON.stringify({ eventType: 'invoice.paid', payload: { type: 'invoice.paid', id: 'inv_123', amount: 4200, currency: 'eur', customer: { id: 'cus_1', email: 'a@example.com' } } });
  const bytes = Buffer.from(body);
  // The live-token set as the authenticator reads it (hash → id), without a database.
  const auth = authenticator({ query: async () => ({ rows: [{ id: 'tok_bench', hash: tokenHash(token) }] }) } as never, { cacheMs: 3_600_000 });
  const limiter = rateLimiter({ perSecond: 1e9 });
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const log = createLogger('info', sink);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const parsed = JSON.parse(body) as { payload: Record<string, unknown> };
  const message: Message = { id: 'msg_2abc', appId: 'app_1', eventType: 'invoice.paid', eventId: null, payload: parsed.payload, payloadText: JSON.stringify(parsed.payload), channels: null, tags: null, timestamp: new Date() };

  const steps: [string, () => unknown][] = [
    ['token auth (cached lookup: SHA-256 + map)', () => auth.authenticate(`Bearer ${token}`)],
    ['rate limit (token bucket)', () => limiter.take('tok_bench')],
    ['request id + request log line (pino, info)', () => log.child({ reqId: `req_${randomBytes(8).toString('hex')}` }).info({ method: 'POST', path: '/api/v1/app/app_1/msg', status: 202, ms: 1 }, 'request')],
    ['read body: strict UTF-8, depth scan, JSON.parse', () => {
      const text = utf8.decode(bytes);
      jsonDepth(text, 256);
      return JSON.parse(text);
    }],
    ['validate: MessageIn schema + payload text, depth, size', () => {
      const input = parseInput(messageInSchema, JSON.parse(body));
      return payloadOf(new JsonText(jsonMemberText(body, 'payload')!, input.payload), ['body'], 1024 * 1024);
    }],
    ['Idempotency-Key fingerprint (SHA-256 of the body)', () => createHash('sha256').update('POST /api/v1/app/app_1/msg\n').update(bytes).digest('hex')],
    ['response: MessageOut JSON with the payload text', () => messageOutText(message)],
  ];
  console.log(`\n## middleware: each step of a publish request alone, ${N.toLocaleString('en-US')} calls each (no network, no database)`);
  for (const [name, step] of steps) {
    for (let i = 0; i < 1_000; i++) await step(); // warm-up
    const t = performance.now();
    for (let i = 0; i < N; i++) await step();
    console.log(`  ${name.padEnd(58)} ${(((performance.now() - t) * 1000) / N).toFixed(2).padStart(7)} µs`);
  }

  // Hono itself: routing and a context per request, through app.request (no socket).
  const app = new Hono();
  app.post('/api/v1/app/:app_id/msg', (c) => c.body('{}', 202));
  const t = performance.now();
  const M = Math.round(N / 10);
  for (let i = 0; i < M; i++) await app.request('/api/v1/app/app_1/msg', { method: 'POST', body });
  console.log(`  ${'Hono via app.request (a full Fetch Request: more than served)'.padEnd(58)} ${(((performance.now() - t) * 1000) / M).toFixed(2).padStart(7)} µs`);
}
