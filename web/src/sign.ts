// Signs a sample request the way a provider would, for a source's test tool (WebCrypto HMAC).
// Pure apart from the crypto call: the time and the message id are passed in.

const enc = new TextEncoder();

async function hmac(key: Uint8Array, message: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(message)));
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const base64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export interface SampleRequest {
  headers: Record<string, string>;
  body: string;
}

/** The headers a provider of `type` would send with `body`, signed with `secret`; undefined if this tool cannot sign for it. */
export async function sampleSign(type: string, secret: string, body: string, now: Date, id: string): Promise<Record<string, string> | undefined> {
  const seconds = Math.floor(now.getTime() / 1000);
  switch (type) {
    case 'generic-webhook':
      return {};
    case 'github':
      return { 'x-github-event': 'ping', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${hex(await hmac(enc.encode(secret), body))}` };
    case 'stripe':
      return { 'stripe-signature': `t=${seconds},v1=${hex(await hmac(enc.encode(secret), `${seconds}.${body}`))}` };
    case 'svix':
    case 'standard-webhooks':
    case 'clerk':
    case 'resend': {
      const key = secret.startsWith('whsec_') ? fromBase64(secret.slice(6)) : enc.encode(secret);
      const signature = base64(await hmac(key, `${id}.${seconds}.${body}`));
      const prefix = type === 'standard-webhooks' ? 'webhook' : 'svix';
      return { [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(seconds), [`${prefix}-signature`]: `v1,${signature}` };
    }
    case 'shopify':
      return { 'x-shopify-topic': 'test/ping', 'x-shopify-webhook-id': id, 'x-shopify-hmac-sha256': base64(await hmac(enc.encode(secret), body)) };
    case 'slack':
      return { 'x-slack-request-timestamp': String(seconds), 'x-slack-signature': `v0=${hex(await hmac(enc.encode(secret), `v0:${seconds}:${body}`))}` };
    default:
      return undefined;
  }
}
