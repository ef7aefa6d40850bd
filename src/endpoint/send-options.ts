import { z } from 'zod';
import { validationError } from '../errors.js';
import { caBundleCheck } from '../outbound/ca.js';
import { DEFAULT_HEADER_NAMES, SIGNATURE_FORMATS, SVIX_HEADER_NAMES, type HeaderNames, type SignatureFormat } from '../signing/format.js';

/**
 * How an endpoint's requests are made beyond Standard Webhooks' defaults
 * (Hookyard extensions, issue 13): signature format, header names, body
 * encoding, TLS verification and a custom CA. Stored as one jsonb column
 * (`endpoint.send_options`, migration 015) holding only what differs from the
 * defaults, so a default endpoint stores `{}`.
 */
export interface SendOptions {
  signatureFormat?: Exclude<SignatureFormat, 'standard'>;
  /** Names that differ from the format's (DEFAULT_HEADER_NAMES), lowercased; null sends no such header. */
  headerNames?: Partial<HeaderNames>;
  bodyFormat?: 'form';
  /** Present only when verification is off. */
  tlsVerify?: false;
  /** PEM: the CAs to trust for this endpoint instead of the system's. */
  tlsCaCertificate?: string;
}

export const BODY_FORMATS = ['json', 'form'] as const;

// Headers that frame the request or that Hookyard sets itself: no signature header may take their name.
const FRAMING = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade',
  'te', 'trailer', 'proxy-connection', 'proxy-authorization', 'expect', 'user-agent',
]);

const nameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'is not a valid HTTP header name')
  .refine((name) => !FRAMING.has(name.toLowerCase()), 'is a header that frames the request');

export const headerNamesInSchema = z.union([
  z.enum(['webhook', 'svix']).describe('`svix`: svix-id, svix-timestamp, svix-signature; `webhook`: the Standard Webhooks names'),
  z.strictObject({
    id: nameSchema.nullish().describe('The message id header; null sends none'),
    timestamp: nameSchema.nullish().describe('The attempt timestamp header (unix seconds); null sends none'),
    signature: nameSchema.optional().describe('The signature header'),
    event: nameSchema.nullish().describe('The event type header; null sends none'),
  }),
]);

export const headerNamesOutSchema = z.object({
  id: z.string().nullable(),
  timestamp: z.string().nullable(),
  signature: z.string(),
  event: z.string().nullable(),
});

const PEM_MAX_LENGTH = 64 * 1024;

/** The extension fields of EndpointIn, EndpointUpdate and EndpointPatch. */
export const sendOptionFields = {
  signatureFormat: z.enum(SIGNATURE_FORMATS).optional()
    .describe('Hookyard extension: `standard` (Standard Webhooks, the default; v1 with whsec_ secrets, v1a with whsk_ ed25519 keys), `github` (X-Hub-Signature-256), `stripe` (Stripe-Signature), `plain` (X-Signature)'),
  headerNames: headerNamesInSchema.nullish()
    .describe('Hookyard extension: header names to use instead of the format\'s; null goes back to the format\'s'),
  bodyFormat: z.enum(BODY_FORMATS).optional()
    .describe('Hookyard extension: `json` (the default) or `form`: application/x-www-form-urlencoded with the JSON in a `payload` field, as GitHub sends it'),
  tlsVerify: z.boolean().optional()
    .describe('Hookyard extension: verify the endpoint\'s TLS certificate (the default). Turning it off is answered with a warning; prefer tlsCaCertificate'),
  tlsCaCertificate: z.string().max(PEM_MAX_LENGTH).nullish()
    .describe('Hookyard extension: PEM certificate(s) of the CA to trust for this endpoint instead of the system\'s; null removes it'),
};

export type SendOptionsIn = {
  [K in keyof typeof sendOptionFields]?: z.output<(typeof sendOptionFields)[K]>;
};

