import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { metadataSchema, uidSchema } from '../schema-parts.js';
import { payloadMappingSchema } from './mapping.js';

/** A source (Svix's Ingest source): where third parties post, and what checks them. */
export interface Source {
  id: string;
  uid: string | null;
  name: string;
  type: string;
  /** The whole config, secret fields included (opened): for verification, never for output. */
  config: Record<string, unknown>;
  /** The hidden application whose endpoints are this source's ingest endpoints. */
  appId: string;
  disabled: boolean;
  /** Hookyard extensions; null: the server-wide default. */
  maxBodyBytes: number | null;
  /** Requests per minute for this source's key. */
  rateLimit: number | null;
  allowedCidrs: string[] | null;
  mapping: Record<string, string> | null;
  metadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export interface SourceStats {
  eventsReceived: number;
  lastEventAt: Date | null;
  createdAt: Date;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128). */
export const cidrSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((text) => ipaddr.isValidCIDR(text) || ipaddr.isValid(text), 'must be a CIDR (10.0.0.0/8, 2001:db8::/32) or an address');

/** Hookyard's extensions to Svix's IngestSourceIn; left out of a PUT, they keep their values. */
const extensionFields = {
  disabled: z.boolean().optional().describe('Hookyard extension: a disabled source answers 403 (and logs the request)'),
  maxBodyBytes: z.number().int().min(1).max(64 * 1024 * 1024).nullish().describe('Hookyard extension: largest body accepted, bytes (null: the server default, 1 MB)'),
  rateLimit: z.number().int().min(1).max(1_000_000).nullish().describe('Hookyard extension: requests per minute for this source\'s key, across all API processes (null: the server default, 100)'),
  allowedCidrs: z.array(cidrSchema).min(1).max(100).nullish().describe('Hookyard extension: client addresses allowed (CIDRs); null: any'),
  mapping: payloadMappingSchema.nullish().describe('Hookyard extension: JSONPath field map (`{"branch": "$.ref"}`) that reshapes JSON payloads before forwarding; null: pass-through'),
};

/** Svix's IngestSourceIn: `type` and its `config`, checked against the type in the service. */
export const sourceInSchema = z.strictObject({
  name: z.string().min(1).max(256),
  uid: uidSchema.nullish(),
  metadata: metadataSchema.optional(),
  type: z.string().min(1).max(64),
  config: z.record(z.string(), z.unknown()).optional(),
  ...extensionFields,
});
export type SourceIn = z.input<typeof sourceInSchema>;

/** Request-log outcomes. */
export type RequestOutcome = 'accepted' | 'duplicate' | 'handshake' | 'rejected';

export type RejectReason =
  | 'unknown_key'
  | 'disabled'
  | 'ip_refused'
  | 'rate_limited'
  | 'too_large'
  | 'body_not_text'
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_missing'
  | 'timestamp_stale'
  | 'credentials_invalid'
  | 'malformed'
  | 'cut_off';

/** One request in the log (rejected floods: one row standing for `count` requests). */
export interface RequestLogEntry {
  id: string;
  sourceId: string | null;
  receivedAt: Date;
  outcome: RequestOutcome;
  reason: string | null;
  status: number;
  clientIp: string | null;
  userAgent: string | null;
  headers: Record<string, string>;
  size: number;
  durationMs: number;
  count: number;
  messageId: string | null;
  eventType: string | null;
  contentType: string | null;
}
