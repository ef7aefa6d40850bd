import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestApi } from '../test/api.js';
import { browserMissing, screenshotter } from '../test/chromium.js';
import { consoleRig, type ConsoleRig } from '../test/console-rig.js';
import type { Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * What a new user's review of the console found, each checked in a real browser against a
 * running Hookyard with a worker and a loopback receiver: an endpoint edited and saved with no
 * change succeeds; one endpoint's notices do not show on another; an attempt shows its request
 * and response headers; a failing endpoint's health and recovery tell the truth and the dashboard
 * lists it; a source's ingest endpoint made on the source page gets what the source accepts; a
 * message's page names disabled destinations and each attempt's endpoint; nothing is wider than
 * a 390 px screen.
 */
const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

describeEachStorage('console fixes in a browser', (env) => {
  let rig: ConsoleRig | undefined;
  let t: TestApi;
  let receiver: Receiver;
  let page: Page;
  const shot = screenshotter('console-fixes');
  after(async () => rig?.stop());

  let appId = '';
  let first = '';
  let second = '';
  before(async () => {
    if (skip) return;
    rig = await consoleRig(env().hookyard, {
      reply: (r) => (r.path === '/fails' ? { status: 500, headers: { 'x-receiver': 'sad' }, body: 'no' } : { status: 200, headers: { 'x-receiver': 'glad' }, body: 'ok' }),
    });
    ({ t, receiver, page } = rig);
    appId = ((await t.call('POST', '/api/v1/app', { name: 'Fixes', uid: 'fixes' })).json as { id: string }).id;
    // Extensions set, so the edit form has "More settings" to carry (and must not resend).
    const made = await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.origin}/one`, description: 'first', fifo: true, failureThreshold: 7, headers: { 'X-Team': 'core', 'X-Api-Key': 'hush' } });
    assert.equal(made.status, 201);
    first = (made.json as { id: string }).id;
    second = ((await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.origin}/fails`, description: 'second' })).json as { id: string }).id;
    await page.goto(`${t.url}/`);
    await page.getByLabel('API token').fill(t.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  const apiGet = async <T>(path: string) => (await t.call('GET', path)).json as T;
  const alerts = async () => (await page.getByRole('alert').allTextContents()).join(' | ');

  test('edit an endpoint and save it unchanged: saved, and only a changed field is sent', { skip }, async () => {
    await page.goto(`${t.url}/#/apps/${appId}/endpoints/${first}`);
    await page.getByRole('heading', { name: `${receiver.origin}/one` }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const extras = await page.getByLabel('Extra fields').inputValue();
    assert.match(extras, /"failureThreshold": 7/, 'an editable extension is shown');
    for (const readOnly of ['tlsWarning', 'consecutiveFailures', 'failingSince', 'lastSuccessAt', 'disabledAt', 'createdAt', 'throttleRate']) {
      assert.ok(!extras.includes(readOnly), `${readOnly} (read-only) is not among the editable settings`);
    }
    const before = await apiGet<Record<string, unknown>>(`/api/v1/app/${appId}/endpoint/${first}`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await page.locator('.problem').count(), 0, `no error: ${await alerts()}`);
    const after = await apiGet<Record<string, unknown>>(`/api/v1/app/${appId}/endpoint/${first}`);
    for (const k of ['url', 'description', 'fifo', 'failureThreshold', 'signatureFormat', 'headerNames', 'metadata']) assert.deepEqual(after[k], before[k], k);

    // The signature format is a select; choosing one changes only that (header names follow the format).
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Signature format').selectOption('github');
    await page.getByLabel('Description').fill('first, edited');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const edited = await apiGet<{ signatureFormat: string; description: string; fifo: boolean; failureThreshold: number; headerNames: { signature: string } }>(`/api/v1/app/${appId}/endpoint/${first}`);
    assert.equal(edited.signatureFormat, 'github');
    assert.equal(edited.headerNames.signature, 'x-hub-signature-256', 'the format\'s own header names, not the old ones resent');
    assert.equal(edited.description, 'first, edited');
    assert.equal(edited.fifo, true);
    assert.equal(edited.failureThreshold, 7);
    await shot(page, 'endpoint-saved');
    // Back to the default, for the tests below (the receiver checks nothing, but a reader might).
    assert.equal((await t.call('PATCH', `/api/v1/app/${appId}/endpoint/${first}`, { signatureFormat: 'standard' })).status, 200);
  });

  test('one endpoint\'s notices and forms do not carry over to another endpoint', { skip }, async () => {
    await page.goto(`${t.url}/#/apps/${appId}/endpoints/${first}`);
    await page.getByRole('heading', { name: `${receiver.origin}/one` }).waitFor();
    await page.evaluate('window.notReloaded = true');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('Secret rotated').waitFor();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/Sent test message/).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Extra fields').waitFor();

    // Through the application page's link, as a user goes: the same document, another endpoint.
    await page.getByRole('link', { name: '← Application' }).click();
    await page.getByRole('link', { name: `${receiver.origin}/fails` }).click();
    await page.getByRole('heading', { name: `${receiver.origin}/fails` }).waitFor();
    assert.equal(await page.evaluate<boolean | undefined>('window.notReloaded'), true, 'the console did not reload');
    // And straight from one endpoint to the other (only the id in the address changes).
    await page.evaluate(`location.hash = '#/apps/${appId}/endpoints/${first}'`);
    await page.getByRole('heading', { name: `${receiver.origin}/one` }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('Secret rotated').waitFor();
    await page.evaluate(`location.hash = '#/apps/${appId}/endpoints/${second}'`);
    await page.getByRole('heading', { name: `${receiver.origin}/fails` }).waitFor();
    await page.locator('.attempts').waitFor();
    assert.equal(await page.getByText('Secret rotated').count(), 0, 'no "Secret rotated" from the other endpoint');
    assert.equal(await page.getByText(/Sent test message/).count(), 0, 'no "Sent test message" from the other endpoint');
    assert.equal(await page.getByLabel('Extra fields').count(), 0, 'the other endpoint\'s edit form is not open');
    await shot(page, 'other-endpoint');
  });

  test('an attempt shows its request and response headers, and its failure reason once', { skip }, async () => {
    // The failing endpoint (500, with a header of the receiver's) is open from the test before.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.locator('.attempt-row .status-fail').first().waitFor();
    await page.locator('.attempt-row').first().getByRole('button', { name: 'Open' }).click();
    const request = (await page.getByLabel('Request headers').textContent()) ?? '';
    assert.match(request, /^webhook-signature: v1,/m, 'the signature header as sent');
    assert.match(request, /^content-type: application\/json$/m);
    const response = (await page.getByLabel('Response headers').textContent()) ?? '';
    assert.match(response, /^x-receiver: sad$/m, 'the receiver\'s own header');
    const reason = (await page.locator('.attempt-details .failure').textContent()) ?? '';
    assert.match(reason.trim(), /^status: the endpoint answered 500$/, `the reason, its class not repeated: ${reason}`);
    await shot(page, 'attempt-detail');

    // The first endpoint's attempt (its test message above): a credential-like custom header is redacted.
    await page.evaluate(`location.hash = '#/apps/${appId}/endpoints/${first}'`);
    await page.locator('.attempt-row .status-success').first().waitFor();
    await page.locator('.attempt-row').first().getByRole('button', { name: 'Open' }).click();
    await page.getByLabel('Request headers').filter({ hasText: 'x-team' }).waitFor();
    const redacted = (await page.getByLabel('Request headers').textContent()) ?? '';
    assert.match(redacted, /^x-team: core$/m);
    assert.match(redacted, /^x-api-key: \[redacted\]$/m);
    assert.ok(!redacted.includes('hush'), 'the credential is not shown');
    assert.match((await page.getByLabel('Response headers').textContent()) ?? '', /^x-receiver: glad$/m);
  });

  test('a failing endpoint\'s health says its attempts fail though nothing failed for good yet; recover says why it re-sent nothing; the dashboard lists it', { skip }, async () => {
    await page.evaluate(`location.hash = '#/apps/${appId}/endpoints/${second}'`);
    await page.getByRole('heading', { name: `${receiver.origin}/fails` }).waitFor();
    const counters = (await page.getByRole('list', { name: 'Deliveries by status' }).textContent()) ?? '';
    assert.match(counters, /0\s*failed for good/);
    assert.match(counters, /[1-9]\d*\s*pending or retrying/);
    await page.locator('#failed-attempts-24h').filter({ hasText: /^[1-9]/ }).waitFor();
    assert.match((await page.getByRole('definition').filter({ has: page.locator('.status-fail') }).first().textContent()) ?? '', /HTTP 500/, 'the last attempt, failed, HTTP 500');
    assert.equal(await page.getByText('Deliveries failed for good in a row').count(), 1);
    await page.getByRole('button', { name: 'Recover failed' }).click();
    await page.getByText(/0 deliveries in that time had failed for good: nothing to re-send; [1-9]\d* (is|are) still retrying/).waitFor();
    await shot(page, 'failing-endpoint');

    await page.evaluate(`location.hash = '#/dashboard'`);
    const row = page.locator('.troubled-endpoint').filter({ hasText: `${receiver.origin}/fails` });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Fixes.*failing/, 'the application by name, and the state');
    await row.getByRole('link', { name: `${receiver.origin}/fails` }).click();
    await page.getByRole('heading', { name: `${receiver.origin}/fails` }).waitFor();
  });

  test('a source\'s ingest endpoint, made on the source page, receives what the source accepts; disable, secret, attempts, delete', { skip }, async () => {
    const made = await t.call('POST', '/ingest/api/v1/source', { name: 'Forwarder', type: 'generic-webhook' });
    assert.equal(made.status, 201);
    const source = made.json as { id: string; ingestUrl: string };
    await page.goto(`${t.url}/#/sources/${source.id}`);
    await page.getByRole('heading', { name: 'Forwarder' }).waitFor();
    await page.getByLabel('Forward to URL').fill(`${receiver.origin}/forwarded`);
    await page.getByRole('button', { name: 'Add ingest endpoint' }).click();
    await page.getByRole('status').filter({ hasText: 'Added' }).waitFor();
    const listed = (await apiGet<{ data: { id: string; url: string; disabled: boolean }[] }>(`/ingest/api/v1/source/${source.id}/endpoint`)).data;
    assert.deepEqual(listed.map((e) => e.url), [`${receiver.origin}/forwarded`]);

    const sent = await fetch(source.ingestUrl.replace(/^https?:\/\/[^/]+/, t.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"order.paid","n":1}' });
    assert.ok(sent.status < 300, `the source accepts it (${sent.status})`);
    const [forwarded] = await receiver.waitFor(1, (r) => r.path === '/forwarded');
    assert.equal(JSON.parse(forwarded!.body).n, 1, 'forwarded as received');

    // The request log's entry links the message it became, and shows the body as forwarded.
    await page.getByRole('button', { name: 'Refresh' }).last().click();
    await page.locator('.request-row[data-outcome="accepted"]').first().getByRole('button', { name: 'Open' }).click();
    const link = page.getByRole('link', { name: /^msg_/ }).last();
    assert.match((await link.getAttribute('href')) ?? '', /^#\/apps\/app_[^/]+\/messages\/msg_/);
    assert.match((await page.getByLabel('Forwarded body').textContent()) ?? '', /order\.paid/);

    // Its attempt is on the source page (opened with its secret after creation).
    const card = page.locator('.ingest-endpoint').first();
    await card.getByRole('button', { name: 'Refresh' }).click();
    await card.locator('.attempt-row .status-success').first().waitFor();
    await card.getByRole('button', { name: 'Reveal secret' }).click();
    assert.match((await card.locator('code.secret').textContent()) ?? '', /^whsec_/);
    await card.getByRole('button', { name: 'Copy secret' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).count(), 0, 'one page of endpoints, attempts and requests: no pagers');
    await shot(page, 'source-endpoints');

    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByText('disabled', { exact: true }).waitFor();
    const disabled = await apiGet<{ disabled: boolean; url: string }>(`/ingest/api/v1/source/${source.id}/endpoint/${listed[0]!.id}`);
    assert.deepEqual([disabled.disabled, disabled.url], [true, `${receiver.origin}/forwarded`]);
    page.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No ingest endpoints').waitFor();
    assert.equal((await apiGet<{ data: unknown[] }>(`/ingest/api/v1/source/${source.id}/endpoint`)).data.length, 0);
  });

  test('a message\'s page: a disabled destination says disabled, attempts name their endpoint; at 390 px nothing runs off the page', { skip }, async () => {
    const off = ((await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.origin}/off`, disabled: true })).json as { id: string }).id;
    const { id: msgId } = (await t.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.paid', payload: { n: 2 } })).json as { id: string };
    await receiver.waitFor(1, (r) => r.path === '/one' && r.body.includes('"n":2'));
    await page.goto(`${t.url}/#/apps/${appId}/messages/${msgId}`);
    const row = page.locator('tr').filter({ has: page.getByRole('link', { name: `${receiver.origin}/off` }) });
    await row.locator('.status').filter({ hasText: 'disabled' }).waitFor();
    assert.ok(off);
    await page.locator('.attempt-row').first().waitFor();
    assert.equal(await page.getByRole('columnheader', { name: 'Endpoint' }).count() >= 1, true);
    await page.locator('.attempt-row').getByRole('link', { name: `${receiver.origin}/one` }).first().waitFor();

    await page.setViewportSize({ width: 390, height: 800 });
    for (const hash of [`#/apps/${appId}/messages`, `#/apps/${appId}/messages/${msgId}`, `#/apps/${appId}/endpoints/${first}`]) {
      await page.evaluate(`location.hash = '${hash}'`);
      await page.locator('table').first().waitFor();
      await page.waitForTimeout(200);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `${hash}: the page is ${width} px wide at 390`);
    }
    await shot(page, 'narrow-message');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
