import { z } from 'zod';
import { extensionAccept, extensionFields, headerName } from './extension-fields.js';
import { fail, headerGet, secretEqual, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Hookyard extension: a shared token in a header (`X-Webhook-Token: <token>`,
 * or `Authorization: Bearer <token>` with prefix `Bearer `). The header must
 * equal prefix + token exactly, compared through digests so neither content
 * nor length leaks. Nothing is signed, and there is no replay window.
 */
const config = z.strictObject({
  token: secretText,
  headerName: headerName.default('x-webhook-token'),
  prefix: z.string().max(32).default(''),
  ...extensionFields,
});
type HeaderTokenConfig = z.output<typeof config>;

export const hookyardHeaderToken: SourceTypeSpec = {
  type: 'hookyard-header-token',
  config,
  secretFields: ['token'],
  verify(raw, req) {
    const c = raw as HeaderTokenConfig;
    const header = headerGet(req, c.headerName);
    if (header === undefined) return fail('credentials_invalid', `${c.headerName} header missing`);
    if (!secretEqual(header, c.prefix + c.token)) return fail('credentials_invalid', `${c.headerName} does not hold the token`);
    return extensionAccept(c, req);
  },
  credentialHeaders: (raw) => [(raw as HeaderTokenConfig).headerName.toLowerCase()],
};
