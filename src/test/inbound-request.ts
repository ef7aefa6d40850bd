import type { InboundRequest, Verification } from '../inbound/verify/index.js';
import { sourceConfigParse } from '../inbound/verify/index.js';

/** A received request as the receive route hands it over: lower-cased header names, raw body bytes. */
export function inboundRequest(body: string | Uint8Array, headers: Record<string, string> = {}, extra: Partial<InboundRequest> = {}): InboundRequest {
  return {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    query: {},
    body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
    ...extra,
  };
}

/** Parses the config as source creation would, then verifies: the path a real request takes. */
export function verifyWith(type: string, config: unknown, req: InboundRequest, now: Date): Verification {
  const parsed = sourceConfigParse(type, config);
  return parsed.spec.verify(parsed.config, req, now);
}

/** The reason of a failed verification, or 'ok'. */
export function reasonOf(v: Verification): string {
  return v.ok ? 'ok' : v.reason;
}
