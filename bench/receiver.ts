import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The bench's one loopback receiver, in a process of its own; every scenario of a run posts to it. */
export interface BenchReceiver {
  url: string;
  stats(): Promise<{ count: number; counts: Record<string, number>; latencies: number[]; cpuMicros: number }>;
  /** Requests so far whose path starts with `/<segment>`. */
  countOf(segment: string): Promise<number>;
  resetLatencies(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the receiver in its own process (see receiver-process.ts). */
export async function benchReceiver(): Promise<BenchReceiver> {
  const child = fork(fileURLToPath(new URL('./receiver-process.js', import.meta.url)), { stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`bench receiver exited with ${code}`)));
  });
  const ask = <T>(op: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m: T) => resolve(m));
      child.send({ op });
    });
  return {
    url,
    stats: () => ask('stats'),
    countOf: async (segment) => (await ask<{ counts: Record<string, number> }>('stats')).counts[segment] ?? 0,
    resetLatencies: async () => void (await ask('reset')),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ op: 'close' });
      }),
  };
}

