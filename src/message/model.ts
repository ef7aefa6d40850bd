import { z } from 'zod';
import type { Queryable } from '../store/port.js';
import { channelSchema, eventTypeNameSchema, uidSchema } from '../schema-parts.js';

export interface Message {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  payload: unknown;
  /** The payload's exact JSON text: what is stored, signed and sent, byte for byte. */
  payloadText: string;
  /**
   * True once the payload was removed (expunged, or its `payloadRetentionPeriod` ran out): the
   * message is still listed, and `payload`/`payloadText` are then Svix's `{"expired":true}`.
   */
  expunged?: boolean;
  channels: string[] | null;
  tags: string[] | null;
  timestamp: Date;
}

/** Svix's MessageIn. The payload must be a JSON object, as in Svix. */
export const messageInSchema = z.strictObject({
  eventType: eventTypeNameSchema,
  eventId: uidSchema.nullish(),
  payload: z.record(z.string(), z.unknown()),
  channels: z.array(channelSchema).min(1).max(10).nullish(),
  tags: z.array(z.string().min(1).max(128).regex(/^[a-zA-Z0-9\-_./\\#]+$/)).min(1).max(5).nullish(),
  // Days (Svix's default and maximum is 90) or hours, not both: the payload is removed when it
  // runs out (the cleaner does it), or with the message when the server-wide retention is shorter.
  payloadRetentionPeriod: z.number().int().min(1).max(90).nullish(),
  payloadRetentionHours: z.number().int().min(1).max(2160).nullish(),
}).superRefine((m, ctx) => {
  if (m.payloadRetentionPeriod != null && m.payloadRetentionHours != null) {
    ctx.addIssue({ code: 'custom', path: ['payloadRetentionHours'], message: 'payloadRetentionPeriod and payloadRetentionHours cannot both be set' });
  }
});

/** Svix's MessagePrecheckIn: would a message like this go anywhere? */
export const messagePrecheckInSchema = z.strictObject({
  eventType: eventTypeNameSchema,
  channels: z.array(channelSchema).min(1).max(10).nullish(),
});
export type MessagePrecheckIn = z.input<typeof messagePrecheckInSchema>;

/** What Svix shows in place of a payload that was removed. */
export const EXPUNGED_PAYLOAD_TEXT = '{"expired":true}';

/** When a message's payload runs out, from its creation time and MessageIn's retention fields; null: no own retention. */
export function payloadExpiresAt(createdAt: Date, input: { payloadRetentionPeriod?: number | null; payloadRetentionHours?: number | null }): Date | null {
  const hours = input.payloadRetentionHours ?? (input.payloadRetentionPeriod == null ? null : input.payloadRetentionPeriod * 24);
  return hours === null ? null : new Date(createdAt.getTime() + hours * 3_600_000);
}

/**
 * A payload given as JSON text rather than as a value: it is stored and delivered exactly as
 * written, so numbers beyond a JS number's precision (`1234567890123456789`), `12.50` and
 * `1e2` arrive as they were sent. The HTTP API passes each payload's text from the request body
 * this way; library callers can too, with `jsonText(text)`.
 */
export class JsonText {
  constructor(
    readonly text: string,
    /** The parsed value, when the caller has it already (it is then not parsed again). */
    readonly value?: unknown,
  ) {}
}

/** A payload that is published exactly as this JSON text (which must be a JSON object). */
export const jsonText = (text: string): JsonText => new JsonText(text);

export type MessageIn = Omit<z.input<typeof messageInSchema>, 'payload'> & {
  payload: Record<string, unknown> | JsonText;
};

/**
 * Objects and arrays may nest this deep in a payload, and no deeper: enough for any real
 * event, and far below what would exhaust the stack of a receiver or a schema validator.
 */
export const PAYLOAD_MAX_DEPTH = 64;

export interface PublishOptions {
  /**
   * Publish inside the caller's transaction: any `pg` client (or Queryable)
   * that is between BEGIN and COMMIT. The message and its deliveries commit or
   * roll back with the caller's own writes.
   */
  db?: Queryable;
  /**
   * Deliver to this one endpoint of the application (id or uid) instead of fanning out,
   * whatever its event type filters and channels say. Send-example uses it.
   */
  endpoint?: string;
}

/** An Idempotency-Key for `publishOnce`: a repeat with the same scope and key publishes nothing new. */
export interface IdempotencyClaim {
  /** Keys are unique per scope; the HTTP API uses the API token's id. */
  scope: string;
  key: string;
  /** A hash of the whole request; the key used again with another fingerprint is refused. */
  fingerprint: string;
  /** How the first response showed the message, kept for its replays (the API's `with_content`). */
  withContent: boolean;
  /** How long a key is kept (ms). */
  retentionMs: number;
}

/** What `publishOnce` did with its key. */
export type PublishOnceResult =
  /** The key was new: the message was published (or its eventId found), and the key records it. */
  | { kind: 'published'; result: PublishResult }
  /** The same request was made before: its message (undefined if since deleted), shown as then. */
  | { kind: 'replayed'; message: Message | undefined; withContent: boolean }
  /** The same request was made before and answered with this stored response. */
  | { kind: 'replayed-response'; status: number; body: string | null }
  /** A request with this key is still running. */
  | { kind: 'in-progress' }
  /** The key was used for a different request. */
  | { kind: 'key-reused' };

export interface PublishResult {
  message: Message;
  /** False when `eventId` matched an earlier message, which is returned instead. */
  created: boolean;
  /** Deliveries fanned out by this call (0 for a repeated eventId). */
  deliveries: number;
}
