import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'svix';
import type { TestApi } from '../test/api.js';
import { browserMissing, screenshotter } from '../test/chromium.js';
import { consoleRig, type ConsoleRig } from '../test/console-rig.js';
import type { Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * The console and the app portal in a real browser (Debian's Chromium through playwright-core),
 * against a running Hookyard with a worker and a loopback receiver: sign in, create an
 * application and an endpoint, send a test and see its attempt arrive live, open it and
 * redeliver, rotate the secret, open the portal from an appPortalAccess URL, sign out.
 */
const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

describeEachStorage('console in a browser', (env) => {
  let rig: ConsoleRig | undefined;
  let t: TestApi;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  const shot = screenshotter('console');
  const stop = async () => rig?.stop();
  after(stop);

  before(async () => {
    if (skip) return;
    rig = await consoleRig(env().hookyard, { timeoutMs: 10_000 });
    ({ t, receiver, browser, page } = rig);
    // No polling fallback (web/src/live.ts): whatever appears without a reload came over the event stream.
    await page.addInitScript('window.hookyardPolling = false');
  });

  const apiGet = async <T>(path: string) => (await t.call('GET', path)).json as T;
  /** Whether the server has a route at all (a missing one is a 404 "no such route", whoever asks). */
  const serverHas = async (method: string, path: string) => {
    const controller = new AbortController();
    const res = await fetch(t.url + path, { method, signal: controller.signal });
    const body = res.status === 404 ? await res.text() : '';
    controller.abort();
    return !(res.status === 404 && body.includes('no such route'));
  };

  test('sign in with a token: a session cookie, no token in browser storage', { skip }, async () => {
    await page.goto(`${t.url}/`);
    await page.getByLabel('API token').fill(t.token);
    await shot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'hookyard_session');
    assert.ok(session, 'the session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    assert.ok(!stored.includes(t.token), 'the token is not kept in browser storage');
  });

  let appId = '';
  let endpointId = '';
  test('create an application and an endpoint', { skip }, async () => {
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByLabel('Name').fill('Acme');
    await page.getByLabel('UID (optional)').fill('acme');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('heading', { name: 'Acme' }).waitFor();
    appId = (await apiGet<{ id: string }>('/api/v1/app/acme')).id;
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('URL').fill(`${receiver.origin}/hook`);
    await page.getByLabel('Description').fill('Acme receiver');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${receiver.origin}/hook` }).waitFor();
    const list = await apiGet<{ data: { id: string; url: string; description: string }[] }>('/api/v1/app/acme/endpoint');
    assert.equal(list.data.length, 1);
    assert.equal(list.data[0]!.url, `${receiver.origin}/hook`);
    assert.equal(list.data[0]!.description, 'Acme receiver');
    endpointId = list.data[0]!.id;
  });

  test('send a test event: its attempt appears live, over the event stream, without a reload or polling', { skip }, async () => {
    await page.evaluate('window.notReloaded = true');
    // The stream is open (the page says so once the server's `ready` came) before anything is sent.
    await page.locator('.live.on').first().waitFor();
    assert.equal(await page.locator('.attempt-row').count(), 0);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await receiver.waitFor(1);
    await page.locator('.attempt-row .status-success').first().waitFor();
    assert.equal(await page.evaluate<boolean | undefined>('window.notReloaded'), true, 'the page was not reloaded');
    await shot(page, 'endpoint');
  });

  test('open the attempt\'s request and response, and redeliver: the new attempt appears live', { skip }, async () => {
    await page.locator('.attempt-row').first().getByRole('button', { name: 'Open' }).click();
    const body = await page.getByLabel('Request body').textContent();
    assert.match(body ?? '', /svix\.ping|ping/i, 'the request body is the test message');
    await page.getByLabel('Response body').waitFor();
    await shot(page, 'attempt');
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await receiver.waitFor(2);
    // The redelivery's result, live (polling is off): a second row, a success, marked manual.
    await page.locator('.attempt-row').nth(1).waitFor();
    await page.locator('.attempt-row').first().locator('.tag', { hasText: 'manual' }).waitFor();
    await page.locator('.attempt-row').first().locator('.status-success').waitFor();
    const attempts = await apiGet<{ data: { triggerType: number }[] }>(`/api/v1/app/${appId}/attempt/endpoint/${endpointId}`);
    assert.equal(attempts.data.length, 2);
    assert.equal(attempts.data[0]!.triggerType, 1, 'the newest attempt is the manual one');
  });

  test('reveal the secret (it verifies what the receiver got) and rotate it', { skip }, async () => {
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const shown = (await page.locator('#endpoint-secret').textContent())?.trim() ?? '';
    assert.match(shown, /^whsec_/);
    const received = receiver.received[0]!;
    const headers = Object.fromEntries(Object.entries(received.headers).map(([k, v]) => [k, String(v)]));
    new Webhook(shown).verify(received.body, headers); // the svix library, independently: throws if wrong
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('Secret rotated').waitFor();
    const { key } = await apiGet<{ key: string }>(`/api/v1/app/${appId}/endpoint/${endpointId}/secret`);
    assert.notEqual(key, shown, 'the secret changed');
  });

  test('messages: search by event type and open one', { skip }, async () => {
    await page.goto(`${t.url}/#/apps/${appId}/messages`);
    await page.getByLabel('Event types (comma-separated)').fill('svix.ping');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('tbody tr a').first().click();
    await page.getByRole('heading', { name: /Message svix\.ping/ }).waitFor();
    await page.locator('.attempt-row').nth(1).waitFor();
    await shot(page, 'message');
  });

  // Sources need the Ingest API (branch inbound); until a server has it, this test says so and skips.
  test('a source: signed requests (the svix library signs) and a bad one appear in the request log', { skip }, async (ctx) => {
    const probe = await t.call('GET', '/ingest/api/v1/source');
    if (probe.status === 404) return ctx.skip('this server has no Ingest API (sources) yet');
    const secret = `whsec_${Buffer.from('console test source secret 32by').toString('base64')}`;
    await page.goto(`${t.url}/#/sources`);
    await page.getByLabel('Name').fill('Partner');
    await page.getByLabel('Type').selectOption('svix');
    await page.getByLabel('Signing secret (from the provider)').fill(secret);
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.getByRole('heading', { name: 'Partner' }).waitFor();
    assert.doesNotMatch((await page.locator('#ingest-url').textContent()) ?? '', /\/in\/[A-Za-z0-9_-]{8,}/, 'the key is hidden at first');
    await page.getByRole('button', { name: 'Show key' }).click();
    const ingestUrl = ((await page.locator('#ingest-url').textContent()) ?? '').trim();
    assert.match(ingestUrl, /^https?:\/\//);
    const payload = '{"type":"partner.event","n":1}';
    const id = 'msg_console_1';
    const signedAt = new Date();
    const signature = new Webhook(secret).sign(id, signedAt, payload);
    const headers = { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(signedAt.getTime() / 1000)) };
    const good = await fetch(ingestUrl.replace(/^https?:\/\/[^/]+/, t.url), { method: 'POST', headers: { ...headers, 'svix-signature': signature }, body: payload });
    assert.ok(good.status < 300, `a signed request is accepted (${good.status})`);
    const bad = await fetch(ingestUrl.replace(/^https?:\/\/[^/]+/, t.url), { method: 'POST', headers: { ...headers, 'svix-id': 'msg_console_2', 'svix-signature': 'v1,' + Buffer.alloc(32).toString('base64') }, body: payload });
    assert.equal(bad.status, 401);
    // Rejected requests are written in batches (a flood must not cost a write each): flush first.
    // The log then grows live, with no Refresh and no polling.
    await t.api.inboundLog.flush();
    await page.locator('.request-row[data-outcome="accepted"]').first().waitFor();
    await page.locator('.request-row[data-outcome="rejected"]').first().waitFor();
    assert.match((await page.locator('.request-row[data-outcome="rejected"]').first().textContent()) ?? '', /signature_invalid/);
    // The page's own test tool signs a sample (WebCrypto) and posts it.
    await page.getByLabel('Signing secret to sign with (stays in this page)').fill(secret);
    await page.getByRole('button', { name: 'Send signed sample' }).click();
    await page.locator('#test-result').waitFor();
    assert.match((await page.locator('#test-result').textContent()) ?? '', /Answer: 2\d\d/);
    await shot(page, 'source');
  });

  test('the app portal from an appPortalAccess URL shows that application only', { skip }, async (ctx) => {
    if (!(await serverHas('POST', '/api/v1/auth/app-portal-access/acme'))) return ctx.skip('this server has no app portal access yet');
    await t.call('POST', '/api/v1/app', { name: 'Other', uid: 'other' });
    await t.call('POST', '/api/v1/app/other/endpoint', { url: `${receiver.origin}/other` });
    await page.goto(`${t.url}/#/apps/${appId}`);
    await page.getByRole('button', { name: 'App portal link' }).click();
    const url = await page.locator('#portal-url').getAttribute('href');
    assert.ok(url && url.includes('/portal/#token='), `a portal URL: ${url}`);
    // A fresh context: no console cookie, as a customer's browser.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const portal = await context.newPage();
    portal.setDefaultTimeout(10_000);
    await portal.goto(url.replace(/^https?:\/\/[^/]+/, t.url));
    await portal.getByRole('heading', { name: 'Acme' }).waitFor();
    await portal.getByText(`${receiver.origin}/hook`).waitFor();
    assert.equal(await portal.getByText(`${receiver.origin}/other`).count(), 0);
    assert.ok(!portal.url().includes('token='), 'the token leaves the address bar');
    await shot(portal, 'portal');
    const other = await portal.evaluate(async () => (await fetch('/api/v1/app/other/endpoint')).status);
    assert.ok([401, 403, 404].includes(other), `another application is refused (${other})`);
    await context.close();
  });

  test('dashboard: charts from the rollups', { skip }, async (ctx) => {
    if (!(await serverHas('GET', '/console/api/stats'))) return ctx.skip('this server keeps no statistics yet');
    await page.goto(`${t.url}/#/dashboard`);
    await page.locator('.chart canvas').first().waitFor();
    const loaded = (await page.getByText(/loaded in \d+ ms/).textContent()) ?? '';
    process.stdout.write(`# dashboard: ${loaded.trim()}\n`);
    await shot(page, 'dashboard');
  });

  test('sign out: the session ends', { skip }, async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.reload();
    await page.getByLabel('API token').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/app')).status);
    assert.equal(status, 401);
    await stop();
  });
});
