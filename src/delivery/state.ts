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

// The notification moved to sql.ts with every other delivery statement; these
// re-exports keep callers outside this folder (publish, send-example) working.
export { DELIVERY_CHANNEL, deliveryNotify } from './sql.js';
