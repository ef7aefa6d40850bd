import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliCommand } from './serve.js';

test('the banner names the CLI as the user can run it: npx where Hookyard is installed, npm run in a clone', () => {
  assert.equal(cliCommand('file:///srv/app/node_modules/hookyard/dist/cli/serve.js'), 'npx hookyard');
  assert.equal(cliCommand('file:///home/me/hookyard/dist/cli/serve.js'), 'npm run hookyard --');
});
