import { z } from 'zod';
import { channelSchema, eventTypeNameSchema, metadataSchema, rateLimitSchema, uidSchema } from '../schema-parts.js';
import type { EndpointUpdateField } from './fields.js';
import { sendOptionFields, type SendOptions } from './send-options.js';

export interface Endpoint {
  id: string;
  appId: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  filterTypes: string[] | null;
  channels: string[] | null;
  disabled: boolean;
  /** Hookyard extension: why the endpoint was disabled, when Hookyard did it (e.g. a 410 Gone). */
  disabledReason: string | null;
  rateLimit: number | null;
  /** Hookyard extension: leases at once across all workers (null: each worker's endpointConcurrency). */
  maxInFlight: number | null;
  /** Hookyard extension: attempted in publish order, one at a time; a retry holds the later ones. */
  fifo: boolean;
  metadata: Record<string, string>;
  /** Hookyard extensions: signature format, header names, body encoding, TLS (send-options.ts). */
  sendOptions: SendOptions;
  createdAt: Date;
  updatedAt: Date;
  /** Hookyard extension: disable after this many deliveries in a row fail for good; null = the server's setting. */
  failureThreshold: number | null;
  /** Health, kept by the database as results are written (migration 013, docs/delivery.md). */
  health: EndpointHealth;
}

/** Hookyard extension: how an endpoint has been doing, and when it was disabled. */
export interface EndpointHealth {
  disabledAt: Date | null;
  /** Deliveries in a row that failed for good since the last successful attempt. */
  consecutiveFailures: number;
  /** The first failed attempt since the last successful one; null while it succeeds. */
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

export const URL_MAX_LENGTH = 4096;

export const endpointUrlSchema = z
  .string()
  .max(URL_MAX_LENGTH)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute http:// or https:// URL');

// Headers Hookyard sets itself, or that would break HTTP framing if a caller set them.
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade',
  'te', 'trailer', 'proxy-connection', 'proxy-authorization', 'expect', 'user-agent',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-', 'x-hookyard-'];

/** True for a header an endpoint may not set: refused at input, and skipped again when sending. */
export function headerIsReserved(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p));
}

// Names that carry credentials, matched as a whole word of the name (x-custom-auth, x-api-sig)...
const SENSITIVE_WORDS = new Set([
  'auth', 'authorization', 'authentication', 'authenticate', 'cookie', 'token', 'secret', 'password', 'passwd', 'pass', 'pwd',
  'key', 'apikey', 'sig', 'signature', 'jwt', 'bearer', 'session', 'sessionid', 'sid', 'credential', 'credentials', 'csrf', 'xsrf', 'otp', 'private',
]);
// ...or anywhere in it, for the long, unambiguous ones (x-mytoken, x-apikey, proxy-authorization).
const SENSITIVE_PART = /authoriz|authent|cookie|token|secret|password|passwd|credential|session|apikey|api-key|api_key|signature/i;

/**
 * Is this custom header's value a credential? Authorization, Cookie, API-key
 * style names, and any name the endpoint's owner marked. Sensitive values are
 * never returned by GET …/headers and are stored as `[redacted]` in attempts.
 */
export function headerIsSensitive(name: string, marked: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return marked.includes(lower) || SENSITIVE_PART.test(lower) || lower.split(/[-_.]/).some((word) => SENSITIVE_WORDS.has(word));
}

const headerNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'is not a valid HTTP header name')
  .refine((name) => !headerIsReserved(name), 'is a header Hookyard sets itself');
// No control characters: a CR or LF would let a value smuggle another header.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const headerValueSchema = z.string().max(4096).regex(/^[^\0-\x08\x0a-\x1f\x7f]*$/, 'contains control characters');

export const headersSchema = z.record(headerNameSchema, headerValueSchema).refine((h) => Object.keys(h).length <= 50, 'at most 50 headers');
export const headersPatchSchema = z.record(headerNameSchema, headerValueSchema.nullable());
/** Hookyard extension on the headers routes: more names to treat as sensitive. */
export const sensitiveNamesSchema = z.array(headerNameSchema).max(50);

const secretInputSchema = z.string().min(1).max(256);

const endpointFields = {
  url: endpointUrlSchema,
  description: z.string().max(4096).optional(),
  version: z.number().int().min(1).max(65535).nullish(),
  uid: uidSchema.nullish(),
  filterTypes: z.array(eventTypeNameSchema).min(1).max(1000).nullish(),
  channels: z.array(channelSchema).min(1).max(10).nullish(),
  disabled: z.boolean().optional(),
  rateLimit: rateLimitSchema.nullish(),
  maxInFlight: z.number().int().min(1).max(1000).nullish().describe('Hookyard extension: deliveries in flight at once across all workers'),
  fifo: z.boolean().optional().describe('Hookyard extension: attempt one at a time in publish order; a retry holds the later ones'),
  metadata: metadataSchema.optional(),
  ...sendOptionFields,
  failureThreshold: z.number().int().min(1).max(1_000_000).nullish()
    .describe('Hookyard extension: disable the endpoint after this many deliveries in a row fail for good (default: the server\'s setting, 50)'),
} satisfies Record<EndpointUpdateField, z.ZodType>;
// The other direction: a field here that ENDPOINT_UPDATE_FIELDS (shared with the console) lacks is a type error.
type Unlisted = Exclude<keyof typeof endpointFields, EndpointUpdateField>;
const _allListed: [Unlisted] extends [never] ? true : Unlisted = true;

/** Hookyard extension: the kind of secret to generate when none is given. */
const secretTypeSchema = z.enum(['hmac', 'ed25519'])
  .describe('Hookyard extension: the secret to generate when none is given: `hmac` (whsec_, the default) or `ed25519` (whsk_, signatures v1a; GET …/secret then answers the whpk_ public key)');

/** Svix's EndpointIn. */
export const endpointInSchema = z.strictObject({
  ...endpointFields,
  secret: secretInputSchema.nullish(),
  secretType: secretTypeSchema.optional(),
  headers: headersSchema.nullish(),
});
export type EndpointIn = z.input<typeof endpointInSchema>;

/** Svix's EndpointUpdate (PUT): no secret, no headers. */
export const endpointUpdateSchema = z.strictObject(endpointFields);
export type EndpointUpdate = z.input<typeof endpointUpdateSchema>;

export const endpointPatchSchema = endpointUpdateSchema.partial();
export type EndpointPatch = z.input<typeof endpointPatchSchema>;

export const secretRotateSchema = z.strictObject({
  key: secretInputSchema.nullish(),
  /** Svix's: how long the old secret keeps co-signing; the server's default (HOOKYARD_SECRET_GRACE_SECONDS) when absent. */
  gracePeriodSeconds: z.number().int().min(0).max(30 * 24 * 3600).nullish()
    .describe('How long the old secret keeps co-signing (s, up to 30 days); the server\'s default when absent'),
  secretType: secretTypeSchema.optional(),
});
export type SecretRotateIn = z.input<typeof secretRotateSchema>;
