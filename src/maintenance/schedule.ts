import { CLEANER_DEFAULTS, CONSOLE_CLEANUP_DEFAULTS, HEALTH_PASS_DEFAULTS, TABLE_STATISTICS_DEFAULTS, TASK_RESUME_DEFAULTS } from '../config/defaults.js';
import { consoleCleanOnce, type ConsoleCleanupOptions } from '../console/cleanup.js';
import type { Context } from '../context.js';
import type { Logger } from '../log.js';
import type { TaskService } from '../task/service.js';
import { cleanOnce, type CleanerOptions } from './cleaner.js';
import { endpointHealthPass, type HealthPassOptions } from './endpoint-health.js';
import { periodicStart, type PeriodicOptions, type PeriodicRunning } from './periodic.js';
import { tableStatisticsPass } from './table-statistics.js';

/** When a task first runs after start (soon, so a process restarted often still runs it), then how often (ms). */
export type Cadence = Partial<Pick<PeriodicOptions, 'firstAfterMs' | 'everyMs' | 'jitter' | 'random' | 'timers'>>;

type Ctx = Pick<Context, 'storage' | 'now'>;

/** The retention cleaner (messages, payloads, secrets, idempotency keys, the inbound log); logs what it removed. */
export function cleanerStart(ctx: Ctx, options: CleanerOptions, log: Logger, cadence: Cadence = {}): PeriodicRunning {
  return periodicStart(async () => log.info(await cleanOnce(ctx, options), 'retention cleanup'), log, { name: 'retention cleanup', ...CLEANER_DEFAULTS, ...cadence });
}

/** The endpoint health pass (disabling endpoints that keep failing); logs only when it disabled some. */
export function healthPassStart(ctx: Ctx, options: HealthPassOptions, log: Logger, cadence: Cadence = {}): PeriodicRunning {
  return periodicStart(
    async () => {
      const { disabled } = await endpointHealthPass(ctx, options);
      if (disabled > 0) log.warn({ disabled }, 'endpoint health pass disabled endpoints that kept failing');
    },
    log,
    { name: 'endpoint health pass', ...HEALTH_PASS_DEFAULTS, ...cadence },
  );
}

/** The console's cleanup: ended sessions and portal tokens, old rollups (src/console/cleanup.ts). */
export function consoleCleanupStart(ctx: Ctx, options: ConsoleCleanupOptions, log: Logger, cadence: Cadence = {}): PeriodicRunning {
  return periodicStart(
    async () => {
      const removed = await consoleCleanOnce(ctx, options);
      if (removed.sessions + removed.portalTokens + removed.rollups > 0) log.info(removed, 'console cleanup');
    },
    log,
    { name: 'console cleanup', ...CONSOLE_CLEANUP_DEFAULTS, ...cadence },
  );
}

/** Background tasks (replay, recover) left running by a process that died are taken up here. */
export function taskResumeStart(tasks: Pick<TaskService, 'resumeStale'>, log: Logger, cadence: Cadence = {}): PeriodicRunning {
  return periodicStart(
    async () => {
      const resumed = await tasks.resumeStale();
      if (resumed > 0) log.info({ resumed }, 'resumed background tasks that a stopped process left running');
    },
    log,
    { name: 'background task resume', ...TASK_RESUME_DEFAULTS, ...cadence },
  );
}

/** Fresh statistics for tables that changed, where the database keeps none by itself (PGlite): src/maintenance/table-statistics.ts. */
export function tableStatisticsStart(ctx: Ctx, log: Logger, cadence: Cadence = {}): PeriodicRunning {
  return periodicStart(
    async () => {
      const started = performance.now();
      const tables = await tableStatisticsPass(ctx.storage);
      if (tables.length > 0) log.info({ tables, ms: Math.round(performance.now() - started) }, 'vacuumed and analyzed tables that changed');
    },
    log,
    { name: 'table statistics', ...TABLE_STATISTICS_DEFAULTS, ...cadence },
  );
}

export interface MaintenanceOptions {
  cleaner: CleanerOptions;
  health: HealthPassOptions;
  console: ConsoleCleanupOptions;
  tasks: Pick<TaskService, 'resumeStale'>;
}

/**
 * Every maintenance task, each on its own cadence (the table statistics only where the database
 * has no autovacuum). Every process runs them, whatever its role:
 * each is idempotent, and passes that overlap across processes only find less to do. `stop`
 * resolves once the passes running have finished.
 */
export function maintenanceStart(ctx: Ctx, options: MaintenanceOptions, log: Logger): PeriodicRunning {
  const tasks = [
    cleanerStart(ctx, options.cleaner, log),
    healthPassStart(ctx, options.health, log),
    consoleCleanupStart(ctx, options.console, log),
    taskResumeStart(options.tasks, log),
    ...(ctx.storage.capabilities.autovacuum ? [] : [tableStatisticsStart(ctx, log)]),
  ];
  return {
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()));
    },
  };
}
