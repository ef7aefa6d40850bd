import type { Context } from '../context.js';
import { HookyardError, isUniqueViolation, notFound } from '../errors.js';
import { newId } from '../ids/id.js';
import type { Queryable } from '../store/port.js';
import type { Page, PageQuery } from '../store/page.js';
import { parseInput } from '../validate.js';
import {
  applicationAncestors,
  applicationDelete,
  applicationGet,
  applicationInsert,
  applicationList,
  applicationMustGet,
  applicationUpdate,
  type ApplicationFields,
} from './sql.js';
import { applicationInSchema, applicationPatchSchema, type Application, type ApplicationIn, type ApplicationPatch } from './model.js';

export type ApplicationService = ReturnType<typeof applicationService>;

export function applicationService(ctx: Context) {
  const { storage } = ctx;

  /** Resolves a parent given by id or uid and refuses a parent chain that would loop back to `selfId`. */
  async function resolveParent(db: Queryable, parent: string | null | undefined, selfId: string): Promise<string | null> {
    if (parent == null) return null;
    const app = await applicationGet(db, parent);
    if (!app) throw new HookyardError('validation', 'parent application not found', { fields: [{ loc: ['body', 'parentId'], msg: 'parent application not found', type: 'value_error' }] });
    const chain = await applicationAncestors(db, app.id);
    if (chain.includes(selfId)) {
      throw new HookyardError('validation', 'an application cannot be its own ancestor', { fields: [{ loc: ['body', 'parentId'], msg: 'would create a cycle', type: 'value_error' }] });
    }
    return app.id;
  }

  async function write(db: Queryable, id: string, fields: ApplicationFields, exists: boolean): Promise<Application> {
    try {
      if (!exists) return await applicationInsert(db, id, fields);
      const app = await applicationUpdate(db, id, fields);
      if (!app) throw notFound('application');
      return app;
    } catch (error) {
      if (isUniqueViolation(error)) throw new HookyardError('conflict', 'an application with this uid already exists', { cause: error });
      throw error;
    }
  }

  return {
    async create(input: ApplicationIn): Promise<Application> {
      const body = parseInput(applicationInSchema, input);
      return storage.transaction(async (tx) => {
        const id = newId('app', ctx.now().getTime());
        const parentId = await resolveParent(tx, body.parentId, id);
        return write(tx, id, { uid: body.uid ?? null, name: body.name, metadata: body.metadata ?? {}, rateLimit: body.rateLimit ?? null, parentId }, false);
      });
    },

    /** Svix's `get_if_exists`: returns the application with this uid, creating it if needed. */
    async getOrCreate(input: ApplicationIn): Promise<{ application: Application; created: boolean }> {
      const body = parseInput(applicationInSchema, input);
      if (body.uid) {
        const existing = await applicationGet(storage, body.uid);
        if (existing) return { application: existing, created: false };
      }
      try {
        return { application: await this.create(input), created: true };
      } catch (error) {
        // Two callers raced to create the same uid: the loser returns the winner's row.
        const raced = error instanceof HookyardError && error.code === 'conflict' && body.uid ? await applicationGet(storage, body.uid) : undefined;
        if (raced) return { application: raced, created: false };
        throw error;
      }
    },

    get: (idOrUid: string) => applicationMustGet(storage, idOrUid),

    list: (query: PageQuery = {}): Promise<Page<Application>> => applicationList(storage, query),

    /** PUT semantics: fields left out are reset to their defaults. */
    async update(idOrUid: string, input: ApplicationIn): Promise<Application> {
      const body = parseInput(applicationInSchema, input);
      return storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, idOrUid);
        const parentId = await resolveParent(tx, body.parentId, app.id);
        return write(tx, app.id, { uid: body.uid ?? null, name: body.name, metadata: body.metadata ?? {}, rateLimit: body.rateLimit ?? null, parentId }, true);
      });
    },

    /** PATCH semantics: only fields present change; null clears. */
    async patch(idOrUid: string, input: ApplicationPatch): Promise<Application> {
      const body = parseInput(applicationPatchSchema, input);
      return storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, idOrUid);
        const parentId = body.parentId === undefined ? app.parentId : await resolveParent(tx, body.parentId, app.id);
        return write(
          tx,
          app.id,
          {
            uid: body.uid === undefined ? app.uid : body.uid,
            name: body.name ?? app.name,
            metadata: body.metadata ?? app.metadata,
            rateLimit: body.rateLimit === undefined ? app.rateLimit : body.rateLimit,
            parentId,
          },
          true,
        );
      });
    },

    async delete(idOrUid: string): Promise<void> {
      const app = await applicationMustGet(storage, idOrUid);
      if (!(await applicationDelete(storage, app.id))) throw notFound('application');
    },
  };
}
