import type { Queryable } from '../store/port.js';

/**
 * A delivery is one message on its way to one endpoint. These are the values
 * of the `hookyard.delivery_state` enum in the database, in lifecycle order:
 *
 *   pending ──claim──▶ sending ──2xx──▶ succeeded
 *      ▲                  │
 *      └──retry due───────┤ (failure with attempts left, or lease expired)
 *                         └──no attempts left / 410──▶ failed
 *   pending|sending ──endpoint disabled (410 Gone, or by an operator)──▶ cancelled
 *   succeeded|failed|cancelled ──resend / recover──▶ pending (one manual attempt)
 */
export const DELIVERY_STATES = ['pending', 'sending', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** NOTIFY channel raised when deliveries become due. */
export const DELIVERY_CHANNEL = 'hookyard_delivery';

/**
 * Tells listening workers that deliveries of `appId` are due. NOTIFY is
 * transactional: listeners hear it only if the surrounding transaction commits.
 */
export async function deliveryNotify(db: Queryable, appId: string): Promise<void> {
  await db.query('select pg_notify($1, $2)', [DELIVERY_CHANNEL, appId]);
}
