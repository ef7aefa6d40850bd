import type { Context } from '../context.js';
import { CLEANER_DEFAULTS } from '../config/defaults.js';
import type { Logger } from '../log.js';
import { cleanOnce, type CleanerOptions } from './cleaner.js';

export interface CleanerSchedule {
  /** Soon after start: a process restarted more often than `everyMs` still cleans (ms). */
  firstAfterMs?: number;
  /** Then once per this long (ms). */
  everyMs?: number;
}

export interface CleanerRunning {
  /** Stops the schedule; resolves once a pass that is running has finished. */
  stop(): Promise<void>;
}

/**
 * Runs the retention cleaner `firstAfterMs` after start, then every
 * `everyMs`. A pass still running when the next is due is not doubled. The
 * timers do not keep the process alive. Every process may run one: passes
 * that overlap across processes only find less to delete.
 */
export function cleanerStart(
  ctx: Pick<Context, 'storage' | 'now'>,
  options: CleanerOptions,
  log: Logger,
  { firstAfterMs = CLEANER_DEFAULTS.firstAfterMs, everyMs = CLEANER_DEFAULTS.everyMs }: CleanerSchedule = {},
): CleanerRunning {
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const pass = () => {
    if (running || stopped) return;
    running = cleanOnce(ctx, options).then(
      (removed) => log.info(removed, 'retention cleanup'),
      (err: unknown) => log.warn({ err }, 'retention cleanup failed; it runs again on its cadence'),
    ).finally(() => {
      running = undefined;
    });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      pass();
      if (!stopped) schedule(everyMs);
    }, ms);
    timer.unref();
  };
  schedule(firstAfterMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
