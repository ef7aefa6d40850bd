import { z } from 'zod';
import { accept, bodyJson, fieldString, headerGet, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';
import { timestampedSignatureCheck } from './stripe.js';

/**
 * Tailscale: `Tailscale-Webhook-Signature: t=<seconds>,v1=<hex>`, HMAC-SHA256
 * of `${t}.${body}` keyed with the webhook secret, as Stripe signs. Svix's
 * TailscaleConfig has `timestampGraceSeconds`; Svix skips the age check
 * when it is absent, Hookyard applies 5 minutes instead (Tailscale's own
 * example's window), so an unset field never means "replays accepted".
 *
 * The body is a JSON array of events, possibly batched; the event type is
 * their `type` when they all share one. No delivery id: no dedup key.
 */
const config = z.strictObject({
  secret: secretText,
  timestampGraceSeconds: z.number().int().min(1).max(86_400).nullish(),
});
type TailscaleConfig = z.infer<typeof config>;

export const DEFAULT_GRACE_SECONDS = 300;

function eventType(body: Uint8Array): string | null {
  const events = bodyJson(body);
  if (!Array.isArray(events) || events.length === 0) return null;
  const types = new Set(events.map((e) => fieldString(e, 'type')));
  const [only] = types;
  return types.size === 1 && only !== undefined ? only : null;
}

export const tailscale: SourceTypeSpec = {
  type: 'tailscale',
  config,
  secretFields: ['secret'],
  verify(raw, req, now) {
    const { secret, timestampGraceSeconds } = raw as TailscaleConfig;
    const header = headerGet(req, 'tailscale-webhook-signature');
    const failure = timestampedSignatureCheck('Tailscale-Webhook-Signature', header, secret, req.body, now, timestampGraceSeconds ?? DEFAULT_GRACE_SECONDS);
    return failure ?? accept(eventType(req.body), null);
  },
};
