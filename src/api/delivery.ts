import { z } from 'zod';
import type { Hookyard } from '../hookyard.js';
import type { Task } from '../task/model.js';
import { iso, listOf, pageQuerySchema, timestamp } from './common.js';
import { route, type Route } from './route.js';

/**
 * Routes that act on deliveries: recover (re-queue an endpoint's failures since a time),
 * replay-missing (send it what it never received), both background tasks in Svix's shapes, the
 * background-task routes to poll them, and resend (one message to one endpoint again). A task's
 * first step runs in the request, so a small range answers `finished`; a larger one answers
 * `running` and goes on in the background (src/task/service.ts).
 */
const rangeInSchema = z.strictObject({ since: z.iso.datetime({ offset: true }), until: z.iso.datetime({ offset: true }).nullish() });
const taskStatusSchema = z.enum(['running', 'finished', 'failed']);
const taskTypeSchema = z.enum(['endpoint.replay', 'endpoint.recover']);
const recoverOutSchema = z.object({
  id: z.string(),
  status: taskStatusSchema,
  task: z.literal('endpoint.recover'),
  updatedAt: timestamp,
  requeued: z.number().describe('Hookyard extension: deliveries put back in the queue so far'),
});
const replayOutSchema = z.object({ id: z.string(), status: taskStatusSchema, task: z.literal('endpoint.replay'), updatedAt: timestamp });
const backgroundTaskOutSchema = z.object({
  id: z.string(),
  status: taskStatusSchema,
  task: taskTypeSchema,
  updatedAt: timestamp,
  data: z.object({ queued: z.number().optional(), error: z.string().optional() }).describe('What it did so far: `queued` deliveries (and `error` if it failed)'),
});
const taskOut = (t: Task) => ({ id: t.id, status: t.status, task: t.task, updatedAt: iso(t.updatedAt), data: t.data });
const rangeOf = (body: z.infer<typeof rangeInSchema>) => ({ since: new Date(body.since), until: body.until ? new Date(body.until) : null });

export function deliveryRoutes(hookyard: Hookyard): Route[] {
  return [
    route({
      method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover', operationId: 'v1.endpoint.recover', tag: 'Endpoint',
      summary: 'Re-queue the endpoint\'s failed deliveries of messages since a time (and until one)',
      body: { name: 'RecoverIn', schema: rangeInSchema },
      status: 202, response: { name: 'RecoverOut', schema: recoverOutSchema },
      handler: async ({ params, body }) => {
        const t = await hookyard.tasks.recover(params.app_id!, params.endpoint_id!, rangeOf(body));
        return { id: t.id, status: t.status, task: 'endpoint.recover' as const, updatedAt: iso(t.updatedAt), requeued: t.data.queued ?? 0 };
      },
    }),
    route({
      method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing', operationId: 'v1.endpoint.replay-missing', tag: 'Endpoint',
      summary: 'Send the endpoint every message since a time (and until one) that it never received',
      body: { name: 'ReplayIn', schema: rangeInSchema },
      status: 202, response: { name: 'ReplayOut', schema: replayOutSchema },
      handler: async ({ params, body }) => {
        const t = await hookyard.tasks.replayMissing(params.app_id!, params.endpoint_id!, rangeOf(body));
        return { id: t.id, status: t.status, task: 'endpoint.replay' as const, updatedAt: iso(t.updatedAt) };
      },
    }),
    route({
      method: 'get', path: '/api/v1/background-task', operationId: 'v1.background-task.list', tag: 'Background Task',
      summary: 'List background tasks, oldest first',
      query: pageQuerySchema.extend({ status: taskStatusSchema.optional(), task: taskTypeSchema.optional() }),
      status: 200, response: { name: 'ListResponse_BackgroundTaskOut_', schema: listOf(backgroundTaskOutSchema) },
      handler: async ({ query }) => {
        const page = await hookyard.tasks.list(query);
        return { ...page, data: page.data.map(taskOut) };
      },
    }),
    route({
      method: 'get', path: '/api/v1/background-task/{task_id}', operationId: 'v1.background-task.get', tag: 'Background Task',
      summary: 'Get a background task',
      status: 200, response: { name: 'BackgroundTaskOut', schema: backgroundTaskOutSchema },
      handler: async ({ params }) => taskOut(await hookyard.tasks.get(params.task_id!)),
    }),
    route({
      method: 'post', path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend', operationId: 'v1.message-attempt.resend', tag: 'Message Attempt',
      summary: 'Send a message to an endpoint again',
      // The SDK parses a JSON body here: an empty object, as Svix answers.
      // 400 missing_payload: the message's payload was expunged or ran out (as Svix).
      status: 202, errors: [400], response: { name: 'EmptyResponse', schema: z.object({}) },
      handler: async ({ params }) => {
        await hookyard.deliveries.resend(params.app_id!, params.msg_id!, params.endpoint_id!);
        return {};
      },
    }),
  ];
}
