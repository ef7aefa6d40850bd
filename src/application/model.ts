import { z } from 'zod';
import { metadataSchema, rateLimitSchema, uidSchema } from '../schema-parts.js';

export interface Application {
  id: string;
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  rateLimit: number | null;
  /** Hookyard extension: messages to this application also go to the parent's endpoints. */
  parentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Svix's ApplicationIn, plus `parentId` (an id or uid). */
export const applicationInSchema = z.strictObject({
  name: z.string().min(1).max(256),
  uid: uidSchema.nullish(),
  rateLimit: rateLimitSchema.nullish(),
  metadata: metadataSchema.optional(),
  parentId: z.string().min(1).max(256).nullish(),
});
export type ApplicationIn = z.input<typeof applicationInSchema>;

/** Svix's ApplicationPatch: every field optional; null clears a nullable one. */
export const applicationPatchSchema = applicationInSchema.partial().extend({ name: z.string().min(1).max(256).optional() });
export type ApplicationPatch = z.input<typeof applicationPatchSchema>;
