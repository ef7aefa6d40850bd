import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of a test's own, on a free loopback port with trust
 * auth, that the test may stop and start (which the shared server must never
 * be). Made with the distribution's initdb and pg_ctl.
 */
export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** `pg_ctl stop -m fast`: sessions are ended (57P01) and new connections refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

const BIN = process.env.HOOKYARD_TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why a server of our own cannot be made here, or undefined when it can. */
export function ownPostgresMissing(): string | undefined {
  for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
    try {
      accessSync(join(BIN, tool), constants.X_OK);
    } catch {
      return `${join(BIN, tool)} not found (set HOOKYARD_TEST_POSTGRES_BIN to the folder holding initdb and pg_ctl)`;
    }
  }
  if (process.getuid?.() === 0 && runAs() === undefined) return 'running as root and there is no "postgres" user to run initdb as (initdb refuses root)';
  return undefined;
}

/** initdb and postgres refuse to run as root; then they run as the system's postgres user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function run(tool: string, args: string[], timeoutMs = 60_000): Promise<void> {
  const user = runAs();
  return new Promise((resolve, reject) => {
    execFile(join(BIN, tool), args, { timeout: timeoutMs, ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${tool} ${args[0] ?? ''} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function ownPostgresStart(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hookyard-pg-'));
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // Loopback only, the socket in our folder, and no fsync: this server's data lives as long as the test.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=60`;
  let running = false;
  const start = async () => {
    await run('pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), '-o', options]);
    running = true;
  };
  const stop = async () => {
    await run('pg_ctl', ['stop', '-D', data, '-w', '-t', '30', '-m', 'fast']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      if (running) await run('pg_ctl', ['stop', '-D', data, '-w', '-t', '30', '-m', 'immediate']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
