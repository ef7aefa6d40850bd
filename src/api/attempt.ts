import { z } from 'zod';
import { STATUS_OF_STATE, STATUS_TEXT, type Attempt } from '../attempt/model.js';
import type { EndpointMessage } from '../delivery/model.js';
import { DELIVERY_STATES } from '../delivery/state.js';
import type { AttemptService } from '../attempt/service.js';
import { iso, listOf, listText, pageQuerySchema, queryBool, queryDate, queryList, timestamp } from './common.js';
import { endpointOut, endpointOutSchema } from './endpoint.js';
import { messageOutSchema, messageOutText } from './message.js';
import { route, type Route } from './route.js';

const ERROR_CLASSES = ['dns', 'refused', 'reset', 'timeout', 'tls', 'blocked', 'secret', 'other', 'status'] as const;

export const attemptOutSchema = z.object({
  id: z.string(),
  msgId: z.string(),
  endpointId: z.string(),
  url: z.string(),
  response: z.string().describe('The response body; when there was no response, the reason (as errorMessage)'),
  responseStatusCode: z.number().describe('0 when there was no response'),
  responseDurationMs: z.number(),
  status: z.number().describe('0 success, 2 fail'),
  statusText: z.enum(STATUS_TEXT),
  triggerType: z.number().describe('0 scheduled, 1 manual'),
  timestamp,
  errorClass: z.enum(ERROR_CLASSES).nullable().describe('Hookyard extension: why the attempt failed; null when it succeeded'),
  errorMessage: z.string().nullable().describe('Hookyard extension: the reason in words, starting with the class (`timeout after 15000 ms`); null when it succeeded'),
  msg: messageOutSchema.nullable().optional().describe('The message, with `with_msg=true`; null when it is no longer kept'),
});

/**
 * Hookyard extension on the one-attempt GET only (lists stay as Svix's): the request as sent and
 * the response's headers, as the worker stored them. Credential-like custom headers are stored as
 * `[redacted]` (src/delivery/attempt.ts); the signature headers are kept, being no secret.
 */
export const attemptDetailOutSchema = attemptOutSchema.extend({
  requestHeaders: z.record(z.string(), z.string())
    .describe('Hookyard extension: the request\'s headers as sent (lowercased), sensitive custom headers as `[redacted]`; `{}` when nothing was sent (the secret would not sign). The body is the message\'s payload (GET …/msg/{msg_id}), not stored again'),
  responseHeaders: z.record(z.string(), z.string()).nullable()
    .describe('Hookyard extension: the response\'s headers; null with no response, or once the content was expunged'),
  responseTruncated: z.boolean().describe('Hookyard extension: `response` was cut at the worker\'s maxResponseBytes'),
});

/** Why an attempt failed: the worker's classes for no response, and `status` for a non-2xx answer. */
function failure(a: Attempt): { errorClass: (typeof ERROR_CLASSES)[number]; errorMessage: string } | undefined {
  if (a.succeeded) return undefined;
  if (a.errorCode) {
    const errorClass = (ERROR_CLASSES as readonly string[]).includes(a.errorCode) ? (a.errorCode as (typeof ERROR_CLASSES)[number]) : 'other';
    return { errorClass, errorMessage: a.errorMessage ?? a.errorCode };
  }
  return { errorClass: 'status', errorMessage: `status: the endpoint answered ${a.responseStatus ?? 0}` };
}

const attemptOut = (a: Attempt): z.input<typeof attemptOutSchema> => {
  const status = a.succeeded ? 0 : 2;
  const failed = failure(a);
  return {
    id: a.id,
    msgId: a.messageId,
    endpointId: a.endpointId,
    url: a.url,
    // Svix clients show `response`; with no response there, the reason is the most useful thing to show.
    response: a.responseBody ?? (a.responseStatus === null ? (failed?.errorMessage ?? '') : ''),
    responseStatusCode: a.responseStatus ?? 0,
    responseDurationMs: a.durationMs,
    status,
    statusText: STATUS_TEXT[status]!,
    triggerType: a.trigger === 'manual' ? 1 : 0,
    timestamp: iso(a.createdAt),
    errorClass: failed?.errorClass ?? null,
    errorMessage: failed?.errorMessage ?? null,
  };
};

/** Where one message's delivery to one endpoint stands, as Svix shows it beside a message or an endpoint. */
const deliveryStatusFields = {
  status: z.number().describe('0 success, 1 pending, 2 fail, 3 sending, 4 canceled'),
  statusText: z.enum(STATUS_TEXT),
  nextAttempt: timestamp.nullable(),
};
const messageEndpointOutSchema = endpointOutSchema.extend(deliveryStatusFields);

// Svix's status filter is the MessageStatus number; attempts are only ever 0 or 2.
const attemptQuery = pageQuerySchema.extend({
  status: z.coerce.number().int().min(0).max(4).optional(),
  before: queryDate.optional(),
  after: queryDate.optional(),
  event_types: queryList.optional(),
  channel: z.string().max(128).optional(),
  tag: z.string().max(128).optional(),
  status_code_class: z.coerce.number().pipe(z.union([z.literal(0), z.literal(100), z.literal(200), z.literal(300), z.literal(400), z.literal(500)])).optional(),
  with_content: queryBool.optional(),
});
const filters = ({ event_types, status, status_code_class, with_content: _, ...q }: z.output<typeof attemptQuery>) => ({
  ...q,
  ...(event_types ? { eventTypes: event_types } : {}),
  ...(status === undefined ? {} : { succeeded: status === 0 }),
  ...(status_code_class === undefined ? {} : { statusCodeClass: status_code_class }),
});
/** An attempt is a success (0) or a failure (2); asking for another status finds none. */
const noneCan = (q: z.output<typeof attemptQuery>) => q.status !== undefined && q.status !== 0 && q.status !== 2;
const EMPTY = { data: [], iterator: null, prevIterator: null, done: true };
/** Svix answers `{}` in place of the response body with `with_content=false`. */
const shown = (q: z.output<typeof attemptQuery>) => (a: Attempt) => (q.with_content === false ? { ...attemptOut(a), response: '{}' } : attemptOut(a));
const list = { name: 'ListResponse_MessageAttemptOut_', schema: listOf(attemptOutSchema) };

