import { pageFinish, pagePlan, type Page, type PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import type { Task, TaskStatus, TaskType } from './model.js';

interface TaskRow {
  id: string;
  app_id: string;
  endpoint_id: string;
  task: TaskType;
  status: TaskStatus;
  since: Date;
  until: Date | null;
  cursor: string | null;
  data: Task['data'];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, app_id, endpoint_id, task, status, since, until, cursor, data, created_at, updated_at';

const toTask = (r: TaskRow): Task => ({
  id: r.id,
  appId: r.app_id,
  endpointId: r.endpoint_id,
  task: r.task,
  status: r.status,
  since: r.since,
  until: r.until,
  cursor: r.cursor,
  data: r.data,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function taskInsert(db: Queryable, t: Pick<Task, 'id' | 'appId' | 'endpointId' | 'task' | 'since' | 'until'>): Promise<Task> {
  const { rows } = await db.query<TaskRow>(
    `insert into hookyard.background_task (id, app_id, endpoint_id, task, since, until, data) values ($1, $2, $3, $4, $5, $6, '{"queued": 0}')
     returning ${COLUMNS}`,
    [t.id, t.appId, t.endpointId, t.task, t.since, t.until],
  );
  return toTask(rows[0]!);
}

export async function taskGet(db: Queryable, id: string): Promise<Task | undefined> {
  const { rows } = await db.query<TaskRow>(`select ${COLUMNS} from hookyard.background_task where id = $1`, [id]);
  return rows[0] && toTask(rows[0]);
}

/**
 * The task, locked for one step, if it is still running and no other process is running a step
 * of it now (SKIP LOCKED): two runners of one task take turns step by step, never both at once.
 */
export async function taskLockRunning(db: Queryable, id: string): Promise<Task | undefined> {
  const { rows } = await db.query<TaskRow>(`select ${COLUMNS} from hookyard.background_task where id = $1 and status = 'running' for update skip locked`, [id]);
  return rows[0] && toTask(rows[0]);
}

/** Running tasks not advanced since `before`: left by a process that died (or about to be stepped by a slow one). */
export async function taskListStale(db: Queryable, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from hookyard.background_task where status = 'running' and updated_at < $1 order by updated_at limit $2`,
    [before, limit],
  );
  return rows.map((r) => r.id);
}

/** Tasks that ended (finished or failed) before `before`: the retention cleaner removes them. */
export async function taskDeleteEnded(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query(`delete from hookyard.background_task where status <> 'running' and updated_at < $1`, [before]);
  return rowCount ?? 0;
}

/** Records a step: the new cursor, deliveries queued, and whether the task is done. */
export async function taskAdvance(db: Queryable, id: string, step: { cursor: string | null; queued: number; status: TaskStatus; error?: string }): Promise<Task> {
  const { rows } = await db.query<TaskRow>(
    `update hookyard.background_task
        set cursor = coalesce($2, cursor), status = $4,
            data = jsonb_build_object('queued', coalesce((data ->> 'queued')::int, 0) + $3) || case when $5::text is null then '{}'::jsonb else jsonb_build_object('error', $5::text) end,
            updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [id, step.cursor, step.queued, step.status, step.error ?? null],
  );
  return toTask(rows[0]!);
}

export async function taskList(db: Queryable, query: PageQuery & { status?: TaskStatus; task?: TaskType }): Promise<Page<Task>> {
  const plan = pagePlan(query, 'id', 3);
  const { rows } = await db.query<TaskRow>(
    `select ${COLUMNS} from hookyard.background_task
      where ($1::text is null or status = $1) and ($2::text is null or task = $2) and ${plan.where}
      order by ${plan.orderBy} limit ${plan.fetch}`,
    [query.status ?? null, query.task ?? null, ...(plan.cursor === undefined ? [] : [plan.cursor])],
  );
  return pageFinish(plan, rows, (r) => r.id, toTask);
}
