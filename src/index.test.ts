import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startReceiver, type Receiver } from './test/receiver.js';
import { scratchDatabaseCreate } from './test/scratch-database.js';

/**
 * The library as a user gets it: `npm pack`, installed into a fresh project,
 * its types checked there, and the README's library snippet run exactly as
 * written, twice, on PGlite and PostgreSQL. The install is offline: the
 * project's lockfile is made from this repository's (its runtime dependencies,
 * at the versions tested here), so npm takes every package from its cache.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MARKER = '<!-- The block below is run as it stands';

const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 120_000) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout });

/** The fenced block after the marker in the README. */
function readmeSnippet(readme: string): string {
  const at = readme.indexOf(MARKER);
  assert.ok(at >= 0, 'the README marks its library snippet');
  const block = /```js\n([\s\S]*?)\n```/.exec(readme.slice(at));
  assert.ok(block, 'a js block follows the marker');
  return block[1]! + '\n';
}

/** Like sh, without blocking this process: the test's receiver must answer meanwhile. */
function shAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

describe('the package, installed as the README says', { timeout: 600_000 }, () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  let snippet: string;
  let receiver: Receiver;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-package-'));
    const packed = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
    assert.equal(packed.status, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = info!.filename;
    files = info!.files.map((f) => f.path);

    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: unknown; engines: unknown };
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const tgz = await readFile(join(dir, tarball));
    const packages: Record<string, unknown> = {
      '': { name: 'readme-snippet', dependencies: { hookyard: `file:${tarball}` } },
      'node_modules/hookyard': {
        version: pkg.version, resolved: `file:${tarball}`, integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
        dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
      },
    };
    for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'readme-snippet', private: true, type: 'module', dependencies: { hookyard: `file:${tarball}` } }));
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify({ name: 'readme-snippet', lockfileVersion: 3, requires: true, packages }));
    let installed = sh('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
    // A cache without these packages (a fresh machine): fetch what is missing.
    if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) installed = sh('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
    assert.equal(installed.status, 0, installed.stderr);

    snippet = readmeSnippet(await readFile(join(ROOT, 'README.md'), 'utf8'));
    await writeFile(join(dir, 'snippet.mjs'), snippet);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the tarball holds the library, the program, the migrations and the API reference, and no tests', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'migrations/001_foundation.sql', 'migrations/010_token_scope_secret_key.sql', 'dist/api/docs-assets/swagger-ui-bundle.js', 'README.md']) {
      assert.ok(files.includes(f), f);
    }
    assert.deepEqual(files.filter((f) => /\.test\.|^dist\/(test|bench)\/|\.map$|^src\//.test(f)), []);
  });

  test('the installed package resolves through its exports, with types', async () => {
    const imported = sh(process.execPath, ['--input-type=module', '-e', "import * as h from 'hookyard'; console.log(typeof h.openHookyard, typeof h.startWorker, typeof h.HookyardError)"], dir);
    assert.equal(imported.stdout.trim(), 'function function function', imported.stderr);
    // The README snippet as TypeScript, and a use whose types must be real (an `any` would let the expected error pass).
    await writeFile(join(dir, 'snippet.ts'), snippet);
    await writeFile(
      join(dir, 'typed.ts'),
      `import { openHookyard, type Hookyard, type Endpoint } from 'hookyard';
const h: Hookyard = await openHookyard();
const endpoint: Endpoint = await h.endpoints.create('acme', { url: 'https://a.example/hook' });
const id: string = endpoint.id;
// @ts-expect-error: an endpoint has no such field
endpoint.noSuchField;
// @ts-expect-error: create takes an application and an endpoint
await h.endpoints.create({ url: 1 });
export { id };
`,
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: ['snippet.ts', 'typed.ts'],
      }),
    );
    const tsc = sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  async function runTwice(env: NodeJS.ProcessEnv, tag: string): Promise<void> {
    const webhook = `${receiver.origin}/${tag}`;
    const outputs: string[] = [];
    for (let run = 0; run < 2; run++) {
      const started = Date.now();
      const result = await shAsync(process.execPath, ['snippet.mjs'], dir, { WEBHOOK_URL: webhook, ...env }, 180_000);
      assert.equal(result.status, 0, `run ${run + 1}: ${result.stdout}${result.stderr}`);
      assert.ok(Date.now() - started < 180_000, 'it exits by itself');
      outputs.push(result.stdout.trim());
    }
    assert.deepEqual(outputs, ['published inv_42 to 1 endpoint(s)', 'inv_42 was published before']);
    const got = receiver.received.filter((r) => r.path === `/${tag}`);
    assert.equal(got.length, 1, 'delivered once, before the first run exited');
    assert.equal(got[0]!.body, '{"id":"inv_42","amount":4200}');
    assert.ok(got[0]!.headers['webhook-signature']);
  }

  test('the README snippet runs twice on PGlite, delivers once, and exits', async () => {
    await runTwice({ DATABASE_URL: '', HOOKYARD_SECRET_KEY: '' }, 'pglite');
  });

  test('the README snippet runs twice on PostgreSQL, delivers once, and exits', { skip: !process.env.HOOKYARD_TEST_DATABASE_URL && 'set HOOKYARD_TEST_DATABASE_URL' }, async () => {
    const scratch = await scratchDatabaseCreate(process.env.HOOKYARD_TEST_DATABASE_URL!, 'hookyard_test');
    try {
      await runTwice({ DATABASE_URL: scratch.url, HOOKYARD_SECRET_KEY: randomBytes(32).toString('base64') }, 'postgres');
    } finally {
      await scratch.drop();
    }
  });
});
