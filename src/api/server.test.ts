import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import type { Api } from './app.js';
import { apiListen } from './server.js';

/** An Api of just an app, with a request log writer that has nothing to write (close() flushes it). */
const apiOf = (app: Hono, flush: () => Promise<void> = async () => {}) => ({ app, inboundRates: undefined, inboundLog: { stop() {}, flush } }) as unknown as Api;

test('close() stops accepting, lets a request in flight finish, and cuts what outlives the grace time', async () => {
  const app = new Hono();
  app.get('/slow', async (c) => {
    await new Promise((r) => setTimeout(r, Number(c.req.query('ms'))));
    return c.text('done');
  });
  const server = await apiListen(apiOf(app), { host: '127.0.0.1', port: 0 });
  const inFlight = fetch(`${server.url}/slow?ms=300`).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  const closing = server.close(5_000);
  await new Promise((r) => setTimeout(r, 20));
  await assert.rejects(fetch(`${server.url}/slow?ms=0`));
  assert.equal(await inFlight, 'done');
  await closing;
  assert.ok(Date.now() - started < 4_000);

  // A request longer than the grace time is cut when it runs out.
  const second = await apiListen(apiOf(app), { host: '127.0.0.1', port: 0 });
  const hung = fetch(`${second.url}/slow?ms=3000`).then(() => 'answered', () => 'cut');
  await new Promise((r) => setTimeout(r, 50));
  const t = Date.now();
  await second.close(200);
  assert.ok(Date.now() - t < 2_000);
  assert.equal(await hung, 'cut');
});

test('close() writes the request log rows still waiting, but a database that hangs holds it at most 1 s', async () => {
  let flushed = 0;
  const server = await apiListen(apiOf(new Hono(), () => (flushed++, new Promise<void>(() => {}))), { host: '127.0.0.1', port: 0 });
  const started = Date.now();
  await server.close(1_000);
  assert.equal(flushed, 1);
  assert.ok(Date.now() - started < 1_900, `${Date.now() - started} ms`);
});
