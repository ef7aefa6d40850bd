import { z } from 'zod';
import { accept, anyEqual, bodyJson, fail, fieldString, headerGet, hexDecode, hmac, secretText, timestampCheck } from './parts.js';
import type { SourceTypeSpec } from './spec.js';

/**
 * Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256
 * of `${t}.${body}` keyed with the whole `whsec_…` string. Several v1 entries
 * appear while a secret is being rolled; any one matching is enough. The
 * timestamp must be within 300 s of now (Stripe's default tolerance).
 */
const config = z.strictObject({ secret: secretText });
type StripeConfig = z.infer<typeof config>;

export const TOLERANCE_SECONDS = 300;

export const stripe: SourceTypeSpec = {
  type: 'stripe',
  config,
  secretFields: ['secret'],
  verify(raw, req, now) {
    const { secret } = raw as StripeConfig;
    const header = headerGet(req, 'stripe-signature');
    if (header === undefined) return fail('signature_missing', 'Stripe-Signature header missing');
    let t: string | undefined;
    const v1: string[] = [];
    for (const item of header.split(',')) {
      const eq = item.indexOf('=');
      if (eq < 0) continue;
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 't') t ??= value;
      else if (key === 'v1') v1.push(value);
    }
    const timestamp = timestampCheck(t, 'Stripe-Signature t', now, TOLERANCE_SECONDS);
    if (typeof timestamp !== 'number') return timestamp;
    if (v1.length === 0) return fail('signature_missing', 'Stripe-Signature has no v1 signature');
    const offered = v1.map(hexDecode).filter((b): b is Buffer => b !== null);
    // Sign with the t exactly as sent, so a leading zero cannot make a valid signature fail.
    const expected = hmac('sha256', secret, `${t}.`, req.body);
    if (!anyEqual(offered, expected)) return fail('signature_invalid', 'no Stripe-Signature v1 entry matches the body');
    const event = bodyJson(req.body);
    return accept(fieldString(event, 'type'), fieldString(event, 'id'));
  },
};
