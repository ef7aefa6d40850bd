import { applicationMustGet } from '../application/sql.js';
import type { Context } from '../context.js';
import { HookyardError, notFound } from '../errors.js';
import { endpointGet } from '../endpoint/sql.js';
import { messageGet } from '../message/sql.js';
import { deliveryNotify, deliveryRecover, deliveryResend } from './sql.js';

export type DeliveryService = ReturnType<typeof deliveryService>;

/** Manual resend of one delivery, and recovery of an endpoint's failed deliveries. */
export function deliveryService(ctx: Context) {
  const { storage } = ctx;

  return {
    /** One immediate manual attempt of the delivery of a message to an endpoint. */
    async resend(appIdOrUid: string, messageIdOrEventId: string, endpointIdOrUid: string): Promise<void> {
      await storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, appIdOrUid);
        const message = await messageGet(tx, app.id, messageIdOrEventId);
        if (!message) throw notFound('message');
        if (message.expunged) throw new HookyardError('missing_payload', 'Unable to resend message. Payload is missing (probably expired).');
        if (!(await deliveryResend(tx, message.id, endpointIdOrUid))) throw notFound('delivery');
        await deliveryNotify(tx, app.id);
      });
      ctx.onDeliveriesCreated();
    },

    /** Re-queues the unsuccessful deliveries of an endpoint created in the range. */
    async recover(appIdOrUid: string, endpointIdOrUid: string, range: { since: Date; until?: Date }): Promise<{ requeued: number }> {
      const requeued = await storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, appIdOrUid);
        const endpoint = await endpointGet(tx, app.id, endpointIdOrUid);
        if (!endpoint) throw notFound('endpoint');
        const n = await deliveryRecover(tx, endpoint.id, range.since, range.until ?? null);
        if (n > 0) await deliveryNotify(tx, app.id);
        return n;
      });
      if (requeued > 0) ctx.onDeliveriesCreated();
      return { requeued };
    },
  };
}
