import type { Context } from '../context.js';
import { HookyardError, isUniqueViolation, notFound, validationError } from '../errors.js';
import type { Page } from '../store/page.js';
import { parseInput } from '../validate.js';
import { eventTypeNameSchema } from '../schema-parts.js';
import {
  eventTypeInSchema,
  eventTypePatchSchema,
  eventTypeUpdateSchema,
  type EventType,
  type EventTypeIn,
  type EventTypePatch,
  type EventTypeUpdate,
} from './model.js';
import type { PayloadValidators } from './payload-schema.js';
import { eventTypeArchive, eventTypeDelete, eventTypeGet, eventTypeInsert, eventTypeList, eventTypeUpsert, type EventTypeFields, type EventTypeListQuery } from './sql.js';

export type EventTypeService = ReturnType<typeof eventTypeService>;

export function eventTypeService(ctx: Context, validators: PayloadValidators) {
  const { storage } = ctx;

  function checkSchemas(schemas: Record<string, unknown> | null | undefined): void {
    if (!schemas) return;
    try {
      validators.check(schemas);
    } catch (cause) {
      // The validators' messages say what is wrong and which version: too large, a `$ref` loop, a pattern RE2 lacks, not compilable.
      const msg = (cause as Error).message;
      throw new HookyardError('validation', `schemas: ${msg}`, { cause, fields: [{ loc: ['body', 'schemas'], msg, type: 'schema' }] });
    }
  }

  function fields(name: string, body: Omit<EventTypeIn, 'name'>): EventTypeFields {
    return {
      name,
      description: body.description,
      schemas: body.schemas ?? null,
      archived: body.archived ?? false,
      deprecated: body.deprecated ?? false,
      featureFlag: body.featureFlag ?? null,
      groupName: body.groupName ?? null,
    };
  }

  async function mustGet(name: string): Promise<EventType> {
    const eventType = await eventTypeGet(storage, name);
    if (!eventType) throw notFound('event type');
    return eventType;
  }

  function checkName(name: string): string {
    if (!eventTypeNameSchema.safeParse(name).success) throw validationError('invalid event type name', ['path', 'event_type_name']);
    return name;
  }

  return {
    async create(input: EventTypeIn): Promise<EventType> {
      const body = parseInput(eventTypeInSchema, input);
      checkSchemas(body.schemas);
      try {
        return await eventTypeInsert(storage, fields(body.name, body));
      } catch (error) {
        if (isUniqueViolation(error)) throw new HookyardError('conflict', 'an event type with this name already exists', { cause: error });
        throw error;
      }
    },

    get: (name: string) => mustGet(checkName(name)),

    list: (query: EventTypeListQuery = {}): Promise<Page<EventType>> => eventTypeList(storage, query),

    /** PUT: replaces the event type, creating it when missing (as Svix does). */
    async update(name: string, input: EventTypeUpdate): Promise<{ eventType: EventType; created: boolean }> {
      const body = parseInput(eventTypeUpdateSchema, input);
      checkSchemas(body.schemas);
      return eventTypeUpsert(storage, fields(checkName(name), body));
    },

    async patch(name: string, input: EventTypePatch): Promise<EventType> {
      const body = parseInput(eventTypePatchSchema, input);
      checkSchemas(body.schemas);
      const current = await mustGet(checkName(name));
      const merged = fields(name, {
        description: body.description ?? current.description,
        schemas: body.schemas === undefined ? current.schemas as EventTypeIn['schemas'] : body.schemas,
        archived: body.archived ?? current.archived,
        deprecated: body.deprecated ?? current.deprecated,
        featureFlag: body.featureFlag === undefined ? current.featureFlag : body.featureFlag,
        groupName: body.groupName === undefined ? current.groupName : body.groupName,
      });
      return (await eventTypeUpsert(storage, merged)).eventType;
    },

    /** Svix archives by default (messages may still name it); `expunge` removes the row. */
    async delete(name: string, { expunge = false }: { expunge?: boolean } = {}): Promise<void> {
      checkName(name);
      const found = expunge ? await eventTypeDelete(storage, name) : await eventTypeArchive(storage, name);
      if (!found) throw notFound('event type');
    },
  };
}
