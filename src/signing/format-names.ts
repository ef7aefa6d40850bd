/**
 * The signature formats an endpoint can ask for (a Hookyard extension).
 * `standard` is Standard Webhooks, the default: `v1` for `whsec_` secrets,
 * `v1a` for `whsk_` ed25519 keys. A file of its own, importing nothing, so the
 * console's endpoint form offers the same list.
 */
export const SIGNATURE_FORMATS = ['standard', 'github', 'stripe', 'plain'] as const;
export type SignatureFormat = (typeof SIGNATURE_FORMATS)[number];
