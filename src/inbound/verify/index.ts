import { z } from 'zod';
import { HookyardError } from '../../errors.js';
import { parseInput } from '../../validate.js';
import { docusign } from './docusign.js';
import { genericWebhook } from './generic-webhook.js';
import { github } from './github.js';
import { hookyardBasicAuth } from './hookyard-basic-auth.js';
import { hookyardHeaderToken } from './hookyard-header-token.js';
import { hookyardHmac } from './hookyard-hmac.js';
import { meta } from './meta.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import type { SourceTypeSpec } from './spec.js';
import { stripe } from './stripe.js';
import { standardWebhooks } from './svix.js';
import { tailscale } from './tailscale.js';
import { zoom } from './zoom.js';

/**
 * The verification layer for received webhooks: one pure file per source
 * type, each exporting its SourceTypeSpec; this file is the registry the
 * receive route and the source API use.
 */
export type { InboundRequest, SourceTypeSpec, Verification, VerificationReply, VerifyFailure } from './spec.js';

const specs: SourceTypeSpec[] = [
  genericWebhook,
  github,
  stripe,
  shopify,
  slack,
  meta,
  zoom,
  tailscale,
  docusign,
  ...standardWebhooks,
  hookyardHmac,
  hookyardBasicAuth,
  hookyardHeaderToken,
];

/** Every supported `type`, by name. */
export const sourceTypes: Record<string, SourceTypeSpec> = Object.fromEntries(specs.map((spec) => [spec.type, spec]));

export const sourceTypeNames = Object.keys(sourceTypes).sort();

/**
 * Validates a source's `{type, config}` at creation or update and returns the
 * parsed config. Throws a 422 HookyardError naming the field at fault, in
 * Svix's `{loc, msg, type}` shape; values are never echoed, as they hold
 * secrets. `loc` is where `type` and `config` sit in the request.
 * A missing config is an empty one (Svix's generic-webhook has none).
 */
export function sourceConfigParse(type: unknown, config: unknown, loc: (string | number)[] = ['body']): { spec: SourceTypeSpec; config: unknown } {
  const spec = typeof type === 'string' && Object.hasOwn(sourceTypes, type) ? sourceTypes[type] : undefined;
  if (spec === undefined) {
    const msg = `unknown source type; supported: ${sourceTypeNames.join(', ')}`;
    throw new HookyardError('validation', `${[...loc, 'type'].join('.')}: ${msg}`, { fields: [{ loc: [...loc, 'type'], msg, type: 'value_error' }] });
  }
  return { spec, config: parseInput(spec.config, config ?? {}, [...loc, 'config']) };
}

/**
 * The `{type, config}` part of a source's input as one zod schema (a union
 * discriminated on `type`), with `extra` fields (name, uid, metadata, …)
 * beside them, strict. For the route description and the OpenAPI document;
 * sourceConfigParse gives the clearer message for a request.
 */
export function sourceTypeInputSchema(extra: z.ZodRawShape = {}) {
  const options = specs.map((spec) =>
    z.strictObject({ ...extra, type: z.literal(spec.type), config: spec.type === 'generic-webhook' ? spec.config.optional() : spec.config }),
  );
  return z.discriminatedUnion('type', options as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

/** The headers a source's config names as carrying its credential (none for most types), for redaction. */
export function sourceCredentialHeaders(source: { type: string; config: unknown } | undefined): string[] {
  return source ? (sourceTypes[source.type]?.credentialHeaders?.(source.config) ?? []) : [];
}

/**
 * A config with its secret fields replaced, for reading a source back
 * (Svix's *ConfigOut shapes carry no secret at all; the consumer decides
 * whether to drop or mask).
 */
export function sourceConfigRedact(type: string, config: Record<string, unknown>, mask: unknown = undefined): Record<string, unknown> {
  const secretFields = sourceTypes[type]?.secretFields ?? Object.keys(config);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!secretFields.includes(key)) out[key] = value;
    else if (mask !== undefined) out[key] = mask;
  }
  return out;
}