/** Svix's EndpointMessageOut: the message, and where its delivery to the endpoint stands. */
const endpointMessageOutSchema = messageOutSchema.extend(deliveryStatusFields);

const attemptedMessagesQuery = attemptQuery.omit({ status_code_class: true });

/** EndpointMessageOut as JSON text, the payload spliced in as it was sent (see messageOutText). */
function endpointMessageOutText(d: EndpointMessage, withContent: boolean): string {
  const status = STATUS_OF_STATE[d.state];
  const extra = JSON.stringify({ status, statusText: STATUS_TEXT[status], nextAttempt: d.nextAttemptAt && iso(d.nextAttemptAt) });
  return `${messageOutText(d.message, withContent).slice(0, -1)},${extra.slice(1)}`;
}
const tag = 'Message Attempt';

export function attemptRoutes(attempts: AttemptService): Route[] {
  return [
    route({
      method: 'get', path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}', operationId: 'v1.message-attempt.list-by-endpoint', tag,
      summary: 'List attempts to an endpoint, newest first',
      query: attemptQuery.extend({ with_msg: queryBool.optional() }), status: 200, response: list,
      handler: async ({ params, query: { with_msg, ...query } }) => {
        // Listed even when no attempt can match, so an unknown application or endpoint is a 404.
        if (!with_msg || noneCan(query)) {
          const page = await attempts.listByEndpoint(params.app_id!, params.endpoint_id!, filters(query));
          if (noneCan(query)) return EMPTY;
          return { ...page, data: page.data.map(shown(query)) };
        }
        const { page, messages } = await attempts.listByEndpointWithMessages(params.app_id!, params.endpoint_id!, filters(query));
        // The payload is spliced in as stored text (see messageOutText), so the page is written as text.
        const withMsg = (a: Attempt) => {
          const m = messages.get(a.messageId);
          return `${JSON.stringify(shown(query)(a)).slice(0, -1)},"msg":${m ? messageOutText(m, query.with_content ?? true) : 'null'}}`;
        };
        return listText(page, withMsg);
      },
    }),
    route({
      method: 'get', path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}', operationId: 'v1.message-attempt.list-by-msg', tag,
      summary: 'List attempts of a message, newest first',
      query: attemptQuery.extend({ endpoint_id: z.string().max(256).optional() }), status: 200, response: list,
      handler: async ({ params, query }) => {
        const page = await attempts.listByMessage(params.app_id!, params.msg_id!, { ...filters(query), ...(query.endpoint_id ? { endpoint: query.endpoint_id } : {}) });
        return noneCan(query) ? EMPTY : { ...page, data: page.data.map(shown(query)) };
      },
    }),
    route({
      method: 'get', path: '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}', operationId: 'v1.message-attempt.get', tag,
      summary: 'Get one attempt',
      status: 200, response: { name: 'MessageAttemptOut', schema: attemptDetailOutSchema },
      handler: async ({ params }) => {
        const a = await attempts.get(params.app_id!, params.msg_id!, params.attempt_id!);
        return { ...attemptOut(a), requestHeaders: a.requestHeaders, responseHeaders: a.responseHeaders, responseTruncated: a.responseTruncated };
      },
    }),
    route({
      method: 'delete', path: '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content', operationId: 'v1.message-attempt.expunge-content', tag,
      summary: 'Delete what the endpoint answered in one attempt: the response becomes "EXPUNGED", the response headers go',
      status: 204,
      handler: async ({ params }) => attempts.expungeContent(params.app_id!, params.msg_id!, params.attempt_id!),
    }),
    route({
      method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg', operationId: 'v1.message-attempt.list-attempted-messages', tag,
      summary: 'List the messages sent to an endpoint, newest first, with each delivery\'s status',
      query: attemptedMessagesQuery, status: 200,
      response: { name: 'ListResponse_EndpointMessageOut_', schema: listOf(endpointMessageOutSchema) },
      handler: async ({ params, query }) => {
        const { status, event_types, with_content, ...rest } = query;
        const page = await attempts.attemptedMessages(params.app_id!, params.endpoint_id!, {
          ...rest,
          ...(event_types ? { eventTypes: event_types } : {}),
          ...(status === undefined ? {} : { state: DELIVERY_STATES.find((s) => STATUS_OF_STATE[s] === status)! }),
        });
        return listText(page, (d) => endpointMessageOutText(d, with_content ?? true));
      },
    }),
    route({
      method: 'get', path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint', operationId: 'v1.message-attempt.list-attempted-destinations', tag,
      summary: 'List the endpoints a message was sent to, with each delivery\'s status',
      query: pageQuerySchema, status: 200,
      response: { name: 'ListResponse_MessageEndpointOut_', schema: listOf(messageEndpointOutSchema) },
      handler: async ({ params, query }) => {
        const page = await attempts.destinations(params.app_id!, params.msg_id!, query);
        return {
          ...page,
          data: page.data.map((d) => {
            const status = STATUS_OF_STATE[d.state];
            return { ...endpointOut(d.endpoint), status, statusText: STATUS_TEXT[status]!, nextAttempt: d.nextAttemptAt && iso(d.nextAttemptAt) };
          }),
        };
      },
    }),
  ];
}
