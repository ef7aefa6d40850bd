import type { Logger } from '../log.js';
import { databaseUnavailable, unavailableReason } from '../store/unavailable.js';

/**
 * A task run on a cadence: `firstAfterMs` after start, then every `everyMs`, each wait spread by
 * ±`jitter` so that processes started together do not all hit the database in the same second.
 * A pass still running when the next is due is not doubled; the timers do not keep the process
 * alive. The cleaner, the endpoint health pass and the console cleanup each run on one.
 *
 * A failed pass is logged and the next one runs on the cadence. When the database is away the
 * line carries the reason and no stack: the outage itself is logged once, where it starts and
 * ends (store/outage.ts), and a task that fails every few minutes must not repeat it.
 */
export interface PeriodicOptions {
  /** What the log lines call the task, e.g. 'retention cleanup'. */
  name: string;
  firstAfterMs: number; // ms
  everyMs: number; // ms
  /** Spread of each wait, 0 to 1 (0.1 = ±10%). */
  jitter?: number;
  random?: () => number;
  /** The clock that schedules passes; tests pass their own. */
  timers?: Timers;
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const REAL_TIMERS: Timers = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PeriodicRunning {
  /** Stops the schedule; resolves once a pass that is running has finished. */
  stop(): Promise<void>;
}

/** A wait of `ms` spread by ±`jitter` (pure). */
export function periodicDelay(ms: number, jitter: number, random: () => number): number {
  return Math.max(0, Math.round(ms * (1 + jitter * (2 * random() - 1))));
}

export function periodicStart(pass: () => Promise<void>, log: Logger, { name, firstAfterMs, everyMs, jitter = 0.1, random = Math.random, timers = REAL_TIMERS }: PeriodicOptions): PeriodicRunning {
  let running: Promise<void> | undefined;
  let handle: unknown;
  let stopped = false;
  const once = () => {
    if (running || stopped) return;
    running = Promise.resolve()
      .then(pass)
      .catch((error: unknown) => {
        if (databaseUnavailable(error)) log.warn({ task: name, reason: unavailableReason(error) }, `${name} waits for the database; it runs again on its cadence`);
        else log.warn({ task: name, err: error }, `${name} failed; it runs again on its cadence`);
      })
      .finally(() => {
        running = undefined;
      });
  };
  const schedule = (ms: number) => {
    handle = timers.set(() => {
      once();
      if (!stopped) schedule(periodicDelay(everyMs, jitter, random));
    }, ms);
  };
  schedule(periodicDelay(firstAfterMs, jitter, random));
  return {
    async stop() {
      stopped = true;
      timers.clear(handle);
      await running;
    },
  };
}
