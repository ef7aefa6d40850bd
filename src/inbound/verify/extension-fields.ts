import { z } from 'zod';
import { accept, bodyJson, fieldString, headerGet } from './parts.js';
import type { InboundRequest, Verification } from './spec.js';

/**
 * Fields the Hookyard types share: which headers carry the event type and a
 * delivery id, since a generic sender has no fixed names. Without
 * `eventTypeHeader`, a JSON body's `type` is the event type.
 */
export const headerName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name');

export const extensionFields = {
  eventTypeHeader: headerName.optional(),
  dedupHeader: headerName.optional(),
};

export function extensionAccept(config: { eventTypeHeader?: string | undefined; dedupHeader?: string | undefined }, req: InboundRequest): Verification {
  const eventType = config.eventTypeHeader === undefined ? fieldString(bodyJson(req.body), 'type') : (headerGet(req, config.eventTypeHeader) ?? null);
  const dedupKey = config.dedupHeader === undefined ? null : (headerGet(req, config.dedupHeader) ?? null);
  return accept(eventType, dedupKey);
}
