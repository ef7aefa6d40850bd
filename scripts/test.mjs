// Runs the compiled test files with Node's test runner. It first builds one
// migrated PGlite image that every test file loads, instead of each file
// paying for a cold PGlite start and the migrations.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteMigratedImage } from '../dist/test/pglite-image.js';

const only = process.argv.slice(2);
const files = readdirSync('dist', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join('dist', f));

const dir = mkdtempSync(join(tmpdir(), 'hookyard-test-'));
const templateFile = join(dir, 'template.tar');
writeFileSync(templateFile, Buffer.from(await (await pgliteMigratedImage()).arrayBuffer()));

const concurrency = Number(process.env.HOOKYARD_TEST_CONCURRENCY ?? 2);
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  env: { ...process.env, HOOKYARD_TEST_PGLITE_TEMPLATE: templateFile },
});
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
