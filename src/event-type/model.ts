import { z } from 'zod';
import { eventTypeNameSchema } from '../schema-parts.js';

export interface EventType {
  name: string;
  description: string;
  /** `{"<version>": <JSON Schema>}`, as in Svix. */
  schemas: Record<string, unknown> | null;
  archived: boolean;
  deprecated: boolean;
  featureFlag: string | null;
  groupName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The JSON Schema of the event type's highest version, which is the one in force; undefined if it has none. */
export function eventTypeLatestSchema(eventType: Pick<EventType, 'schemas'>): Record<string, unknown> | undefined {
  if (!eventType.schemas) return undefined;
  const versions = Object.keys(eventType.schemas).map(Number).sort((a, b) => b - a);
  return versions.length ? (eventType.schemas[String(versions[0])] as Record<string, unknown>) : undefined;
}

const schemasSchema = z.record(z.string().regex(/^\d+$/, 'schema versions are numbers'), z.record(z.string(), z.unknown()));
const flagSchema = z.string().min(1).max(256).regex(/^[a-zA-Z0-9\-_.]+$/);

export const eventTypeInSchema = z.strictObject({
  name: eventTypeNameSchema,
  description: z.string().max(4096),
  archived: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  schemas: schemasSchema.nullish(),
  featureFlag: flagSchema.nullish(),
  groupName: flagSchema.nullish(),
});
export type EventTypeIn = z.input<typeof eventTypeInSchema>;

export const eventTypeUpdateSchema = eventTypeInSchema.omit({ name: true });
export type EventTypeUpdate = z.input<typeof eventTypeUpdateSchema>;

export const eventTypePatchSchema = eventTypeUpdateSchema.partial();
export type EventTypePatch = z.input<typeof eventTypePatchSchema>;
