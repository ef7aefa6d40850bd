import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { BodyTooLarge, bodyReadLimited } from '../api/body.js';
import type { ApiEnv } from '../api/env.js';
import { HookyardError } from '../errors.js';
import { newId } from '../ids/id.js';
import type { Logger } from '../log.js';
import { addressInRanges, clientAddress, rangesParse, type Range } from './client-address.js';
import { payloadMap } from './mapping.js';
import { eventIdOf, eventTypeOf, forwardedContentType, headersForLog } from './event.js';
import type { RejectReason, RequestOutcome } from './model.js';
import { inboundRateLimits, type InboundLimits, type MinuteLimiter } from './rate-limit.js';
import { requestLogWriter, type RequestLogWriter } from './request-log.js';
import type { SourceService, SourceWithToken } from './service.js';
import { sourceCredentialHeaders, sourceTypes, type InboundRequest, type VerifyFailure } from './verify/index.js';
import { sourceTokenShaped } from './token.js';

export const RECEIVE_PATH = '/in';

export interface ReceiveOptions {
  /** Largest body a source accepts unless it sets its own (bytes). */
  maxBodyBytes: number;
  limits: InboundLimits;
  /** The limits' buckets, when shared with other processes (rate-share.ts); else this process's own. */
  limiter?: MinuteLimiter;
  /** Proxies whose X-Forwarded-For is believed (CIDRs). */
  trustedProxies: readonly string[];
  /** Rejected requests logged one by one per source and minute; beyond, aggregated. */
  logRejectedPerMinute: number;
  log: Logger;
  /** Each request's outcome, for the dashboard's counters (see requestLogWriter's `count`). */
  count?: (outcome: string) => void;
  now?: () => Date;
}

