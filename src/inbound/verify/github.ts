import { z } from 'zod';
import { accept, fail, headerGet, hexDecode, hmac, bytesEqual, secretText } from './parts.js';
import type { SourceTypeSpec, Verification } from './spec.js';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body
 * with the webhook secret. No timestamp, so no replay window: the delivery id
 * (`X-GitHub-Delivery`) is the dedup key instead. The `ping` sent when a hook
 * is created is signed like any event and accepted as one.
 *
 * Svix's GithubConfig makes the secret optional (GitHub lets a hook have
 * none); without one, requests are accepted unverified and say so.
 */
const config = z.strictObject({ secret: secretText.nullish() });
type GithubConfig = z.infer<typeof config>;

export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** The `sha256=<hex>` check, shared with Meta, which signs the same way. */
export function hubSignatureCheck(secret: string, signature: string | undefined, body: Uint8Array): Verification | null {
  if (signature === undefined) return fail('signature_missing', 'X-Hub-Signature-256 header missing');
  const offered = signature.startsWith('sha256=') ? hexDecode(signature.slice('sha256='.length)) : null;
  if (offered === null) return fail('signature_invalid', 'X-Hub-Signature-256 is not sha256=<hex>');
  if (!bytesEqual(offered, hmac('sha256', secret, body))) return fail('signature_invalid', 'X-Hub-Signature-256 does not match the body');
  return null;
}

export const github: SourceTypeSpec = {
  type: 'github',
  config,
  secretFields: ['secret'],
  verify(raw, req) {
    const { secret } = raw as GithubConfig;
    const eventType = headerGet(req, 'x-github-event') ?? null;
    const delivery = headerGet(req, 'x-github-delivery') ?? null;
    if (secret == null) return accept(eventType, delivery, false);
    return hubSignatureCheck(secret, headerGet(req, SIGNATURE_HEADER), req.body) ?? accept(eventType, delivery);
  },
};
