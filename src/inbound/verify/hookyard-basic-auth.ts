import { z } from 'zod';
import { extensionAccept, extensionFields } from './extension-fields.js';
import { fail, headerGet, secretEqual, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Hookyard extension: HTTP basic auth (`Authorization: Basic base64(user:password)`),
 * for senders that can only put credentials in the URL or a header. The
 * whole `user:password` is compared at once through digests, so neither part
 * leaks through timing. Nothing is signed: the body is not protected beyond
 * TLS, and there is no replay window.
 */
const config = z.strictObject({
  username: z.string().min(1).max(256).regex(/^[^:]*$/, 'must not contain ":"'),
  password: secretText,
  ...extensionFields,
});
type BasicAuthConfig = z.output<typeof config>;

export const hookyardBasicAuth: SourceTypeSpec = {
  type: 'hookyard-basic-auth',
  config,
  secretFields: ['password'],
  verify(raw, req) {
    const c = raw as BasicAuthConfig;
    const header = headerGet(req, 'authorization');
    if (header === undefined) return fail('credentials_invalid', 'Authorization header missing');
    const match = /^basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(header);
    if (match === null) return fail('credentials_invalid', 'Authorization is not Basic credentials');
    const given = Buffer.from(match[1]!, 'base64');
    if (!secretEqual(given, `${c.username}:${c.password}`)) return fail('credentials_invalid', 'wrong username or password');
    return extensionAccept(c, req);
  },
};
