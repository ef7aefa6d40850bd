import { z } from 'zod';
import { HookyardError, notFound } from '../errors.js';
import type { Hookyard } from '../hookyard.js';
import { jsonElementMemberTexts, jsonMemberText } from '../json/scan.js';
import { JsonText, messageInSchema, messagePrecheckInSchema, type Message } from '../message/model.js';
import { iso, listOf, listText, pageQuerySchema, queryBool, queryDate, queryList, timestamp } from './common.js';
import type { MessageReplay } from './idempotency.js';
import { JsonBody, route, type Route } from './route.js';

export const messageOutSchema = z.object({
  id: z.string(),
  eventType: z.string(),
  eventId: z.string().nullable(),
  // A string only for a received webhook whose body is not JSON (src/inbound/): a form, XML.
  payload: z.union([z.record(z.string(), z.unknown()), z.string()]),
  channels: z.array(z.string()).nullable(),
  tags: z.array(z.string()).nullable(),
  timestamp,
  deliverAt: timestamp.nullable().optional(),
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
  deliverAt: m.deliverAt ? iso(m.deliverAt) : null,
});

/**
 * MessageOut as JSON text, with the payload's exact stored text spliced in, so that a
 * response shows the payload as it was sent (a JS number would round 1234567890123456789).
 */
export function messageOutText(m: Message, withContent = true): string {
  const head = JSON.stringify({ id: m.id, eventType: m.eventType, eventId: m.eventId });
  const tail = JSON.stringify({ channels: m.channels, tags: m.tags, timestamp: iso(m.timestamp), deliverAt: m.deliverAt ? iso(m.deliverAt) : null });
  return `${head.slice(0, -1)},"payload":${withContent ? m.payloadText : '{}'},${tail.slice(1)}`;
}

const LIST = '/api/v1/app/{app_id}/msg';
const tag = 'Message';
const out = { name: 'MessageOut', schema: messageOutSchema };
const withContent = z.object({ with_content: queryBool.optional() });

/** Hookyard extension: publish up to 1,000 messages in one transaction. */
const messageBatchInSchema = z.strictObject({ messages: z.array(messageInSchema).min(1).max(1000) });

export function messageRoutes(hookyard: Hookyard): Route[] {
  const { messages } = hookyard;

  /** A repeat of a publish, answered from the message its Idempotency-Key points at. */
  const replay: MessageReplay = async (c, messageId, withContent) => {
    const message = await messages.get(c.req.param('app_id')!, messageId);
    return c.body(messageOutText(message, withContent), 202, { 'content-type': 'application/json' });
  };

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
        return listText(page, (m) => messageOutText(m, query.with_content ?? true));
      },
    }),
    route({
      method: 'post', path: LIST, operationId: 'v1.message.create', tag,
      summary: 'Send a message to the application\'s subscribed endpoints; a repeated eventId returns the first message',
      query: withContent,
      body: { name: 'MessageIn', schema: messageInSchema },
      status: 202, errors: [409, 413], response: out,
      idempotentReplay: replay,
      handler: async ({ params, query, body, bodyText, c, setStatus }) => {
        const content = query.with_content ?? true;
        // The payload's own text from the body, kept exactly; the parsed copy is what gets validated.
        const input = { ...body, payload: new JsonText(jsonMemberText(bodyText, 'payload')!, body.payload) };
        const claim = c.get('idempotency');
        if (!claim) return new JsonBody(messageOutText((await messages.publish(params.app_id!, input)).message, content));
        const once = await messages.publishOnce(params.app_id!, input, { ...claim, withContent: content });
        c.set('idempotencyHandled', true);
        switch (once.kind) {
          case 'published':
            return new JsonBody(messageOutText(once.result.message, content));
          case 'replayed':
            c.header('Idempotent-Replayed', 'true');
            if (!once.message) throw notFound('message');
            return new JsonBody(messageOutText(once.message, once.withContent));
          case 'replayed-response':
            c.header('Idempotent-Replayed', 'true');
            setStatus(once.status);
            return new JsonBody(once.body ?? '', false);
          case 'in-progress':
            throw new HookyardError('conflict', 'a request with this Idempotency-Key is in progress');
          case 'key-reused':
            throw new HookyardError('validation', 'Idempotency-Key was used for a different request', { fields: [{ loc: ['header', 'idempotency-key'], msg: 'was used for a different request', type: 'value_error' }] });
        }
      },
    }),
    route({
      method: 'post', path: `${LIST}/batch`, operationId: 'v1.message.create-batch', tag,
      summary: 'Hookyard extension: send up to 1,000 messages in one transaction (all or nothing)',
      body: { name: 'MessageBatchIn', schema: messageBatchInSchema },
      status: 202, errors: [413], response: { name: 'MessageBatchOut', schema: z.object({ data: z.array(messageOutSchema) }) },
      handler: async ({ params, body, bodyText }) => {
        const texts = jsonElementMemberTexts(bodyText, 'messages', 'payload');
        const inputs = body.messages.map((m, i) => ({ ...m, payload: new JsonText(texts[i]!, m.payload) }));
        return { data: (await messages.publishBatch(params.app_id!, inputs)).map((r) => messageOut(r.message, false)) };
      },
    }),
    route({
      method: 'post', path: `${LIST}/precheck/active`, operationId: 'v1.message.precheck', tag,
      summary: 'Would a message of this event type (and channels) go to any enabled endpoint now?',
      body: { name: 'MessagePrecheckIn', schema: messagePrecheckInSchema },
      status: 200, response: { name: 'MessagePrecheckOut', schema: z.object({ active: z.boolean() }) },
      handler: async ({ params, body }) => messages.precheck(params.app_id!, body),
    }),
    route({
      method: 'delete', path: `${LIST}/{msg_id}/content`, operationId: 'v1.message.expunge-content', tag,
      summary: 'Delete a message\'s payload; it stays listed, with {"expired": true}, and its waiting deliveries are cancelled',
      status: 204,
      handler: async ({ params }) => messages.expungeContent(params.app_id!, params.msg_id!),
    }),
    route({
      method: 'get', path: `${LIST}/{msg_id}`, operationId: 'v1.message.get', summary: 'Get a message by id or eventId', tag,
      query: withContent,
      status: 200, response: out,
      handler: async ({ params, query }) => new JsonBody(messageOutText(await messages.get(params.app_id!, params.msg_id!), query.with_content ?? true)),
    }),
  ];
}
