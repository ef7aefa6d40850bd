import type { Context } from '../context.js';
import { endpointDisableFailing } from '../endpoint/sql.js';

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
 * It runs on the maintenance schedule (schedule.ts).
 */
export async function endpointHealthPass(ctx: Pick<Context, 'storage' | 'now'>, { failingMs }: HealthPassOptions): Promise<{ disabled: number }> {
  const now = ctx.now();
  return { disabled: await endpointDisableFailing(ctx.storage, now, new Date(now.getTime() - failingMs)) };
}
