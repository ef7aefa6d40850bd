import type { DeliveryState } from '../delivery/state.js';
import type { ErrorClass } from '../outbound/classify.js';

/**
 * Why an attempt got no response: the outbound error class, or `secret` when
 * the endpoint's signing secret could not be opened (nothing was sent).
 */
export type AttemptErrorCode = ErrorClass | 'secret';

/** One HTTP try of a delivery: one row of hookyard.attempt, written by the worker and read by the API. */
export interface Attempt {
  id: string;
  deliveryId: number;
  messageId: string;
  endpointId: string;
  /** 1 for the first try; counts the delivery's attempts, manual ones included. */
  attemptNumber: number;
  trigger: 'scheduled' | 'manual';
  url: string;
  /** As sent, with credential-like custom headers replaced by `[redacted]`. */
  requestHeaders: Record<string, string>;
  /** Null when there was no response. */
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  /** Capped at the worker's maxResponseBytes; `responseTruncated` says when it was cut. */
  responseBody: string | null;
  responseTruncated: boolean;
  /** Set when there was no response: why, as a class and a short message. */
  errorCode: AttemptErrorCode | null;
  errorMessage: string | null;
  succeeded: boolean;
  durationMs: number;
  createdAt: Date;
}

/**
 * Svix's MessageStatus numbers: 0 success, 1 pending, 2 fail, 3 sending,
 * 4 canceled; the API speaks these, the database speaks delivery states.
 */
export const STATUS_OF_STATE: Record<DeliveryState, number> = { succeeded: 0, pending: 1, failed: 2, sending: 3, cancelled: 4 };
export const STATUS_TEXT = ['success', 'pending', 'fail', 'sending', 'canceled'] as const;
