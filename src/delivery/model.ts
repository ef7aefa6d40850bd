import type { Attempt } from '../attempt/model.js';
import type { Endpoint } from '../endpoint/model.js';
import type { SendOptions } from '../endpoint/send-options.js';
import type { Message } from '../message/model.js';
import type { DeliveryState } from './state.js';

/** A delivery a worker holds under lease, with what it needs to send it. */
export interface Claimed {
  id: number;
  messageId: string;
  endpointId: string;
  /** Including this attempt; also the lease token: write-back applies only while it still matches. */
  attemptCount: number;
  trigger: 'scheduled' | 'manual';
  oneShot: boolean;
  payload: string;
  url: string;
  headers: Record<string, string>;
  /** Custom header names the endpoint's owner marked sensitive (migration 011), lowercased: redacted in the stored attempt. */
  sensitiveHeaders?: string[];
  endpointDisabled: boolean;
  /** Signature format, header names, body encoding, TLS (migration 015); `{}` for a Standard Webhooks endpoint. */
  sendOptions?: SendOptions;
  /** The message's event type, read only for endpoints with send options (an event header may need it). */
  eventType?: string | null;
  /**
   * Sealed signing secrets that sign now, newest first (see endpointSecretsActive), hex-encoded: a
   * string is both a cheap cache key and cheap to parse. Rows of one endpoint in one claim share
   * the same array, so a cache keyed by it opens them once per claim.
   */
  sealedSecrets: string[];
}

/** What a finished attempt (or a delivery that could not be attempted) does to its delivery. */
export interface Completion {
  deliveryId: number;
  /** The lease token from the claim. */
  claimedCount: number;
  /** attempt_count to store: the claimed count, or one less when no attempt was made. */
  attemptCount: number;
  state: Exclude<DeliveryState, 'sending'>;
  /** For `pending`: when to try again, from now (ms). */
  delayMs: number | null;
  attempt: Attempt | null;
  /** Set on 410 Gone: disable the endpoint with this reason. */
  disableEndpoint?: { endpointId: string; reason: string };
}

/** An endpoint a message was fanned out to, with where its delivery stands. */
export interface MessageDestination {
  endpoint: Endpoint;
  state: DeliveryState;
  nextAttemptAt: Date | null;
}

/** A message fanned out to an endpoint, with where its delivery stands (Svix's EndpointMessageOut). */
export interface EndpointMessage {
  message: Message;
  state: DeliveryState;
  nextAttemptAt: Date | null;
}

/** An endpoint's deliveries by state, in Svix's words. */
export interface EndpointStats {
  success: number;
  pending: number;
  sending: number;
  fail: number;
  canceled: number;
}
