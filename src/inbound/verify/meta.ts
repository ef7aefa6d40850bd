import { z } from 'zod';
import { hubSignatureCheck, SIGNATURE_HEADER } from './github.js';
import { accept, bodyJson, fail, fieldString, headerGet, secretEqual, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Meta (Facebook, Instagram, WhatsApp webhooks). Subscribing sends a GET with
 * `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge`: when the
 * verify token matches the configured one, the challenge is answered as plain
 * text and nothing is forwarded. Event POSTs carry
 * `X-Hub-Signature-256: sha256=<hex>` of the raw body keyed with the app
 * secret, as GitHub does. No timestamp and no delivery id: no replay window
 * or dedup key. The event type is the body's `object` (`page`,
 * `whatsapp_business_account`, …).
 */
const config = z.strictObject({ secret: secretText, verifyToken: secretText });
type MetaConfig = z.infer<typeof config>;

/** Meta's challenges are short numbers; anything long is not Meta. */
const CHALLENGE_MAX = 256;

export const meta: SourceTypeSpec = {
  type: 'meta',
  config,
  secretFields: ['secret', 'verifyToken'],
  verify(raw, req) {
    const { secret, verifyToken } = raw as MetaConfig;
    if (req.method.toUpperCase() === 'GET') {
      const { 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge } = req.query;
      if (mode !== 'subscribe' || challenge === undefined) return fail('malformed', 'a GET must be a hub.mode=subscribe handshake with hub.challenge');
      if (challenge.length > CHALLENGE_MAX) return fail('malformed', `hub.challenge is longer than ${CHALLENGE_MAX} characters`);
      if (token === undefined || !secretEqual(token, verifyToken)) return fail('credentials_invalid', 'hub.verify_token does not match');
      return { ok: true, eventType: null, dedupKey: null, verified: true, reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: challenge } };
    }
    return hubSignatureCheck(secret, headerGet(req, SIGNATURE_HEADER), req.body) ?? accept(fieldString(bodyJson(req.body), 'object'), null);
  },
};
