import type { DeliveryState } from '../delivery/state.js';
import type { Endpoint } from '../endpoint/model.js';

/** One HTTP try of a delivery, as recorded by the worker. */
export interface Attempt {
  id: string;
  messageId: string;
  endpointId: string;
  url: string;
  attemptNumber: number;
  trigger: string;
  responseStatus: number | null;
  responseBody: string | null;
  /** Why there was no response (dns, refused, reset, timeout, tls, blocked, other); null when there was one. */
  errorCode: string | null;
  /** The reason in words, starting with the class: `timeout after 15000 ms`. */
  errorMessage: string | null;
  succeeded: boolean;
  durationMs: number;
  createdAt: Date;
}

/** An endpoint a message was fanned out to, with where its delivery stands. */
export interface MessageDestination {
  endpoint: Endpoint;
  state: DeliveryState;
  nextAttemptAt: Date | null;
}

export interface EndpointStats {
  success: number;
  pending: number;
  sending: number;
  fail: number;
  canceled: number;
}

/**
 * Svix's MessageStatus numbers: 0 success, 1 pending, 2 fail, 3 sending,
 * 4 canceled; the API speaks these, the database speaks delivery states.
 */
export const STATUS_OF_STATE: Record<DeliveryState, number> = { succeeded: 0, pending: 1, failed: 2, sending: 3, cancelled: 4 };
export const STATUS_TEXT = ['success', 'pending', 'fail', 'sending', 'canceled'] as const;
