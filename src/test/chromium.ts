import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install -y chromium); playwright-core drives it, and downloads nothing. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or undefined when they can. Without Chromium they are
 * skipped on a developer's machine; in CI (CI=true), which installs it, its absence is a failure.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing in CI: .ci/run should have installed it (apt-get install -y chromium)`);
  return `browser tests skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`;
}

export async function browserLaunch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
}

/** Screenshots go to test-output/<suite>/ (gitignored): artefacts to look at, never committed. */
export function screenshotter(suite: string): (page: Page, name: string) => Promise<void> {
  const dir = join('test-output', suite);
  mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  };
}
