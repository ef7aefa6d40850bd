import { z } from 'zod';
import { accept, base64Decode, bytesEqual, fail, headerGet, hmac, secretText } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body,
 * keyed with the app's client secret. No timestamp is signed, so the webhook
 * id (`X-Shopify-Webhook-Id`, the same on every retry) is the defence
 * against replays, through dedup. The topic (`orders/create`) is the event
 * type, as `orders.create`.
 */
const config = z.strictObject({ secret: secretText });
type ShopifyConfig = z.infer<typeof config>;

export const shopify: SourceTypeSpec = {
  type: 'shopify',
  config,
  secretFields: ['secret'],
  verify(raw, req) {
    const { secret } = raw as ShopifyConfig;
    const header = headerGet(req, 'x-shopify-hmac-sha256');
    if (header === undefined) return fail('signature_missing', 'X-Shopify-Hmac-Sha256 header missing');
    const offered = base64Decode(header);
    if (offered === null || !bytesEqual(offered, hmac('sha256', secret, req.body))) {
      return fail('signature_invalid', 'X-Shopify-Hmac-Sha256 does not match the body');
    }
    return accept(headerGet(req, 'x-shopify-topic') ?? null, headerGet(req, 'x-shopify-webhook-id') ?? null);
  },
};
