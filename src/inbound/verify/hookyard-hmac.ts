import { z } from 'zod';
import { extensionAccept, extensionFields, headerName } from './extension-fields.js';
import { base64Decode, bytesEqual, fail, headerGet, hexDecode, hmac, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Hookyard extension: an HMAC of the raw body for any sender that signs that
 * way. SHA-256, SHA-512 or SHA-1; hex (either case) or base64; an optional
 * prefix (`sha256=` for `sha256=<hex>`, empty for a bare value) that must
 * then be present; the header name is configurable. The key is the secret's
 * UTF-8 bytes. No timestamp is signed, so there is no replay window; name a
 * `dedupHeader` if the sender sends a delivery id.
 */
const config = z.strictObject({
  secret: secretText,
  algorithm: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
  encoding: z.enum(['hex', 'base64']).default('hex'),
  headerName: headerName.default('x-webhook-signature'),
  prefix: z.string().max(32).default(''),
  ...extensionFields,
});
type HmacConfig = z.output<typeof config>;

export const hookyardHmac: SourceTypeSpec = {
  type: 'hookyard-hmac',
  config,
  secretFields: ['secret'],
  verify(raw, req) {
    const c = raw as HmacConfig;
    const header = headerGet(req, c.headerName);
    if (header === undefined) return fail('signature_missing', `${c.headerName} header missing`);
    const value = header.startsWith(c.prefix) ? header.slice(c.prefix.length) : null;
    const offered = value === null ? null : c.encoding === 'hex' ? hexDecode(value) : base64Decode(value);
    if (offered === null || !bytesEqual(offered, hmac(c.algorithm, c.secret, req.body))) {
      return fail('signature_invalid', `${c.headerName} does not match the body`);
    }
    return extensionAccept(c, req);
  },
  credentialHeaders: (raw) => [(raw as HmacConfig).headerName.toLowerCase()],
};
