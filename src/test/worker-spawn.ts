import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./worker-process.js', import.meta.url));

/** Starts a worker process (worker-process.ts) on the PostgreSQL database `url`; resolves once it says it is ready. */
export async function workerSpawn(url: string, options: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ENTRY], {
    env: { ...process.env, DATABASE_URL: url, HOOKYARD_WORKER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return child;
}

/** Resolves once the process has exited. */
export function workerExited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Arrivals per second over a run: intervals between the first and the last, divided by its length. */
export function arrivalRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return (sorted.length - 1) / ((sorted.at(-1)! - sorted[0]!) / 1000);
}

/** The most arrivals within any window of `ms` that starts at an arrival. */
export function arrivalPeak(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + ms) j++;
    peak = Math.max(peak, j - i);
  }
  return peak;
}
