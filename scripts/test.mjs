// Runs the compiled test files with Node's test runner. It first builds one
// migrated PGlite image that every test file loads, instead of each file
// paying for a cold PGlite start and the migrations.
//
// node scripts/test.mjs [--verbose] [pattern ...]: the report is compact (failures in full, then
// the totals; scripts/test-reporter.mjs) unless --verbose or HOOKYARD_TEST_VERBOSE=1 asks for
// every test (Node's spec reporter). `npm test -- --verbose` passes the flag through.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteMigratedImage } from '../dist/test/pglite-image.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || process.env.HOOKYARD_TEST_VERBOSE === '1';
const only = args.filter((a) => a !== '--verbose');
const reporter = verbose ? 'spec' : fileURLToPath(new URL('./test-reporter.mjs', import.meta.url));
const files = readdirSync('dist', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join('dist', f));

// Node's runner would otherwise look for test files itself, and run them all.
if (files.length === 0) {
  process.stderr.write(`no test file under dist/ matches ${only.join(' ')}\n`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'hookyard-test-'));
const templateFile = join(dir, 'template.tar');
writeFileSync(templateFile, Buffer.from(await (await pgliteMigratedImage()).arrayBuffer()));

const concurrency = Number(process.env.HOOKYARD_TEST_CONCURRENCY ?? 2);
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', ...files], {
  stdio: 'inherit',
  env: { ...process.env, HOOKYARD_TEST_PGLITE_TEMPLATE: templateFile, HOOKYARD_TEST_FILE_COUNT: String(files.length) },
});
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
