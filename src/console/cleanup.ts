import { portalTokensDeleteEnded } from '../auth/portal-token.js';
import type { Context } from '../context.js';
import { rollupDeleteOld } from './rollup-sql.js';
import { sessionDeleteEnded } from './session-sql.js';

/**
 * What the console leaves behind and nothing else removes: sessions that ended, portal tokens
 * that ended, and rollups older than the stats can ask for. Run on the maintenance schedule
 * (src/maintenance/schedule.ts). Safe from many processes at once: two passes deleting the same
 * rows just find fewer. Deleting is only about space: an ended session or token is refused
 * before it is deleted (session-sql.ts, auth/live-tokens.ts), so the cadence is not a security
 * setting.
 */
export interface ConsoleCleanupOptions {
  /** Rollups (counters and histograms) are kept this long; the stats cover 31 days at most (ms). */
  rollupRetentionMs: number;
  /** An ended portal token stays this long, so that its last use can still be read (ms). */
  portalTokenKeepMs: number;
  /** Rows per delete statement. */
  batchSize?: number;
}

export interface ConsoleCleanResult {
  sessions: number;
  portalTokens: number;
  /** Rollup rows, counters and histograms. */
  rollups: number;
}

export async function consoleCleanOnce(ctx: Pick<Context, 'storage' | 'now'>, { rollupRetentionMs, portalTokenKeepMs, batchSize = 5000 }: ConsoleCleanupOptions): Promise<ConsoleCleanResult> {
  const now = ctx.now();
  const portalTokens = await portalTokensDeleteEnded(ctx.storage, new Date(now.getTime() - portalTokenKeepMs));
  // Then sessions: those of the tokens just deleted go in the same pass.
  const sessions = await sessionDeleteEnded(ctx.storage, now);
  let rollups = 0;
  for (const before = new Date(now.getTime() - rollupRetentionMs); ; ) {
    const { counters, histograms } = await rollupDeleteOld(ctx.storage, before, batchSize);
    rollups += counters + histograms;
    if (counters < batchSize && histograms < batchSize) break;
  }
  return { sessions, portalTokens, rollups };
}
