import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import type { Api } from './app.js';
import { apiListen } from './server.js';

test('close() stops accepting, lets a request in flight finish, and cuts what outlives the grace time', async () => {
  const app = new Hono();
  app.get('/slow', async (c) => {
    await new Promise((r) => setTimeout(r, Number(c.req.query('ms'))));
    return c.text('done');
  });
  const server = await apiListen({ app } as unknown as Api, { host: '127.0.0.1', port: 0 });
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
  const second = await apiListen({ app } as unknown as Api, { host: '127.0.0.1', port: 0 });
  const hung = fetch(`${second.url}/slow?ms=3000`).then(() => 'answered', () => 'cut');
  await new Promise((r) => setTimeout(r, 50));
  const t = Date.now();
  await second.close(200);
  assert.ok(Date.now() - t < 2_000);
  assert.equal(await hung, 'cut');
});
