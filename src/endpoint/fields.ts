/**
 * The names of the fields Svix's EndpointUpdate (PUT) and EndpointPatch accept
 * here, Hookyard's extensions included: `endpointFields` in model.ts must have
 * exactly these keys (checked by its type and by fields.test.ts). The console
 * builds its editable settings from this list rather than from what an
 * endpoint's GET answers (which adds read-only fields: health, tlsWarning, …),
 * so this file imports nothing: the web build bundles it.
 */
export const ENDPOINT_UPDATE_FIELDS = [
  'url', 'description', 'version', 'uid', 'filterTypes', 'channels', 'disabled', 'rateLimit', 'maxInFlight', 'fifo', 'metadata',
  'signatureFormat', 'headerNames', 'bodyFormat', 'tlsVerify', 'tlsCaCertificate', 'failureThreshold',
] as const;
export type EndpointUpdateField = (typeof ENDPOINT_UPDATE_FIELDS)[number];
