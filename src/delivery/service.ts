import { applicationMustGet } from '../application/sql.js';
import type { Context } from '../context.js';
import { notFound } from '../errors.js';
import { endpointGet } from '../endpoint/sql.js';
import { messageGet } from '../message/sql.js';
import type { Queryable } from '../store/port.js';
import { deliveryNotify } from './state.js';

export type DeliveryService = ReturnType<typeof deliveryService>;

/**
 * Queues one manual attempt of a delivery, now. A delivery still waiting for
 * a retry keeps its schedule after it; a finished one (succeeded, failed,
 * cancelled) gets exactly that one attempt (`one_shot`).
 */
export async function deliveryResend(db: Queryable, messageId: string, endpointIdOrUid: string): Promise<boolean> {
  const { rows } = await db.query(
    `update hookyard.delivery d
        set state = 'pending', next_attempt_at = now(), trigger = 'manual',
            one_shot = d.one_shot or d.state not in ('pending', 'sending'), updated_at = now()
       from hookyard.endpoint e
      where d.message_id = $1 and e.id = d.endpoint_id and (e.id = $2 or e.uid = $2)
     returning d.id`,
    [messageId, endpointIdOrUid],
  );
  return rows.length > 0;
}

/**
 * Re-queues, as one manual attempt each, the deliveries of an endpoint that
 * did not succeed (failed, or cancelled because the endpoint was disabled)
 * and were created in [since, until). Uses delivery_endpoint_unsuccessful.
 */
export async function deliveryRecover(db: Queryable, endpointId: string, since: Date, until: Date | null): Promise<number> {
  const result = await db.query(
    `update hookyard.delivery
        set state = 'pending', next_attempt_at = now(), trigger = 'manual', one_shot = true, updated_at = now()
      where endpoint_id = $1 and state in ('failed', 'cancelled')
        and created_at >= $2 and ($3::timestamptz is null or created_at < $3)`,
    [endpointId, since, until],
  );
  return result.rowCount ?? 0;
}

export function deliveryService(ctx: Context) {
  const { storage } = ctx;

  return {
    /** One immediate manual attempt of the delivery of a message to an endpoint. */
    async resend(appIdOrUid: string, messageIdOrEventId: string, endpointIdOrUid: string): Promise<void> {
      await storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, appIdOrUid);
        const message = await messageGet(tx, app.id, messageIdOrEventId);
        if (!message) throw notFound('message');
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
