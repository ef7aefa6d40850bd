import { z } from 'zod';
import { accept, anyEqual, base64Decode, bodyJson, fail, fieldString, headerGet, hmac, timestampCheck } from './parts.js';
import type { InboundRequest, SourceTypeSpec } from './spec.js';

/**
 * Standard Webhooks (Svix and the services that send through it):
 * `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> [v1,<base64>…]`,
 * HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed with the base64 bytes of
 * a `whsec_…` secret. Timestamp within ±5 minutes; any v1 entry may match
 * (several appear during a secret rotation; `v1a` asymmetric entries are
 * skipped). Svix's own senders use `svix-id`/`svix-timestamp`/`svix-signature`;
 * those names are read too. Dedup on the message id, which stays the same
 * across retries.
 */
const PREFIX = 'whsec_';
export const TOLERANCE_SECONDS = 300;

/** The HMAC key of a Standard Webhooks secret (`whsec_` optional, as the reference libraries allow), or null when it is not base64. */
export function standardSecretKey(secret: string): Buffer | null {
  const key = base64Decode(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret);
  return key !== null && key.length >= 16 && key.length <= 128 ? key : null;
}

const config = z.strictObject({
  secret: z.string().max(1024).refine((s) => standardSecretKey(s) !== null, 'must be whsec_ followed by base64 of 16 to 128 bytes'),
});
type SvixConfig = z.infer<typeof config>;

/** The header family the sender used: `webhook-*` (the standard) or `svix-*` (Svix's original names). */
function family(req: InboundRequest): 'webhook' | 'svix' {
  return headerGet(req, 'webhook-signature') === undefined && headerGet(req, 'svix-signature') !== undefined ? 'svix' : 'webhook';
}

function verify(raw: unknown, req: InboundRequest, now: Date) {
  const key = standardSecretKey((raw as SvixConfig).secret);
  // The config schema already refused such a secret; failing closed covers a config that skipped it.
  if (key === null) return fail('signature_invalid', 'the source secret is not a Standard Webhooks secret');
  const f = family(req);
  const signature = headerGet(req, `${f}-signature`);
  if (signature === undefined) return fail('signature_missing', 'webhook-signature header missing');
  const id = headerGet(req, `${f}-id`);
  if (id === undefined) return fail('malformed', `${f}-id header missing`);
  const t = headerGet(req, `${f}-timestamp`);
  const timestamp = timestampCheck(t, `${f}-timestamp`, now, TOLERANCE_SECONDS);
  if (typeof timestamp !== 'number') return timestamp;
  const offered = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => base64Decode(entry.slice(3)))
    .filter((b): b is Buffer => b !== null);
  if (offered.length === 0) return fail('signature_invalid', `${f}-signature has no v1 signature`);
  if (!anyEqual(offered, hmac('sha256', key, `${id}.${t}.`, req.body))) return fail('signature_invalid', `no ${f}-signature v1 entry matches the body`);
  return accept(fieldString(bodyJson(req.body), 'type'), id);
}

/**
 * Svix's Ingest types whose config is SvixConfig: each of these services
 * sends Standard Webhooks, so one verifier serves them all (the list is the
 * svix SDK's IngestSourceIn).
 */
export const STANDARD_WEBHOOKS_TYPES = [
  'svix',
  'beehiiv',
  'brex',
  'clerk',
  'guesty',
  'incident-io',
  'lithic',
  'nash',
  'open-ai',
  'pleo',
  'psi-fi',
  'render',
  'replicate',
  'resend',
  'safebase',
  'sardine',
  'stych',
] as const;

export const standardWebhooks: SourceTypeSpec[] = STANDARD_WEBHOOKS_TYPES.map((type) => ({ type, config, secretFields: ['secret'], verify }));
