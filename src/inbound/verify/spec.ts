import type { z } from 'zod';

/**
 * What a source type sees of a received request. The receive route builds it
 * from the HTTP request without touching the body, so verification runs over
 * the exact bytes the sender signed.
 */
export interface InboundRequest {
  /** 'POST' normally; 'GET' for handshakes (Meta's hub.challenge). */
  method: string;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The exact raw bytes received. */
  body: Uint8Array;
}

export type VerifyFailure =
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_missing'
  | 'timestamp_stale'
  | 'credentials_invalid'
  | 'malformed';

/** A handshake answered directly to the sender; the request is not forwarded. */
export interface VerificationReply {
  status: number;
  contentType: string;
  body: string;
}

export type Verification =
  | { ok: true; eventType: string | null; dedupKey: string | null; verified: boolean; reply?: VerificationReply }
  | { ok: false; reason: VerifyFailure; detail: string };

export interface SourceTypeSpec {
  /** Svix's name, e.g. 'github', 'stripe', 'svix', 'generic-webhook'; Hookyard's own start with 'hookyard-'. */
  type: string;
  /** Svix's config shape for that type (camelCase), strict: unknown fields are refused. */
  config: z.ZodType;
  /** Config fields to seal at rest and redact on read. */
  secretFields: string[];
  /**
   * Pure: `config` has passed `config`, `now` is the caller's clock. Never
   * throws for anything a sender controls; fails closed.
   */
  verify(config: unknown, req: InboundRequest, now: Date): Verification;
  /**
   * Header names (lower case) that carry this config's credential when the config names them
   * (hookyard-header-token's `headerName`, …): redacted in the request log whatever they are
   * called, since the general rule (src/inbound/event.ts) only knows the usual names.
   */
  credentialHeaders?(config: unknown): string[];
}
