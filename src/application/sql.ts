import { notFound } from '../errors.js';
import type { Queryable } from '../store/port.js';
import { pagePlan, pageFinish, type Page, type PageQuery } from '../store/page.js';
import type { Application } from './model.js';

interface ApplicationRow {
  id: string;
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  rate_limit: number | null;
  parent_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, uid, name, metadata, rate_limit, parent_id, created_at, updated_at';

function toApplication(r: ApplicationRow): Application {
  return {
    id: r.id,
    uid: r.uid,
    name: r.name,
    metadata: r.metadata,
    rateLimit: r.rate_limit,
    parentId: r.parent_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface ApplicationFields {
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  rateLimit: number | null;
  parentId: string | null;
}

export async function applicationInsert(db: Queryable, id: string, f: ApplicationFields): Promise<Application> {
  const { rows } = await db.query<ApplicationRow>(
    `insert into hookyard.application (id, uid, name, metadata, rate_limit, parent_id)
     values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [id, f.uid, f.name, f.metadata, f.rateLimit, f.parentId],
  );
  return toApplication(rows[0]!);
}

/** Like applicationGet, for callers that answer 404 when it is missing. */
export async function applicationMustGet(db: Queryable, idOrUid: string): Promise<Application> {
  const app = await applicationGet(db, idOrUid);
  if (!app) throw notFound('application');
  return app;
}

/** Looks an application up by id or uid, as Svix does everywhere an app is named. */
export async function applicationGet(db: Queryable, idOrUid: string): Promise<Application | undefined> {
  const { rows } = await db.query<ApplicationRow>(
    // The internal application of the operational webhooks (src/operational/) is not one of the caller's.
    `select ${COLUMNS} from hookyard.application where (id = $1 or uid = $1) and id <> 'app_hookyard_operational' limit 1`,
    [idOrUid],
  );
  return rows[0] && toApplication(rows[0]);
}

export async function applicationUpdate(db: Queryable, id: string, f: ApplicationFields): Promise<Application | undefined> {
  const { rows } = await db.query<ApplicationRow>(
    `update hookyard.application
        set uid = $2, name = $3, metadata = $4, rate_limit = $5, parent_id = $6, updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [id, f.uid, f.name, f.metadata, f.rateLimit, f.parentId],
  );
  return rows[0] && toApplication(rows[0]);
}

export async function applicationDelete(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('delete from hookyard.application where id = $1 returning id', [id]);
  return rows.length > 0;
}

export async function applicationList(db: Queryable, query: PageQuery): Promise<Page<Application>> {
  const plan = pagePlan(query, 'id', 1);
  const { rows } = await db.query<ApplicationRow>(
    // A source's hidden application (src/inbound/) and the operational one are not the caller's applications.
    `select ${COLUMNS} from hookyard.application where id <> 'app_hookyard_operational' and source_id is null and ${plan.where} order by ${plan.orderBy} limit ${plan.fetch}`,
    plan.cursor === undefined ? [] : [plan.cursor],
  );
  return pageFinish(plan, rows, (r) => r.id, toApplication);
}

/** Ids of `id` and its ancestors, nearest first. The depth bound stops a cycle from looping. */
export async function applicationAncestors(db: Queryable, id: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `with recursive chain (id, parent_id, depth) as (
       select id, parent_id, 0 from hookyard.application where id = $1
       union all
       select a.id, a.parent_id, c.depth + 1
         from hookyard.application a join chain c on a.id = c.parent_id
        where c.depth < 32
     )
     select id from chain order by depth`,
    [id],
  );
  return rows.map((r) => r.id);
}

/** Marks an application as a source's hidden one (src/inbound/): left out of application lists. */
export async function applicationSourceSet(db: Queryable, appId: string, sourceId: string): Promise<void> {
  await db.query('update hookyard.application set source_id = $2 where id = $1', [appId, sourceId]);
}
