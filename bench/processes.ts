import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Children still running when the bench exits (an error, ^C) are killed with it, not orphaned.
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** CPU time (user + system) a child process has used so far, in µs, read from /proc (Linux; 0 elsewhere). */
export function childCpuMicros(pid: number | undefined): () => number {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return () => 0;
  const ticks = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux
  return () => {
    try {
      // Fields 14 and 15 (utime, stime) follow the ")" that ends the command name.
      const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1_000_000;
    } catch {
      return 0; // exited
    }
  };
}

export interface ServeProcess {
  /** The API's URL, for the api and all roles. */
  url: string | undefined;
  /** The admin token an embedded first start prints. */
  token: string | undefined;
  cpuMicros: () => number;
  stop(): Promise<void>;
}

/** How the bench configures every Hookyard process: the same concurrency as the peers, rate limit off. */
export const BENCH_CONCURRENCY = 64;

/**
 * `hookyard serve --role <role>` as a child process, exactly as deployed (request logs at info
 * level included, written to a pipe the bench drains), on PostgreSQL (`databaseUrl`) or an
 * embedded folder (`dataDir`). Resolves once it listens (api, all) or its worker started.
 */
export async function serveProcess(role: 'api' | 'worker' | 'all', where: { databaseUrl: string; secretKey: Buffer } | { dataDir: string; firstStart?: boolean }, allowCidrs = '127.0.0.0/8'): Promise<ServeProcess> {
  const child = track(spawn(process.execPath, [fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)), 'serve'], {
    env: {
      ...process.env,
      ...('databaseUrl' in where ? { DATABASE_URL: where.databaseUrl, HOOKYARD_SECRET_KEY: where.secretKey.toString('base64') } : { HOOKYARD_DATA_DIR: where.dataDir }),
      HOOKYARD_ROLE: role,
      HOOKYARD_PORT: '0',
      HOOKYARD_RATE_LIMIT: '0',
      HOOKYARD_ALLOW_CIDRS: allowCidrs,
      HOOKYARD_WORKER_CONCURRENCY: String(BENCH_CONCURRENCY),
      HOOKYARD_ENDPOINT_CONCURRENCY: String(BENCH_CONCURRENCY),
      HOOKYARD_WORKER_BATCH_SIZE: '200',
      HOOKYARD_POLL_INTERVAL_MS: '200',
      HOOKYARD_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  }));
  const seen = await new Promise<string>((resolve, reject) => {
    let out = '';
    const ready = role === 'worker' ? /delivery worker started/ : /is listening on (\S+)/;
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // An embedded folder's first start prints its admin token after the listening line.
      if (ready.test(out) && (role === 'worker' || !('firstStart' in where && where.firstStart) || /\n\s+(hy_\S+)\n/.test(out))) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining its log
        resolve(out);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hookyard serve --role ${role} exited with ${code}: ${out.slice(-500)}`)));
  });
  return {
    url: /is listening on (\S+)/.exec(seen)?.[1],
    token: /\n\s+(hy_\S+)\n/.exec(seen)?.[1],
    cpuMicros: childCpuMicros(child.pid),
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A peer (peer-process.ts) as a child process; resolves with what it reports once ready. */
export async function peerProcess(args: Record<string, string | number>): Promise<{ url: string | undefined; cpuMicros: () => number; stop(): Promise<void> }> {
  const child = track(fork(fileURLToPath(new URL('./peer-process.js', import.meta.url)), [JSON.stringify(args)], { stdio: 'inherit' }));
  const ready = await new Promise<{ url?: string }>((resolve, reject) => {
    child.once('message', (m: { url?: string }) => resolve(m));
    child.once('exit', (code) => reject(new Error(`peer ${String(args.mode)} exited with ${code}`)));
  });
  return { url: ready.url, cpuMicros: childCpuMicros(child.pid), stop: () => stopChild(child) };
}
