import { z } from 'zod';

/** Shapes shared by several resources, with Svix's limits. */
export const uidSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9\-_.]+$/, 'may contain only letters, digits, "-", "_" and "."');

export const eventTypeNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9\-_.]+$/, 'may contain only letters, digits, "-", "_" and "."');

export const channelSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9\-_.:]+$/, 'may contain only letters, digits, "-", "_", "." and ":"');

export const metadataSchema = z.record(z.string().max(256), z.string().max(4096));

export const rateLimitSchema = z.number().int().min(1).max(65535);
