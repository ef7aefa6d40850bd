import type { Dispatcher } from 'undici';
import { errorDescribe, type ErrorClass } from './classify.js';

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendOptions {
  agent: Dispatcher;
  /** The whole attempt: connect, headers and body (ms). */
  timeoutMs: number;
  /** Response bytes kept; the rest is not read and the connection is dropped. */
  maxResponseBytes: number;
  requireHttps: boolean;
}

/** What one POST came to: a response of any status, or no response and why. */
export type SendResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string; truncated: boolean; durationMs: number }
  | { kind: 'error'; errorClass: ErrorClass; message: string; durationMs: number };

/** How much later than the attempt's deadline undici's coarse timers are set (see onRequestStart). */
const UNDICI_TIMER_SLACK_MS = 1_000;

class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * POSTs once. Never follows redirects (undici's default without a redirect
 * interceptor) and never throws: every failure is a result.
 *
 * It drives undici's dispatch API with its own handler rather than `request()`:
 * the body is collected straight from the socket's chunks, with no Readable
 * stream in between, which is about a third less CPU per request, and this
 * runs once per delivery.
 */
export function send(req: OutboundRequest, { agent, timeoutMs, maxResponseBytes, requireHttps }: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve({ kind: 'error', errorClass: 'other', message: 'other: the endpoint URL is not a valid URL', durationMs: 0 });
  }
  if (url.protocol !== 'https:' && (requireHttps || url.protocol !== 'http:')) {
    const message = url.protocol === 'http:'
      ? 'blocked: http:// URLs are refused because HTTPS is required (HOOKYARD_REQUIRE_HTTPS)'
      : `blocked: ${url.protocol} URLs are not allowed; only http:// and https://`;
    return Promise.resolve({ kind: 'error', errorClass: 'blocked', message, durationMs: 0 });
  }
  return new Promise<SendResult>((resolve) => {
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let deadline: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const response = (truncated: boolean): SendResult => ({
      kind: 'response',
      status,
      headers,
      // PostgreSQL text cannot hold NUL; a binary body is stored lossy, as text.
      body: Buffer.concat(chunks).toString('utf8').replaceAll('\0', '\uFFFD'),
      truncated,
      durationMs: elapsed(),
    });
    const failed = (error: unknown) => {
      const { errorClass, message } = errorDescribe(error, { timeoutMs });
      settle({ kind: 'error', errorClass, message, durationMs: elapsed() });
    };
    const handler: Dispatcher.DispatchHandler = {
      // The attempt's one deadline, counted from the start: the wait for headers and the whole body,
      // so a body that trickles in chunk by chunk still ends in time. undici's own header and body
      // timers tick about every half second and can fire up to a tick early, so they are set later
      // (UNDICI_TIMER_SLACK_MS) and only back this one up.
      onRequestStart(c) {
        deadline ??= setTimeout(() => c.abort(new DeadlineError('attempt deadline')), Math.max(0, started + timeoutMs - performance.now()));
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        status = statusCode;
        headers = flatten(responseHeaders);
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (size + chunk.length > maxResponseBytes) {
          chunks.push(chunk.subarray(0, maxResponseBytes - size));
          settle(response(true));
          // The rest is not read: the connection is dropped rather than drained.
          c.abort(new Error('response body over the cap'));
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      },
      onResponseEnd() {
        settle(response(false));
      },
      onResponseError(_c, error) {
        failed(error);
      },
    };
    try {
      agent.dispatch({ origin: url.origin, path: url.pathname + url.search, method: 'POST', headers: req.headers, body: req.body, headersTimeout: timeoutMs + UNDICI_TIMER_SLACK_MS, bodyTimeout: timeoutMs + UNDICI_TIMER_SLACK_MS }, handler);
    } catch (error) {
      failed(error);
    }
  });
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = (Array.isArray(value) ? value.join(', ') : value).replaceAll('\0', '');
  }
  return out;
}
