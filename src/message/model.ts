import { z } from 'zod';
import type { Queryable } from '../store/port.js';
import { channelSchema, eventTypeNameSchema, uidSchema } from '../schema-parts.js';

export interface Message {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  payload: unknown;
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
  // Accepted for SDK compatibility; retention is a server-wide setting here.
  payloadRetentionPeriod: z.number().int().min(1).max(90).nullish(),
  payloadRetentionHours: z.number().int().min(1).max(2160).nullish(),
});
export type MessageIn = z.input<typeof messageInSchema>;

export interface PublishOptions {
  /**
   * Publish inside the caller's transaction: any `pg` client (or Queryable)
   * that is between BEGIN and COMMIT. The message and its deliveries commit or
   * roll back with the caller's own writes.
   */
  db?: Queryable;
}

export interface PublishResult {
  message: Message;
  /** False when `eventId` matched an earlier message, which is returned instead. */
  created: boolean;
  /** Deliveries fanned out by this call (0 for a repeated eventId). */
  deliveries: number;
}
