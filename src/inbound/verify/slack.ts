import { z } from 'zod';
import { accept, bodyForm, bodyJson, bytesEqual, fail, fieldString, headerGet, hexDecode, hmac, secretText, timestampCheck } from './parts.js';
import type { SourceTypeSpec, Verification } from './spec.js';

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of
 * `v0:{X-Slack-Request-Timestamp}:{body}` keyed with the app's signing
 * secret; the timestamp within 5 minutes of now, as Slack asks.
 *
 * The Events API's `url_verification` request (sent when the request URL is
 * set) is signed too; once verified it is answered with its challenge and not
 * forwarded. Event types: the Events API's `event.type` (or the envelope's
 * `type`); slash commands, which arrive form-encoded, use the command without
 * its slash (`/deploy` → `deploy`); interactive payloads their `type`.
 */
const config = z.strictObject({ secret: secretText });
type SlackConfig = z.infer<typeof config>;

export const TOLERANCE_SECONDS = 300;

function event(body: Uint8Array): Verification {
  const json = bodyJson(body);
  if (json !== undefined) {
    if (fieldString(json, 'type') === 'url_verification') {
      const challenge = fieldString(json, 'challenge');
      if (challenge === null) return fail('malformed', 'url_verification without a challenge');
      return { ok: true, eventType: 'url_verification', dedupKey: null, verified: true, reply: { status: 200, contentType: 'application/json', body: JSON.stringify({ challenge }) } };
    }
    return accept(fieldString(json, 'event', 'type') ?? fieldString(json, 'type'), fieldString(json, 'event_id'));
  }
  const form = bodyForm(body);
  const command = form?.get('command');
  if (command != null) return accept(command.replace(/^\//, ''), null);
  const payload = form?.get('payload');
  if (payload != null) return accept(fieldString(bodyJson(Buffer.from(payload)), 'type'), null);
  return accept(null, null);
}

export const slack: SourceTypeSpec = {
  type: 'slack',
  config,
  secretFields: ['secret'],
  verify(raw, req, now) {
    const { secret } = raw as SlackConfig;
    const header = headerGet(req, 'x-slack-signature');
    if (header === undefined) return fail('signature_missing', 'X-Slack-Signature header missing');
    const t = headerGet(req, 'x-slack-request-timestamp');
    const timestamp = timestampCheck(t, 'X-Slack-Request-Timestamp', now, TOLERANCE_SECONDS);
    if (typeof timestamp !== 'number') return timestamp;
    const offered = header.startsWith('v0=') ? hexDecode(header.slice(3)) : null;
    if (offered === null || !bytesEqual(offered, hmac('sha256', secret, `v0:${t}:`, req.body))) {
      return fail('signature_invalid', 'X-Slack-Signature does not match the body');
    }
    return event(req.body);
  },
};
