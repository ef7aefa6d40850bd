import { z } from 'zod';
import { accept, bodyJson, bytesEqual, fail, fieldString, headerGet, hexDecode, hmac, secretText, timestampCheck } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 of
 * `v0:{x-zm-request-timestamp}:{body}` keyed with the app's secret token.
 * Zoom names no window; Hookyard allows 5 minutes either side, as for Slack.
 *
 * The `endpoint.url_validation` request is answered with
 * `{plainToken, encryptedToken}`, encryptedToken being the hex HMAC-SHA256 of
 * plainToken. It is answered only when its own signature verifies: the answer
 * is an HMAC of a string the caller chose, so answering unsigned requests
 * would hand anyone a signing oracle (a plainToken of `v0:{ts}:{body}` would
 * come back as a valid signature for that body).
 */
const config = z.strictObject({ secret: secretText });
type ZoomConfig = z.infer<typeof config>;

export const TOLERANCE_SECONDS = 300;

export const zoom: SourceTypeSpec = {
  type: 'zoom',
  config,
  secretFields: ['secret'],
  verify(raw, req, now) {
    const { secret } = raw as ZoomConfig;
    const header = headerGet(req, 'x-zm-signature');
    if (header === undefined) return fail('signature_missing', 'x-zm-signature header missing');
    const t = headerGet(req, 'x-zm-request-timestamp');
    const timestamp = timestampCheck(t, 'x-zm-request-timestamp', now, TOLERANCE_SECONDS);
    if (typeof timestamp !== 'number') return timestamp;
    const offered = header.startsWith('v0=') ? hexDecode(header.slice(3)) : null;
    if (offered === null || !bytesEqual(offered, hmac('sha256', secret, `v0:${t}:`, req.body))) {
      return fail('signature_invalid', 'x-zm-signature does not match the body');
    }
    const json = bodyJson(req.body);
    const eventType = fieldString(json, 'event');
    if (eventType === 'endpoint.url_validation') {
      const plainToken = fieldString(json, 'payload', 'plainToken');
      if (plainToken === null) return fail('malformed', 'endpoint.url_validation without payload.plainToken');
      const encryptedToken = hmac('sha256', secret, plainToken).toString('hex');
      return { ok: true, eventType, dedupKey: null, verified: true, reply: { status: 200, contentType: 'application/json', body: JSON.stringify({ plainToken, encryptedToken }) } };
    }
    return accept(eventType, null);
  },
};