const STATUS_OF: Record<VerifyFailure, number> = {
  signature_missing: 401,
  signature_invalid: 401,
  timestamp_missing: 401,
  timestamp_stale: 401,
  credentials_invalid: 401,
  malformed: 400,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON body reshaped by the source's mapping; a body that does not parse is forwarded as it came. */
function mapped(mapping: Record<string, string>, text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return JSON.stringify(payloadMap(mapping, value));
}

/** A request as the receive path needs it, from whichever HTTP layer (receive-node.ts, the Hono route). */
export interface ReceiveRequest {
  method: string;
  /** The path segment after `/in/`, decoded. */
  key: string;
  /** Lower-cased header names; repeated headers joined with ', ' (the verification contract). */
  headers: Record<string, string>;
  query: () => Record<string, string>;
  /** The TCP peer's address. */
  peer: string | undefined;
  /** The body up to `limit` bytes; rejects with `payload_too_large` past it (unread rest) or `bad_request` when cut off. */
  read: (limit: number) => Promise<Buffer>;
}

export interface ReceiveAnswer {
  status: number;
  body: string;
  contentType: string;
  retryAfter?: string;
  /** Answer with `Connection: close`: the body was not read, and never will be. */
  close: boolean;
}

export interface Receiver {
  handle(req: ReceiveRequest): Promise<ReceiveAnswer>;
  /** The log of rejected requests, written in batches. */
  writer: RequestLogWriter;
}

const JSON_TYPE = 'application/json';
const ok = (status: 'accepted' | 'duplicate', messageId: string, verified: boolean): ReceiveAnswer =>
  ({ status: 200, body: `{"status":"${status}","messageId":"${messageId}","verified":${verified}}`, contentType: JSON_TYPE, close: false });

/**
 * The receive path, `/in/{key}` (any method: some providers verify with a GET): outside the
 * API's token auth, it reads the raw bytes with a limit and hands them to the source's type to
 * verify, then records and forwards. Checks run cheapest first, and each refusal is answered
 * without reading the body: unknown key 404, disabled 403, address 403, rate 429, size 413;
 * then verification (401, or 400 when malformed). 200 once the event is durably recorded.
 */
export function receiver(sources: SourceService, options: ReceiveOptions): Receiver {
  const { log, now = () => new Date() } = options;
  const trusted: Range[] = rangesParse(options.trustedProxies);
  const rates = inboundRateLimits(options.limits, options.limiter);
  const writer = requestLogWriter(sources.storage, log, { perSourcePerMinute: options.logRejectedPerMinute, ...(options.count ? { count: options.count } : {}) });
  const allowCache = new WeakMap<SourceWithToken, Range[]>();

  async function handle(req: ReceiveRequest): Promise<ReceiveAnswer> {
    const started = performance.now();
    const receivedAt = now();
    const { headers } = req;
    const clientIp = clientAddress(req.peer, headers['x-forwarded-for'], trusted) ?? null;
    const userAgent = headers['user-agent']?.slice(0, 512) ?? null;
    const declared = Number(headers['content-length'] ?? 0) || 0;
    let size = declared;
    const { key } = req;
    let source = sourceTokenShaped(key) ? await sources.byToken(key) : undefined;

    const answer = (status: number, outcome: RequestOutcome, reason: RejectReason | null, detail: string, extra: { eventType?: string | null; read?: boolean; retryAfter?: string } = {}) => {
      writer.write({
        sourceId: source?.id ?? null, receivedAt, outcome, reason, status, clientIp, userAgent, headers: headersForLog(headers, sourceCredentialHeaders(source)),
        size, durationMs: performance.now() - started, messageId: null, eventType: extra.eventType ?? null, contentType: null,
      });
      return { status, body: JSON.stringify({ code: reason ?? outcome, detail }), contentType: JSON_TYPE, close: !extra.read, ...(extra.retryAfter ? { retryAfter: extra.retryAfter } : {}) };
    };
    /** The refusals that depend only on the source and the client's address. */
    const refusal = (s: SourceWithToken | undefined, read: boolean) => {
      if (!s) return answer(404, 'rejected', 'unknown_key', 'no source has this URL', { read });
      if (s.disabled) return answer(403, 'rejected', 'disabled', 'this source is disabled', { read });
      if (s.allowedCidrs) {
        let ranges = allowCache.get(s);
        if (!ranges) allowCache.set(s, (ranges = rangesParse(s.allowedCidrs)));
        if (!clientIp || !addressInRanges(clientIp, ranges)) return answer(403, 'rejected', 'ip_refused', 'this address may not post to this source', { read });
      }
      return undefined;
    };

    const refused = refusal(source, false);
    if (refused) return refused;
    if (!source) throw new Error('unreachable: refusal() answers for a missing source');
    const wait = rates.take(source.id, clientIp ?? 'unknown', source.rateLimit);
    if (wait > 0) return answer(429, 'rejected', 'rate_limited', 'too many requests; see Retry-After', { retryAfter: String(wait) });
    let limit = source.maxBodyBytes ?? options.maxBodyBytes;
    let bytes: Buffer;
    try {
      bytes = await req.read(limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        size = error.received; // a chunked body declares no length: what it had sent when refused
        return answer(413, 'rejected', 'too_large', `the body is larger than ${limit} bytes`);
      }
      if (error instanceof HookyardError && error.code === 'bad_request') return answer(400, 'rejected', 'cut_off', 'the request body was cut off');
      throw error;
    }
    size = bytes.length;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return answer(415, 'rejected', 'body_not_text', 'the body is not UTF-8 text; Hookyard forwards text bodies (JSON, forms, XML) only', { read: true });
    }
    const inbound: InboundRequest = { method: req.method, headers, query: req.query(), body: bytes };
    const contentType = forwardedContentType(headers['content-type'], text);
    // The statement checks the source against the one this request was verified with; when it
    // changed meanwhile (another process's update, which that process's cache saw first), the
    // request is looked at again with the source as it is now.
    for (let attempt = 1; ; attempt++) {
      const spec = sourceTypes[source.type];
      if (!spec) throw new Error(`source ${source.id} has type ${source.type}, which this version does not know`);
      const verdict = spec.verify(source.config, inbound, receivedAt);
      if (!verdict.ok) return answer(STATUS_OF[verdict.reason] ?? 401, 'rejected', verdict.reason, verdict.detail, { read: true });
      const eventType = eventTypeOf(verdict.eventType, source.type);
      if (verdict.reply) {
        answer(verdict.reply.status, 'handshake', null, 'handshake answered', { eventType, read: true });
        return { status: verdict.reply.status, body: verdict.reply.body, contentType: verdict.reply.contentType, close: false };
      }
      const outcome = await sources.record({
        sourceId: source.id,
        tokenHash: source.tokenHash,
        sourceVersion: source.version,
        appId: source.appId,
        messageId: newId('msg', receivedAt.getTime()),
        eventType,
        eventId: eventIdOf(verdict.dedupKey),
        payload: source.mapping && contentType === null ? mapped(source.mapping, text) : text,
        verified: verdict.verified,
        receivedAt,
        log: {
          id: newId('inreq', receivedAt.getTime()),
          clientIp,
          userAgent,
          headers: headersForLog(headers, sourceCredentialHeaders(source)),
          size,
          durationMs: performance.now() - started,
          contentType,
        },
      });
      if (outcome.kind === 'created' || outcome.kind === 'duplicate') writer.recorded(outcome.kind === 'created' ? 'accepted' : 'duplicate');
      if (outcome.kind === 'duplicate') return ok('duplicate', outcome.messageId, verdict.verified);
      if (outcome.kind === 'created') return ok('accepted', outcome.messageId, verdict.verified);
      if (outcome.kind === 'stale') throw new Error('inbound record: event type changed twice under the statement');
      // The key was rotated, or the source deleted, disabled or updated, while this request ran.
      if (outcome.kind === 'gone') return answer(404, 'rejected', 'unknown_key', 'no source has this URL', { read: true });
      const fresh = await sources.byToken(key, { fresh: true });
      if (!fresh || fresh.id !== source.id) return answer(404, 'rejected', 'unknown_key', 'no source has this URL', { read: true });
      source = fresh;
      const again = refusal(source, true);
      if (again) return again;
      limit = source.maxBodyBytes ?? options.maxBodyBytes;
      if (size > limit) return answer(413, 'rejected', 'too_large', `the body is larger than ${limit} bytes`, { read: true });
      if (attempt >= 3) throw new Error(`inbound record: source ${source.id} changed three times under the request`);
    }
  }
  return { handle, writer };
}

/**
 * The route in the Hono app: what serves `/in/{key}` where there is no Node request (tests
 * calling `app.request`) and for keys the Node handler leaves to it (receive-node.ts).
 */
export function receiveMount(app: Hono<ApiEnv>, inbound: Receiver): void {
  app.all(`${RECEIVE_PATH}/:key`, async (c) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const headers: Record<string, string> = {};
    if (incoming) {
      for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    } else {
      c.req.raw.headers.forEach((value, name) => (headers[name] = value));
    }
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined;
    }
    const answer = await inbound.handle({ method: c.req.method, key: c.req.param('key'), headers, query: () => c.req.query(), peer, read: (limit) => bodyReadLimited(c, limit) });
    if (answer.retryAfter) c.header('retry-after', answer.retryAfter);
    if (answer.close) {
      c.header('connection', 'close');
      const outgoing = (c.env as { outgoing?: { once(e: string, f: () => void): void } } | undefined)?.outgoing;
      outgoing?.once('finish', () => incoming?.socket.destroySoon());
    }
    return c.body(answer.body, answer.status as 200, { 'content-type': answer.contentType });
  });
}
