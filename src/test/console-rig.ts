import type { Browser, Page } from 'playwright-core';
import { startWorker, type Worker, type WorkerOptions } from '../delivery/worker.js';
import type { Hookyard } from '../hookyard.js';
import { testApi, type TestApi } from './api.js';
import { browserLaunch } from './chromium.js';
import { startReceiver, type Received, type Receiver, type Reply } from './receiver.js';

/** What a console browser suite runs against: the API, a worker, a loopback receiver and one Chromium page. */
export interface ConsoleRig {
  t: TestApi;
  worker: Worker;
  receiver: Receiver;
  browser: Browser;
  page: Page;
  /** Stops everything, once; later calls do nothing. */
  stop(): Promise<void>;
}

export interface ConsoleRigOptions {
  reply?: (req: Received) => Reply;
  worker?: WorkerOptions;
  /** Playwright's wait for each step (ms). */
  timeoutMs?: number;
  /** Sign in with the suite's admin token and wait for the dashboard. */
  signIn?: boolean;
}

/**
 * Starts a console suite's parts. The storage helper closes the database in its own after hook,
 * which runs before a suite's, so a suite's last test should call `stop()` itself (a worker whose
 * database is gone would wait on it); its `after` hook calls it too, for a suite that failed early.
 */
export async function consoleRig(hookyard: Hookyard, { reply, worker: workerOptions, timeoutMs = 15_000, signIn = false }: ConsoleRigOptions = {}): Promise<ConsoleRig> {
  const t = await testApi(hookyard);
  const receiver = await startReceiver(reply);
  const worker = startWorker(hookyard, { retrySchedule: [60_000], retryJitter: 0, pollIntervalMs: 50, flushDelayMs: 5, ...workerOptions });
  const browser = await browserLaunch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(timeoutMs);
  let stopped: Promise<void> | undefined;
  const rig: ConsoleRig = {
    t,
    worker,
    receiver,
    browser,
    page,
    stop: () =>
      (stopped ??= (async () => {
        await browser.close();
        await worker.stop(1_000);
        await t.close();
        await receiver.close();
      })()),
  };
  if (signIn) {
    await page.goto(`${t.url}/`);
    await page.getByLabel('API token').fill(t.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  }
  return rig;
}
