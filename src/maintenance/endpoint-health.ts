import { HEALTH_PASS_DEFAULTS } from '../config/defaults.js';
import type { Context } from '../context.js';
import { endpointDisableFailing } from '../endpoint/sql.js';
import type { Logger } from '../log.js';

export interface HealthPassOptions {
  /** Disable an endpoint that has failed without a success for this long (ms). */
  failingMs: number;
}

/**
 * One health pass: disables every enabled endpoint that has failed without a success for longer
 * than `failingMs`, or whose count of deliveries failed in a row has reached its threshold (the
 * write-back disables those at once; this catches a threshold lowered since). Idempotent and
 * cheap: it reads only failing endpoints, through a partial index (migration 013), and disabling
 * twice is a no-op, so any number of processes may run it at once. The clock is the caller's.
 */
export async function endpointHealthPass(ctx: Pick<Context, 'storage' | 'now'>, { failingMs }: HealthPassOptions): Promise<{ disabled: number }> {
  const now = ctx.now();
  return { disabled: await endpointDisableFailing(ctx.storage, now, new Date(now.getTime() - failingMs)) };
}

export interface HealthPassRunning {
  stop(): Promise<void>;
}

/** Runs the pass `firstAfterMs` after start, then every `everyMs`; a pass still running is not doubled; the timers do not hold the process. */
export function healthPassStart(
  ctx: Pick<Context, 'storage' | 'now'>,
  options: HealthPassOptions,
  log: Logger,
  { firstAfterMs = HEALTH_PASS_DEFAULTS.firstAfterMs, everyMs = HEALTH_PASS_DEFAULTS.everyMs } = {},
): HealthPassRunning {
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const pass = () => {
    if (running || stopped) return;
    running = endpointHealthPass(ctx, options)
      .then(
        ({ disabled }) => {
          if (disabled > 0) log.warn({ disabled }, 'endpoint health pass disabled endpoints that kept failing');
        },
        (err: unknown) => log.warn({ err }, 'endpoint health pass failed; it runs again on its cadence'),
      )
      .finally(() => {
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
