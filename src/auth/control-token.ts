import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Authenticator } from './authenticate.js';
import type { LiveToken } from './principal.js';
import { tokenHash } from './token.js';

/**
 * The control token of an embedded server: made at start, kept only in memory
 * and in the data folder's lock file (mode 0600, beside the secret key), and
 * valid only while this process runs. Whoever can read the data folder already
 * holds the database and its key, so the CLI may use it to manage tokens
 * through the running server instead of opening the database a second time.
 */
export const CONTROL_TOKEN_ID = 'control';

export const controlTokenGenerate = (): string => 'hyc_' + randomBytes(32).toString('base64url');

/** An authenticator that also accepts the control token, as an admin. */
export function withControlToken(inner: Authenticator, token: string | undefined): Authenticator {
  if (!token) return inner;
  const expected = Buffer.from(tokenHash(token), 'hex');
  const isControl = (header: string | undefined) => {
    const presented = header?.startsWith('Bearer ') ? header.slice(7) : '';
    return timingSafeEqual(Buffer.from(tokenHash(presented), 'hex'), expected);
  };
  const control: LiveToken = { id: CONTROL_TOKEN_ID, scope: 'admin', appId: null, capabilities: null, expiresAt: null };
  return {
    ...inner,
    authenticate: (...args: Parameters<Authenticator['authenticate']>) => (isControl(args[0]) ? Promise.resolve(CONTROL_TOKEN_ID) : inner.authenticate(...args)),
    identify: (...args: Parameters<Authenticator['identify']>) => (isControl(args[0]) ? Promise.resolve(control) : inner.identify(...args)),
    // The control token is the CLI's, never a browser's: signing in with it goes to the inner authenticator, which refuses it.
  };
}
