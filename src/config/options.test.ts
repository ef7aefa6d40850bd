import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerSettings } from '../delivery/options.js';
import { configParse } from './config.js';
import { DEFAULTS } from './defaults.js';
import { configLoad } from './load.js';
import { apiOptionsFromConfig, cleanerOptionsFromConfig, hookyardOptionsFromConfig, workerOptionsFromConfig } from './options.js';

test('one set of defaults: the configuration with nothing set maps to what the library does with no options', () => {
  const config = configParse({});
  const fromConfig = workerSettings(workerOptionsFromConfig(config));
  const library = workerSettings({});
  const { random: _a, ...a } = fromConfig;
  const { random: _b, ...b } = library;
  assert.deepEqual(a, b);
  const api = apiOptionsFromConfig(config);
  assert.equal(api.rateLimit, DEFAULTS.rateLimit, 'createApi without options limits as the server does');
  assert.equal(api.bodyLimitBytes, DEFAULTS.bodyLimitBytes);
  assert.equal(api.idempotencyRetentionMs, DEFAULTS.idempotencyRetentionMs);
  assert.equal(hookyardOptionsFromConfig(config).maxPayloadBytes, DEFAULTS.maxPayloadBytes);
  assert.equal(cleanerOptionsFromConfig(config).retentionMs, DEFAULTS.retentionDays * 24 * 3600_000);
  assert.equal(hookyardOptionsFromConfig(config).secretGraceMs, DEFAULTS.secretGraceMs);
});

test('HOOKYARD_SECRET_GRACE_SECONDS sets the rotation grace window the library uses', () => {
  assert.equal(hookyardOptionsFromConfig(configParse({ secretGraceSeconds: '600' })).secretGraceMs, 600_000);
  assert.throws(() => configParse({ secretGraceSeconds: '-1' }), /HOOKYARD_SECRET_GRACE_SECONDS/);
});

test('a bad setting or flag is named in plain words, with no validator jargon', () => {
  assert.throws(() => configParse({ port: 'abc' }), (e: Error) => e.message.includes('HOOKYARD_PORT (--port): must be a whole number from 0 to 65535') && !/NaN|expected number/.test(e.message));
  assert.throws(() => configParse({ retryJitter: '2' }), /HOOKYARD_RETRY_JITTER \(--retry-jitter\): must be a number from 0 to 1/);
  assert.throws(() => configLoad(['--bogus'], {}), (e: Error) => e.message === 'unknown option --bogus; see --help');
});
