import { z } from 'zod';
import { eventTypeInSchema, eventTypePatchSchema, eventTypeUpdateSchema, type EventType } from '../event-type/model.js';
import type { Hookyard } from '../hookyard.js';
import { iso, listOf, pageQuerySchema, queryBool, timestamp } from './common.js';
import { route, type Route } from './route.js';

export const eventTypeOutSchema = z.object({
  name: z.string(),
  description: z.string(),
  schemas: z.record(z.string(), z.unknown()).nullable(),
  archived: z.boolean(),
  deprecated: z.boolean(),
  featureFlag: z.string().nullable(),
  groupName: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const eventTypeOut = (e: EventType, withContent = true): z.input<typeof eventTypeOutSchema> => ({
  name: e.name,
  description: e.description,
  schemas: withContent ? e.schemas : null,
  archived: e.archived,
  deprecated: e.deprecated,
  featureFlag: e.featureFlag,
  groupName: e.groupName,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

const ONE = '/api/v1/event-type/{event_type_name}';
const tag = 'Event Type';
const out = { name: 'EventTypeOut', schema: eventTypeOutSchema };

export function eventTypeRoutes(hookyard: Hookyard): Route[] {
  const { eventTypes } = hookyard;
  return [
    route({
      method: 'get', path: '/api/v1/event-type', operationId: 'v1.event-type.list', summary: 'List event types', tag,
      query: pageQuerySchema.extend({ include_archived: queryBool.optional(), with_content: queryBool.optional() }),
      status: 200, response: { name: 'ListResponse_EventTypeOut_', schema: listOf(eventTypeOutSchema) },
      handler: async ({ query }) => {
        const page = await eventTypes.list({ ...query, includeArchived: query.include_archived ?? false });
        return { ...page, data: page.data.map((e) => eventTypeOut(e, query.with_content ?? true)) };
      },
    }),
    route({
      method: 'post', path: '/api/v1/event-type', operationId: 'v1.event-type.create', summary: 'Create an event type', tag,
      body: { name: 'EventTypeIn', schema: eventTypeInSchema },
      status: 201, errors: [409], response: out,
      handler: async ({ body }) => eventTypeOut(await eventTypes.create(body)),
    }),
    route({
      method: 'get', path: ONE, operationId: 'v1.event-type.get', summary: 'Get an event type', tag,
      status: 200, response: out,
      handler: async ({ params }) => eventTypeOut(await eventTypes.get(params.event_type_name!)),
    }),
    route({
      method: 'put', path: ONE, operationId: 'v1.event-type.update', summary: 'Replace an event type, creating it if missing (201)', tag,
      body: { name: 'EventTypeUpdate', schema: eventTypeUpdateSchema },
      status: 200, alsoStatus: [201], response: out,
      handler: async ({ params, body, setStatus }) => {
        const { eventType, created } = await eventTypes.update(params.event_type_name!, body);
        if (created) setStatus(201);
        return eventTypeOut(eventType);
      },
    }),
    route({
      method: 'patch', path: ONE, operationId: 'v1.event-type.patch', summary: 'Change some fields of an event type', tag,
      body: { name: 'EventTypePatch', schema: eventTypePatchSchema },
      status: 200, response: out,
      handler: async ({ params, body }) => eventTypeOut(await eventTypes.patch(params.event_type_name!, body)),
    }),
    route({
      method: 'delete', path: ONE, operationId: 'v1.event-type.delete', tag,
      summary: 'Archive an event type (expunge=true deletes it)',
      query: z.object({ expunge: queryBool.optional() }),
      status: 204,
      handler: async ({ params, query }) => eventTypes.delete(params.event_type_name!, { expunge: query.expunge ?? false }),
    }),
  ];
}
