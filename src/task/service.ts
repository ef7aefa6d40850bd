import { applicationMustGet } from '../application/sql.js';
import type { Context } from '../context.js';
import { deliveryNotify, deliveryRecoverStep, deliveryReplayMissing, type TaskStep } from '../delivery/sql.js';
import { endpointGet } from '../endpoint/sql.js';
import { notFound, validationError } from '../errors.js';
import { idBoundary, newId } from '../ids/id.js';
import type { Page, PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import type { Task, TaskStatus, TaskType } from './model.js';
import { taskAdvance, taskGet, taskInsert, taskList, taskListStale, taskLockRunning } from './sql.js';

export type TaskService = ReturnType<typeof taskService>;

export interface TaskServiceOptions {
  /** Rows per step, each step one transaction. */
  stepSize?: number;
  /** A running task not advanced for this long was left by a process that died; a read of it resumes it (ms). */
  staleAfterMs?: number;
}

/**
 * Background tasks: replay-missing and recover. A task runs in steps, each one transaction that
 * does up to `stepSize` rows and advances the task's cursor. The request that creates a task runs
 * its first step itself, so a small range is finished in the response; a larger one goes on in
 * the background in this process. If the process dies, the task stays `running` where its last
 * step committed; after `staleAfterMs` the maintenance schedule's `resumeStale` (or a read of it,
 * GET …/background-task/{id}) resumes it in whichever process gets there first. Two processes
 * resuming one task take turns by step (taskLockRunning), so nothing is done twice.
 */
export function taskService(ctx: Context, { stepSize = 1000, staleAfterMs = 30_000 }: TaskServiceOptions = {}) {
  const { storage } = ctx;
  const running = new Set<string>();

  async function stepOf(db: Queryable, t: Task): Promise<TaskStep> {
    if (t.task === 'endpoint.replay') {
      return deliveryReplayMissing(db, {
        endpointId: t.endpointId,
        appId: t.appId,
        fromId: idBoundary('msg', t.since.getTime()),
        toId: t.until ? idBoundary('msg', t.until.getTime()) : null,
        after: t.cursor,
        limit: stepSize,
      });
    }
    return deliveryRecoverStep(db, { endpointId: t.endpointId, since: t.since, until: t.until, after: t.cursor, limit: stepSize });
  }

  /** Runs one step; returns the task after it, or undefined when it is not running or another process has the step. */
  async function step(id: string): Promise<Task | undefined> {
    let queued = 0;
    const after = await storage.transaction(async (tx) => {
      const t = await taskLockRunning(tx, id);
      if (!t) return undefined;
      const done = await stepOf(tx, t);
      queued = done.queued;
      if (done.queued > 0) await deliveryNotify(tx, t.appId);
      return taskAdvance(tx, id, { cursor: done.last, queued: done.queued, status: done.scanned < stepSize ? 'finished' : 'running' });
    });
    if (queued > 0) ctx.onDeliveriesCreated();
    return after;
  }

  /** Runs the task's steps until it is done, in the background; a second call for a task running here does nothing. */
  function runOn(id: string): void {
    if (running.has(id)) return;
    running.add(id);
    void (async () => {
      try {
        for (;;) {
          const t = await step(id);
          if (!t || t.status !== 'running') return;
        }
      } catch (error) {
        // Marked failed, with the reason, so a poller learns of it; the deliveries queued so far stay queued.
        const reason = error instanceof Error ? error.message : String(error);
        await taskAdvance(storage, id, { cursor: null, queued: 0, status: 'failed', error: reason }).catch(() => {});
      } finally {
        running.delete(id);
      }
    })();
  }

  async function start(task: TaskType, appIdOrUid: string, endpointIdOrUid: string, range: { since: Date; until?: Date | null }): Promise<Task> {
    if (range.until && range.until <= range.since) throw validationError('until must be later than since', ['body', 'until']);
    const created = await storage.transaction(async (tx) => {
      const app = await applicationMustGet(tx, appIdOrUid);
      const endpoint = await endpointGet(tx, app.id, endpointIdOrUid);
      if (!endpoint) throw notFound('endpoint');
      return taskInsert(tx, { id: newId('qtask', ctx.now().getTime()), appId: app.id, endpointId: endpoint.id, task, since: range.since, until: range.until ?? null });
    });
    const afterFirst = (await step(created.id)) ?? created;
    if (afterFirst.status === 'running') runOn(created.id);
    return afterFirst;
  }

  return {
    /** Svix's replay-missing: every message since `since` (until `until`) the endpoint never received is sent to it. */
    replayMissing: (appIdOrUid: string, endpointIdOrUid: string, range: { since: Date; until?: Date | null }) => start('endpoint.replay', appIdOrUid, endpointIdOrUid, range),

    /** Svix's recover, as a task: the endpoint's failed and cancelled deliveries in the range get one manual attempt each. */
    recover: (appIdOrUid: string, endpointIdOrUid: string, range: { since: Date; until?: Date | null }) => start('endpoint.recover', appIdOrUid, endpointIdOrUid, range),

    async get(id: string): Promise<Task> {
      const t = await taskGet(storage, id);
      if (!t) throw notFound('background task');
      if (t.status === 'running' && ctx.now().getTime() - t.updatedAt.getTime() > staleAfterMs) runOn(t.id);
      return t;
    },

    list: (query: PageQuery & { status?: TaskStatus; task?: TaskType } = {}): Promise<Page<Task>> => taskList(storage, query),

    /** Resumes, in this process, running tasks that nobody has advanced for `staleAfterMs`; returns how many. */
    async resumeStale(limit = 100): Promise<number> {
      const ids = await taskListStale(storage, new Date(ctx.now().getTime() - staleAfterMs), limit);
      ids.forEach(runOn);
      return ids.length;
    },
  };
}
