import { z } from 'zod';
import { accept, anyEqual, base64Decode, bodyJson, fail, fieldString, hmac, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * DocuSign Connect with HMAC: `X-DocuSign-Signature-1` (and `-2`, … when the
 * Connect configuration has several keys) is the base64 HMAC-SHA256 of the
 * raw body, keyed with the HMAC key exactly as DocuSign shows it (its base64
 * text, not decoded). Any numbered signature may match the configured key.
 * No timestamp is signed: no replay window, and no delivery id. The event
 * type is the JSON body's `event` (`envelope-completed`); XML bodies have
 * none. Svix's DocusignConfig makes the secret optional: without one,
 * requests are accepted unverified and say so.
 */
const config = z.strictObject({ secret: secretText.nullish() });
type DocusignConfig = z.infer<typeof config>;

const SIGNATURE = /^x-docusign-signature-\d{1,3}$/;

export const docusign: SourceTypeSpec = {
  type: 'docusign',
  config,
  secretFields: ['secret'],
  verify(raw, req) {
    const { secret } = raw as DocusignConfig;
    const eventType = fieldString(bodyJson(req.body), 'event');
    if (secret == null) return accept(eventType, null, false);
    const offered = Object.entries(req.headers)
      .filter(([name]) => SIGNATURE.test(name))
      .map(([, value]) => base64Decode(value.trim()));
    if (offered.length === 0) return fail('signature_missing', 'X-DocuSign-Signature-1 header missing');
    const valid = offered.filter((b): b is Buffer => b !== null);
    if (!anyEqual(valid, hmac('sha256', secret, req.body))) return fail('signature_invalid', 'no X-DocuSign-Signature header matches the body');
    return accept(eventType, null);
  },
};
