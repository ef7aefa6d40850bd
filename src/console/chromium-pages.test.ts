import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import type { TestApi } from '../test/api.js';
import { browserMissing, screenshotter } from '../test/chromium.js';
import { consoleRig, type ConsoleRig } from '../test/console-rig.js';
import { TEST_ALLOW_CIDRS } from '../test/storages.js';
import type { Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { rollups } from './rollups.js';

/**
 * The endpoint-health and operational-webhook pages in a real browser (Debian's Chromium through
 * playwright-core), against a running Hookyard with a worker and a loopback receiver: an
 * operational webhook endpoint is created, listed and its secret revealed; an endpoint that fails
 * is disabled by Hookyard, the dashboard warns about it, its page shows its health and re-enables
 * it, and the operational endpoint receives `endpoint.disabled`, verified with standardwebhooks.
 * Then the dashboard with a full day of rollups. Screenshots go to test-output/console-pages/.
 */
const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

interface OperationalEvent {
  type: string;
  data: { endpointId: string; appId: string; trigger?: string };
}

describeEachStorage('console pages in a browser: endpoint health, operational webhooks, the dashboard', (env) => {
  let rig: ConsoleRig | undefined;
  let t: TestApi;
  let receiver: Receiver;
  let page: Page;
  const shot = screenshotter('console-pages');
  const stop = async () => rig?.stop();
  after(stop);

  before(async () => {
    if (skip) return;
    rig = await consoleRig(env().hookyard, {
      reply: (req) => ({ status: req.path.startsWith('/failing') ? 500 : 200 }),
      // No retries: a failed attempt fails its delivery for good, so a threshold of 1 disables at once.
      worker: { allowCidrs: TEST_ALLOW_CIDRS, retrySchedule: [] },
      signIn: true,
    });
    ({ t, receiver, page } = rig);
  });

  const apiGet = async <T>(path: string) => (await t.call('GET', path)).json as T;

  let opsSecret = '';
  test('an operational webhook endpoint: created, listed, its secret revealed', { skip }, async () => {
    await page.getByRole('link', { name: 'Operational webhooks' }).click();
    await page.getByRole('heading', { name: 'Operational webhooks' }).waitFor();
    await page.getByLabel('URL').fill(`${receiver.origin}/ops`);
    await page.getByLabel('Event types (comma-separated, empty: all)').fill('endpoint.disabled');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const row = page.getByRole('row').filter({ hasText: `${receiver.origin}/ops` });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /endpoint\.disabled/, 'listed with its event types');
    const listed = await apiGet<{ data: { id: string; url: string; filterTypes: string[] | null }[] }>('/api/v1/operational-webhook/endpoint');
    assert.deepEqual(
      listed.data.map((e) => [e.url, e.filterTypes]),
      [[`${receiver.origin}/ops`, ['endpoint.disabled']]],
    );
    await row.getByRole('button', { name: 'Reveal secret' }).click();
    opsSecret = ((await row.locator('code.secret').textContent()) ?? '').trim();
    const secret = await apiGet<{ key: string }>(`/api/v1/operational-webhook/endpoint/${listed.data[0]!.id}/secret`);
    assert.equal(opsSecret, secret.key, 'the page shows the endpoint\'s secret');
    assert.match(opsSecret, /^whsec_/);
    await shot(page, 'operational-webhooks');
    await row.getByRole('button', { name: 'Hide secret' }).click();
    assert.equal(await row.locator('code.secret').count(), 0, 'hidden again');
  });

  let appId = '';
  let endpointId = '';
  test('an endpoint disabled after failing: the operational endpoint receives endpoint.disabled, signed', { skip }, async () => {
    const app = await env().hookyard.applications.create({ name: 'Failing Co' });
    appId = app.id;
    const created = await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.origin}/failing`, failureThreshold: 1 });
    assert.equal(created.status, 201);
    endpointId = (created.json as { id: string }).id;
    assert.equal((await t.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.paid', payload: { n: 1 } })).status, 202);
    const [delivered] = await receiver.waitFor(1, (r) => r.path === '/ops', 20_000);
    const event = new Webhook(opsSecret).verify(delivered!.body, delivered!.headers as Record<string, string>) as OperationalEvent;
    assert.equal(event.type, 'endpoint.disabled');
    assert.deepEqual([event.data.endpointId, event.data.appId, event.data.trigger], [endpointId, appId, 'automatic']);
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(delivered!.body, delivered!.headers as Record<string, string>), 'another secret does not verify it');
  });

  test('the dashboard warns about it; its page shows its health and re-enables it', { skip }, async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const banner = page.locator('.banner.warning', { hasText: 'disabled by Hookyard' });
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /1 endpoint was disabled by Hookyard after failing/);
    await shot(page, 'dashboard-disabled-endpoint');
    const link = banner.getByRole('link').first();
    assert.match((await link.textContent()) ?? '', new RegExp(`${endpointId}|/failing`), 'the banner names the endpoint');
    await link.click();
    await page.getByRole('heading', { name: `${receiver.origin}/failing` }).waitFor();
    const disabled = page.getByRole('alert').filter({ hasText: 'This endpoint is disabled by Hookyard' });
    await disabled.waitFor();
    const ep = await apiGet<{ disabledReason: string; lastFailureAt: string; consecutiveFailures: number }>(`/api/v1/app/${appId}/endpoint/${endpointId}`);
    assert.match((await disabled.textContent()) ?? '', new RegExp(ep.disabledReason.replace(/[()]/g, '\\$&')), 'the banner gives the reason');
    const health = page.locator('.card', { has: page.getByRole('heading', { name: 'Health' }) });
    await health.getByLabel('Deliveries by status').waitFor();
    assert.match((await health.getByLabel('Deliveries by status').textContent()) ?? '', /1\s*failed for good/);
    const fact = async (label: string) => ((await health.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '').trim();
    assert.equal(await fact('Deliveries failed for good in a row'), String(ep.consecutiveFailures));
    assert.equal(ep.consecutiveFailures, 1);
    assert.notEqual(await fact('Last failed attempt'), '', 'the last failure is shown');
    assert.notEqual(await fact('Last failed attempt'), '—');
    assert.notEqual(await fact('Disabled at'), '—');
    await shot(page, 'endpoint-health');

    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByText('Endpoint enabled.').waitFor();
    await disabled.waitFor({ state: 'detached' });
    const after = await apiGet<{ disabled: boolean; disabledReason: string | null; consecutiveFailures: number }>(`/api/v1/app/${appId}/endpoint/${endpointId}`);
    assert.deepEqual([after.disabled, after.disabledReason, after.consecutiveFailures], [false, null, 0], 'enabled, its counters reset');
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    await shot(page, 'endpoint-enabled');
  });

  test('the dashboard with a full day of rollups: every chart draws, the figures add up, and it loads promptly', { skip, timeout: 120_000 }, async () => {
    // 100,000 attempts spread over the last 23.5 hours (the page's 24 hours start a little later than this test's),
    // written as the processes would.
    const end = Date.now();
    const span = 23.5 * 3_600_000;
    let clock = end - span;
    const r = rollups(env().storage, { flushMs: 3_600_000, maxKeys: 1_000_000, now: () => clock });
    const attempts = 100_000;
    for (let i = 0; i < attempts; i++) {
      clock = end - span + Math.floor((i / attempts) * span);
      r.add('delivery.attempt', i % 20 === 0 ? 'retrying' : 'succeeded');
      r.latency(20 + ((i * 7) % 400));
      if (i % 2 === 0) r.add('message.published');
    }
    await r.stop();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText(/loaded in \d+ ms/).waitFor();
    const charts = page.locator('figure.chart');
    assert.ok((await charts.count()) >= 3, 'messages, deliveries and latency at least');
    for (let i = 0; i < (await charts.count()); i++) assert.equal(await charts.nth(i).locator('canvas').count(), 1, 'each chart draws on a canvas');
    const deliveries = charts.filter({ has: page.getByRole('heading', { name: 'Deliveries by outcome' }) });
    await deliveries.locator('summary').click();
    const figures = (await deliveries.getByRole('table', { name: 'Deliveries by outcome' }).textContent()) ?? '';
    // And the earlier tests' attempts: the failed one, and the operational webhook's delivery.
    assert.match(figures, /Succeeded\s*95001/, figures);
    assert.match(figures, /Failed for good\s*1$/, figures);
    assert.match(figures, /Failed, retrying\s*5000/, figures);
    const loaded = Number(/loaded in (\d+) ms/.exec((await page.getByText(/loaded in \d+ ms/).textContent()) ?? '')![1]);
    assert.ok(loaded < 10_000, `the dashboard took ${loaded} ms`);
    await shot(page, 'dashboard-full-day');
    await stop();
  });
});
