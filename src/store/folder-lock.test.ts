import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HookyardError } from '../errors.js';
import { folderLockAcquire, folderLockAnnounce, folderLockOwner, LOCK_FILE, lockOwnerLiveness, processStartTicks, type LockOwner } from './folder-lock.js';
import { openStorage } from './open.js';

const LOCK_MODULE = fileURLToPath(new URL('./folder-lock.js', import.meta.url));
const OPEN_MODULE = fileURLToPath(new URL('./open.js', import.meta.url));

/** Runs a script in a fresh Node process; the lock is per process, so contention needs another one. */
const node = (script: string) => spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });

/** A pid that is certainly not running: a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('the data-folder lock', () => {
  let root: string;
  let n = 0;
  const folder = () => {
    const dir = join(root, `d${n++}`);
    mkdirSync(dir);
    return dir;
  };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'hookyard-lock-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const staleOwner = (over: Partial<LockOwner>): LockOwner => ({ pid: deadPid(), host: hostname(), command: 'hookyard serve', startedAt: '2020-01-01T00:00:00.000Z', nonce: 'old', ...over });

  test('held once per process; released on close; a second process gets one line naming this one', async () => {
    const dir = folder();
    const storage = await openStorage({ dataDir: dir });
    try {
      await assert.rejects(openStorage({ dataDir: dir }), /already open in this process/);
      const other = node(`import { openStorage } from ${JSON.stringify(OPEN_MODULE)};
        try { await openStorage({ dataDir: ${JSON.stringify(dir)} }); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); }`);
      assert.equal(other.stdout.trim().split('\n').length, 1, other.stdout + other.stderr);
      assert.match(other.stdout, new RegExp(`^data_dir_locked HOOKYARD_DATA_DIR \\(--data-dir\\): .* is in use by process ${process.pid} \\(`));
      await storage.query('select 1');
    } finally {
      await storage.close();
    }
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
    // Free again, in this process or another.
    const again = await openStorage({ dataDir: dir });
    await again.close();
  });

  test('a process that exits without closing leaves no lock; one killed outright leaves a stale one that is taken over', async () => {
    const dir = folder();
    const exited = node(`import { folderLockAcquire } from ${JSON.stringify(LOCK_MODULE)};
      await folderLockAcquire(${JSON.stringify(dir)}); process.exit(0);`);
    assert.equal(exited.status, 0, exited.stderr);
    assert.ok(!existsSync(join(dir, LOCK_FILE)));

    const child = spawn(process.execPath, ['--input-type=module', '-e', `import { folderLockAcquire } from ${JSON.stringify(LOCK_MODULE)};
      await folderLockAcquire(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await assert.rejects(folderLockAcquire(dir), (e: HookyardError) => e.code === 'data_dir_locked' && e.message.includes(`process ${child.pid} `));
    assert.equal((await folderLockOwner(dir))?.pid, child.pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(existsSync(join(dir, LOCK_FILE)), 'SIGKILL leaves the file');
    assert.equal(await folderLockOwner(dir), undefined);
    const lock = await folderLockAcquire(dir);
    assert.equal(lock.owner.pid, process.pid);
    await lock.release();
  });

  test('liveness: a dead pid, a reused pid, another boot, another host', () => {
    const me = processStartTicks(process.pid);
    assert.equal(lockOwnerLiveness(staleOwner({})), 'dead');
    assert.equal(lockOwnerLiveness(staleOwner({ pid: process.pid, startTicks: me! })), 'alive');
    if (me !== undefined) {
      // The pid runs, but it is a younger process than the one that took the lock.
      assert.equal(lockOwnerLiveness(staleOwner({ pid: process.pid, startTicks: me - 1 })), 'dead');
      assert.equal(lockOwnerLiveness(staleOwner({ pid: process.pid, bootId: 'another-boot' })), 'dead');
    }
    assert.equal(lockOwnerLiveness(staleOwner({ pid: process.pid, host: 'elsewhere.example' })), 'elsewhere');
  });

  test('a lock from another host is not taken over: the message says whose it is and what to do', async () => {
    const dir = folder();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(staleOwner({ host: 'box-2' })));
    await assert.rejects(folderLockAcquire(dir), /in use by process \d+ \(hookyard serve, started 2020-01-01T00:00:00.000Z\) on host box-2; stop it first, or if it is gone, delete .*hookyard\.lock/);
  });

  test('a garbled lock file, old enough, is stale', async () => {
    const dir = folder();
    await writeFile(join(dir, LOCK_FILE), '{"pid":');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK_FILE), old, old);
    const lock = await folderLockAcquire(dir);
    await lock.release();
  });

  test('openers racing for one stale lock: exactly one wins', async () => {
    const dir = folder();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(staleOwner({})));
    const racers = Array.from({ length: 4 }, () =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', `import { folderLockAcquire } from ${JSON.stringify(LOCK_MODULE)};
          try { await folderLockAcquire(${JSON.stringify(dir)}); console.log('won'); await new Promise((r) => setTimeout(r, 1500)); } catch (e) { console.log(e.code); }`]);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', () => resolve(out.trim()));
      }),
    );
    const results = (await Promise.all(racers)).sort();
    assert.deepEqual(results, ['data_dir_locked', 'data_dir_locked', 'data_dir_locked', 'won']);
  });

  test('announce: the owner tells where its API listens, atomically, and keeps its lock', async () => {
    const dir = folder();
    const lock = await folderLockAcquire(dir);
    await folderLockAnnounce(dir, { url: 'http://127.0.0.1:1234', token: 'hyc_x' });
    const owner = await folderLockOwner(dir);
    assert.deepEqual(owner?.control, { url: 'http://127.0.0.1:1234', token: 'hyc_x' });
    assert.equal(owner?.nonce, lock.owner.nonce);
    const mode = statSync(join(dir, LOCK_FILE)).mode & 0o777;
    assert.equal(mode, 0o600);
    await lock.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
  });

  test('a damaged folder gives one line naming the setting, not a bare WebAssembly abort', async () => {
    const dir = folder();
    await openStorage({ dataDir: dir }).then((s) => s.close());
    await rm(join(dir, 'pgdata', 'global'), { recursive: true });
    await assert.rejects(openStorage({ dataDir: dir }), (e: HookyardError) => {
      assert.equal(e.code, 'startup');
      assert.match(e.message, /^HOOKYARD_DATA_DIR \(--data-dir\): the embedded database in .*pgdata could not be opened \(PGlite aborted\); .* restore it from a backup/);
      return true;
    });
    // The failed open let go of the lock.
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
  });
});
