import { z } from 'zod';
import type { Hookyard } from '../hookyard.js';
import { messageInSchema, type Message } from '../message/model.js';
import { iso, listOf, pageQuerySchema, queryBool, queryDate, queryList, timestamp } from './common.js';
import { route, type Route } from './route.js';

export const messageOutSchema = z.object({
  id: z.string(),
  eventType: z.string(),
  eventId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  channels: z.array(z.string()).nullable(),
  tags: z.array(z.string()).nullable(),
  timestamp,
});

export const messageOut = (m: Message, withContent = true): z.input<typeof messageOutSchema> => ({
  id: m.id,
  eventType: m.eventType,
  eventId: m.eventId,
  // Svix sends an empty payload when the caller asks for no content.
  payload: withContent ? (m.payload as Record<string, unknown>) : {},
  channels: m.channels,
  tags: m.tags,
  timestamp: iso(m.timestamp),
});

const LIST = '/api/v1/app/{app_id}/msg';
const tag = 'Message';
const out = { name: 'MessageOut', schema: messageOutSchema };
const withContent = z.object({ with_content: queryBool.optional() });

/** Hookyard extension: publish up to 1,000 messages in one transaction. */
const messageBatchInSchema = z.strictObject({ messages: z.array(messageInSchema).min(1).max(1000) });

export function messageRoutes(hookyard: Hookyard): Route[] {
  const { messages } = hookyard;
  return [
    route({
      method: 'get', path: LIST, operationId: 'v1.message.list', summary: 'List an application\'s messages, newest first', tag,
      query: pageQuerySchema.extend({
        event_types: queryList.optional(),
        channel: z.string().max(128).optional(),
        tag: z.string().max(128).optional(),
        before: queryDate.optional(),
        after: queryDate.optional(),
        with_content: queryBool.optional(),
      }),
      status: 200, response: { name: 'ListResponse_MessageOut_', schema: listOf(messageOutSchema) },
      handler: async ({ params, query }) => {
        const page = await messages.list(params.app_id!, {
          ...query,
          ...(query.event_types ? { eventTypes: query.event_types } : {}),
        });
        return { ...page, data: page.data.map((m) => messageOut(m, query.with_content ?? true)) };
      },
    }),
    route({
      method: 'post', path: LIST, operationId: 'v1.message.create', tag,
      summary: 'Send a message to the application\'s subscribed endpoints; a repeated eventId returns the first message',
      query: withContent,
      body: { name: 'MessageIn', schema: messageInSchema },
      status: 202, errors: [409, 413], response: out,
      handler: async ({ params, query, body }) => messageOut((await messages.publish(params.app_id!, body)).message, query.with_content ?? true),
    }),
    route({
      method: 'post', path: `${LIST}/batch`, operationId: 'v1.message.create-batch', tag,
      summary: 'Hookyard extension: send up to 1,000 messages in one transaction (all or nothing)',
      body: { name: 'MessageBatchIn', schema: messageBatchInSchema },
      status: 202, errors: [413], response: { name: 'MessageBatchOut', schema: z.object({ data: z.array(messageOutSchema) }) },
      handler: async ({ params, body }) => ({
        data: (await messages.publishBatch(params.app_id!, body.messages)).map((r) => messageOut(r.message, false)),
      }),
    }),
    route({
      method: 'get', path: `${LIST}/{msg_id}`, operationId: 'v1.message.get', summary: 'Get a message by id or eventId', tag,
      query: withContent,
      status: 200, response: out,
      handler: async ({ params, query }) => messageOut(await messages.get(params.app_id!, params.msg_id!), query.with_content ?? true),
    }),
  ];
}
