import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { HookyardError } from '../errors.js';

/**
 * An exclusive lock on an embedded data folder. PGlite is one process's
 * database: a second process that opens the same files loses its writes or
 * aborts, so `openStorage` locks the folder before PGlite opens it.
 *
 * The lock is a file, `hookyard.lock`, created with O_EXCL and holding its
 * owner's pid, host and process start time. A lock whose process is gone (or
 * whose pid now belongs to a younger process, or which was made before the
 * machine restarted) is stale, and the next opener takes it over. This was
 * chosen over an OS lock, which Node cannot take without a native addon, and
 * over a lock kept fresh by a timer (proper-lockfile), which a paused or
 * overloaded process loses while it still runs. The file also tells the CLI
 * where the owner's API listens (`control`), so token commands can go through
 * the running server instead of opening the database a second time.
 */
export const LOCK_FILE = 'hookyard.lock';

export interface LockOwner {
  pid: number;
  host: string;
  /** What holds it, e.g. `hookyard serve` (never its arguments: they may hold secrets). */
  command: string;
  startedAt: string;
  /** Linux: the kernel's boot id and the process's start time in clock ticks, to tell a reused pid. */
  bootId?: string;
  startTicks?: number;
  /** Set by `hookyard serve` once its API listens: its address, and a token valid only while it runs. */
  control?: { url: string; token: string };
  /** Random, so a process recognises its own lock. */
  nonce: string;
}

export interface FolderLock {
  readonly file: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

// Held locks by file, so this process refuses to open a folder twice and cleans up on exit.
const held = new Map<string, LockOwner>();

const readSync = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
const bootId = () => readSync('/proc/sys/kernel/random/boot_id')?.trim();

/** Field 22 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces). */
export function processStartTicks(pid: number): number | undefined {
  const text = readSync(`/proc/${pid}/stat`);
  const fields = text?.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

function programName(): string {
  const [, script = 'node', sub] = process.argv;
  const cli = basename(script) === 'main.js' && basename(dirname(script)) === 'cli';
  const name = cli ? 'hookyard' : `node ${basename(script)}`;
  return sub && /^[a-z-]{1,20}$/.test(sub) ? `${name} ${sub}` : name;
}

function ownerNow(): LockOwner {
  const boot = bootId();
  const ticks = processStartTicks(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    command: programName(),
    startedAt: new Date().toISOString(),
    ...(boot ? { bootId: boot } : {}),
    ...(ticks !== undefined ? { startTicks: ticks } : {}),
    nonce: randomBytes(8).toString('hex'),
  };
}

export type Liveness = 'alive' | 'dead' | 'elsewhere';

/** Whether the owner of a lock still runs, as far as this machine can tell. */
export function lockOwnerLiveness(owner: LockOwner): Liveness {
  if (owner.host !== hostname()) return 'elsewhere';
  const boot = bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const ticks = processStartTicks(owner.pid);
  if (owner.startTicks !== undefined && ticks !== undefined && ticks !== owner.startTicks) return 'dead';
  return 'alive';
}

function parseOwner(text: string | undefined): LockOwner | undefined {
  try {
    const o = JSON.parse(text ?? '') as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.nonce === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** The live owner of a data folder's lock, if any (the CLI asks before it opens the folder itself). */
export async function folderLockOwner(dataDir: string): Promise<LockOwner | undefined> {
  const owner = parseOwner(await readFile(join(dataDir, LOCK_FILE), 'utf8').catch(() => undefined));
  return owner && lockOwnerLiveness(owner) !== 'dead' ? owner : undefined;
}

export function lockedMessage(dataDir: string, owner: LockOwner): string {
  const who = `process ${owner.pid} (${owner.command}, started ${owner.startedAt})`;
  if (owner.host !== hostname()) {
    return `HOOKYARD_DATA_DIR (--data-dir): ${dataDir} is in use by ${who} on host ${owner.host}; stop it first, or if it is gone, delete ${join(dataDir, LOCK_FILE)}`;
  }
  return `HOOKYARD_DATA_DIR (--data-dir): ${dataDir} is in use by ${who}; stop it first, or use another folder`;
}

const STALE_GUARD_MS = 10_000; // a takeover takes milliseconds; a guard older than this was left by a crash

/**
 * Removes a stale lock, if it is still the one we read. The guard file makes
 * takeovers take turns, so two openers that both found the same stale lock
 * cannot remove each other's fresh one.
 */
async function removeStale(file: string, seen: string): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - ((await stat(guard).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > STALE_GUARD_MS) await unlink(guard).catch(() => {});
    await new Promise((r) => setTimeout(r, 20));
    return;
  }
  try {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === seen) await unlink(file).catch(() => {});
  } finally {
    await unlink(guard).catch(() => {});
  }
}

const BEING_WRITTEN_MS = 5_000; // an unreadable lock younger than this is being written

/** Takes the folder's lock, or throws a HookyardError naming the process that holds it. */
export async function folderLockAcquire(dataDir: string): Promise<FolderLock> {
  const file = resolve(dataDir, LOCK_FILE);
  const mine = held.get(file);
  if (mine) throw new HookyardError('data_dir_locked', `HOOKYARD_DATA_DIR (--data-dir): ${dataDir} is already open in this process`);
  const me = ownerNow();
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await writeFile(file, JSON.stringify(me) + '\n', { flag: 'wx', mode: 0o600 });
      held.set(file, me);
      return { file, owner: me, release: () => release(file, me) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // removed meanwhile: try again
    const owner = parseOwner(text);
    if (owner && lockOwnerLiveness(owner) !== 'dead') throw new HookyardError('data_dir_locked', lockedMessage(dataDir, owner));
    if (!owner) {
      const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
      if (age < BEING_WRITTEN_MS) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
    }
    await removeStale(file, text);
  }
  throw new HookyardError('data_dir_locked', `HOOKYARD_DATA_DIR (--data-dir): could not lock ${dataDir}: other processes keep taking it`);
}

/** Adds to the lock this process holds on `dataDir` (serve: where its API listens). */
export async function folderLockAnnounce(dataDir: string, control: LockOwner['control']): Promise<void> {
  const file = resolve(dataDir, LOCK_FILE);
  const me = held.get(file);
  if (!me) throw new Error(`this process holds no lock on ${dataDir}`);
  const next: LockOwner = { ...me, ...(control ? { control } : {}) };
  if (!control) delete next.control;
  // Written beside it, then renamed over it: a reader sees the old lock or the new one, never half.
  const temp = `${file}.${me.nonce}`;
  await writeFile(temp, JSON.stringify(next) + '\n', { mode: 0o600 });
  await rename(temp, file);
  held.set(file, next);
}

async function release(file: string, me: LockOwner): Promise<void> {
  if (held.get(file)?.nonce !== me.nonce) return;
  held.delete(file);
  const owner = parseOwner(await readFile(file, 'utf8').catch(() => undefined));
  if (owner?.nonce === me.nonce) await unlink(file).catch(() => {});
}

// A process that exits without closing (process.exit, an uncaught error) leaves no lock behind.
// One killed outright does: the next opener finds its pid gone.
process.on('exit', () => {
  for (const [file, me] of held) {
    if (parseOwner(readSync(file))?.nonce === me.nonce) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  }
});
