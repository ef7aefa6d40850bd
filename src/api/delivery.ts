import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Hookyard } from '../hookyard.js';
import { timestamp } from './common.js';
import { route, type Route } from './route.js';

/**
 * Routes that act on deliveries: recover (re-queue an endpoint's failures
 * since a time) and resend (one message to one endpoint again). Svix runs
 * recovery as a background task; Hookyard re-queues in one statement, so the
 * task it reports is already finished.
 */
const recoverInSchema = z.strictObject({ since: z.iso.datetime({ offset: true }), until: z.iso.datetime({ offset: true }).nullish() });
const recoverOutSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'finished', 'failed']),
  task: z.literal('endpoint.recover'),
  updatedAt: timestamp,
  requeued: z.number().describe('Hookyard extension: deliveries put back in the queue'),
});

export function deliveryRoutes(hookyard: Hookyard): Route[] {
  return [
    route({
      method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover', operationId: 'v1.endpoint.recover', tag: 'Endpoint',
      summary: 'Re-queue the endpoint\'s failed deliveries of messages since a time (and until one)',
      body: { name: 'RecoverIn', schema: recoverInSchema },
      status: 202, response: { name: 'RecoverOut', schema: recoverOutSchema },
      handler: async ({ params, body }) => {
        const { requeued } = await hookyard.deliveries.recover(params.app_id!, params.endpoint_id!, {
          since: new Date(body.since),
          ...(body.until ? { until: new Date(body.until) } : {}),
        });
        return { id: `qtask_${randomBytes(12).toString('hex')}`, status: 'finished' as const, task: 'endpoint.recover' as const, updatedAt: new Date().toISOString(), requeued };
      },
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