/** The effective header names of stored options. */
export function headerNamesOf(options: SendOptions): HeaderNames {
  return { ...DEFAULT_HEADER_NAMES[options.signatureFormat ?? 'standard'], ...options.headerNames };
}

/**
 * New stored options from earlier ones and input fields; a field left out
 * keeps its earlier value (on PUT too: Svix's SDK models cannot carry
 * extension fields, so a plain `endpoint.update` must not reset them). A
 * change of format without names goes back to the new format's names.
 */
export function sendOptionsMerge(earlier: SendOptions, input: SendOptionsIn): SendOptions {
  const next: SendOptions = {};
  const format = input.signatureFormat ?? earlier.signatureFormat ?? 'standard';
  if (format !== 'standard') next.signatureFormat = format;
  const formatChanged = format !== (earlier.signatureFormat ?? 'standard');
  const names = input.headerNames === undefined ? (formatChanged ? undefined : earlier.headerNames) : namesOverride(format, input.headerNames);
  if (names && Object.keys(names).length > 0) next.headerNames = names;
  const body = input.bodyFormat ?? earlier.bodyFormat ?? 'json';
  if (body === 'form') next.bodyFormat = 'form';
  const verify = input.tlsVerify ?? earlier.tlsVerify ?? true;
  if (!verify) next.tlsVerify = false;
  const ca = input.tlsCaCertificate === undefined ? earlier.tlsCaCertificate : (input.tlsCaCertificate ?? undefined);
  if (ca !== undefined) {
    if (!verify) throw validationError('a custom CA needs TLS verification on; give one or the other', ['body', 'tlsCaCertificate']);
    const problem = caBundleCheck(ca);
    if (problem) throw validationError(problem, ['body', 'tlsCaCertificate'], 'invalid_certificate');
    next.tlsCaCertificate = ca;
  }
  const effective = headerNamesOf(next);
  const used = [effective.id, effective.timestamp, effective.signature, effective.event].filter((n): n is string => n !== null);
  if (new Set(used).size !== used.length) throw validationError('two of the header names are the same', ['body', 'headerNames']);
  return next;
}

/** The names that differ from the format's, lowercased. */
function namesOverride(format: SignatureFormat, input: z.output<typeof headerNamesInSchema> | null): Partial<HeaderNames> | undefined {
  if (input === null || input === 'webhook') {
    // `webhook` names are the standard format's defaults; on another format they are an override.
    return input === 'webhook' && format !== 'standard' ? diff(format, { ...DEFAULT_HEADER_NAMES.standard, event: DEFAULT_HEADER_NAMES[format].event }) : undefined;
  }
  if (input === 'svix') return diff(format, { ...DEFAULT_HEADER_NAMES[format], ...SVIX_HEADER_NAMES });
  const lower = (v: string | null | undefined) => (v == null ? v : v.toLowerCase());
  const given: Partial<HeaderNames> = {};
  if (input.id !== undefined) given.id = lower(input.id) ?? null;
  if (input.timestamp !== undefined) given.timestamp = lower(input.timestamp) ?? null;
  if (input.signature !== undefined) given.signature = input.signature.toLowerCase();
  if (input.event !== undefined) given.event = lower(input.event) ?? null;
  return diff(format, { ...DEFAULT_HEADER_NAMES[format], ...given });
}

function diff(format: SignatureFormat, names: HeaderNames): Partial<HeaderNames> {
  const defaults = DEFAULT_HEADER_NAMES[format];
  const out: Partial<HeaderNames> = {};
  for (const key of ['id', 'timestamp', 'signature', 'event'] as const) {
    if (names[key] !== defaults[key]) (out as Record<string, string | null>)[key] = names[key];
  }
  return out;
}

/** The warning every response about an endpoint without TLS verification carries. */
export const TLS_OFF_WARNING =
  'TLS certificate verification is OFF for this endpoint: anyone on the network path can read and change its webhooks. Prefer tlsCaCertificate with your CA.';
