import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configParse, settingsFromEnv } from '../config/config.js';
import type { HookyardError } from '../errors.js';
import { workerOptionsFromConfig } from '../config/options.js';
import { workerSettings } from './options.js';

test('delivery settings come from the environment, validated, into worker options', () => {
  const config = configParse(
    settingsFromEnv({
      HOOKYARD_RETRY_SCHEDULE: '100, 200,300',
      HOOKYARD_RETRY_JITTER: '0',
      HOOKYARD_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
      HOOKYARD_REQUIRE_HTTPS: 'true',
      HOOKYARD_WORKER_CONCURRENCY: '10',
      HOOKYARD_ATTEMPT_TIMEOUT_MS: '2000',
    }),
  );
  const settings = workerSettings(workerOptionsFromConfig(config));
  assert.deepEqual(settings.attempt.retry, { schedule: [100, 200, 300], jitter: 0 });
  assert.equal(settings.attempt.requireHttps, true);
  assert.equal(settings.allow.length, 2);
  assert.equal(settings.concurrency, 10);
  assert.equal(settings.leaseMs, 60_000);
  const defaults = workerSettings(workerOptionsFromConfig(configParse({})));
  assert.equal(defaults.attempt.retry.schedule.length, 7);
  assert.equal(defaults.attempt.attemptTimeoutMs, 15_000);
  assert.equal(defaults.allow.length, 0);
  assert.equal(defaults.attempt.requireHttps, false);
});

test('bad delivery settings are named by variable and flag', () => {
  assert.throws(() => configParse({ retrySchedule: '5s,10s' }), /HOOKYARD_RETRY_SCHEDULE \(--retry-schedule\)/);
  assert.throws(() => configParse({ allowCidrs: '10.0.0.0/33' }), /HOOKYARD_ALLOW_CIDRS/);
  assert.throws(() => configParse({ requireHttps: 'yes' }), /HOOKYARD_REQUIRE_HTTPS/);
  assert.throws(() => workerSettings({ attemptTimeoutMs: 15_000, leaseMs: 10_000 }), (e: HookyardError) => e.code === 'config');
});
