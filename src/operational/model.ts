import { z } from 'zod';
import { endpointUrlSchema, headersSchema } from '../endpoint/model.js';
import { metadataSchema, rateLimitSchema, uidSchema } from '../schema-parts.js';

/**
 * Operational webhooks tell the operator what happens to endpoints and deliveries, in Svix's
 * events and payloads (`{type, data}`). Their endpoints are endpoints of one internal application
 * (migration 013): the same engine signs (Standard Webhooks), sends and retries them.
 */
export const OPERATIONAL_APP_ID = 'app_hookyard_operational';

/** Every event Hookyard emits, Svix's names. */
export const OPERATIONAL_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.failing',
  'message.attempt.exhausted',
  'message.attempt.recovered',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

const filterTypesSchema = z.array(z.enum(OPERATIONAL_EVENT_TYPES)).min(1).max(OPERATIONAL_EVENT_TYPES.length).nullish();

const fields = {
  url: endpointUrlSchema,
  description: z.string().max(4096).optional(),
  uid: uidSchema.nullish(),
  filterTypes: filterTypesSchema,
  disabled: z.boolean().optional(),
  rateLimit: rateLimitSchema.nullish(),
  throttleRate: rateLimitSchema.nullish(),
  metadata: metadataSchema.optional(),
};

/** Svix's OperationalWebhookEndpointIn. */
export const operationalEndpointInSchema = z.strictObject({ ...fields, secret: z.string().min(1).max(256).nullish() });
export type OperationalEndpointIn = z.input<typeof operationalEndpointInSchema>;

/** Svix's OperationalWebhookEndpointUpdate (PUT). */
export const operationalEndpointUpdateSchema = z.strictObject(fields);
export type OperationalEndpointUpdate = z.input<typeof operationalEndpointUpdateSchema>;

/** Svix's OperationalWebhookEndpointHeadersIn. */
export const operationalHeadersInSchema = z.strictObject({ headers: headersSchema });

export const operationalSecretInSchema = z.strictObject({ key: z.string().min(1).max(256).nullish() });
