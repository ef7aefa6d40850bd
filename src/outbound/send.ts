import { request, type Dispatcher } from 'undici';
import { errorClassify, type ErrorClass } from './classify.js';

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
  /** Aborts the attempt early (worker shutdown). */
  signal?: AbortSignal;
}

/** What one POST came to: a response of any status, or no response and why. */
export type SendResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string; truncated: boolean; durationMs: number }
  | { kind: 'error'; errorClass: ErrorClass; message: string; durationMs: number };

/**
 * POSTs once. Never follows redirects (undici's default without a redirect
 * interceptor) and never throws: every failure is a result.
 */
export async function send(req: OutboundRequest, { agent, timeoutMs, maxResponseBytes, requireHttps, signal }: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { kind: 'error', errorClass: 'other', message: 'invalid URL', durationMs: 0 };
  }
  if (url.protocol !== 'https:' && (requireHttps || url.protocol !== 'http:')) {
    return { kind: 'error', errorClass: 'blocked', message: `${url.protocol} URLs are not allowed${requireHttps ? ' (HTTPS is required)' : ''}`, durationMs: 0 };
  }
  // undici's own timers bound the wait for headers and for each body chunk, and readCapped
  // enforces the overall deadline: cheaper than an AbortSignal timer per request on the hot path.
  const deadline = started + timeoutMs;
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: req.headers,
      body: req.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const { body, truncated } = await readCapped(response.body, maxResponseBytes, deadline);
    return { kind: 'response', status: response.statusCode, headers: flatten(response.headers), body, truncated, durationMs: elapsed() };
  } catch (error) {
    const errorClass = errorClassify(error);
    const message = errorClass === 'timeout' ? `no complete response within ${timeoutMs} ms` : (error as Error).message || String(error);
    return { kind: 'error', errorClass, message: message.slice(0, 500), durationMs: elapsed() };
  }
}

class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
}

/** Reads at most `max` bytes; a longer body is cut off and its connection destroyed rather than drained. */
async function readCapped(body: Dispatcher.ResponseData['body'], max: number, deadline: number): Promise<{ body: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  // A body that trickles in just under bodyTimeout per chunk still ends at the deadline.
  const timer = setTimeout(() => body.destroy(new DeadlineError('attempt deadline')), Math.max(0, deadline - performance.now()));
  try {
    return await readChunks();
  } finally {
    clearTimeout(timer);
  }
  async function readChunks(): Promise<{ body: string; truncated: boolean }> {
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > max) {
      chunks.push(buffer.subarray(0, max - size));
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  // PostgreSQL text cannot hold NUL; a binary body is stored lossy, as text.
  return { body: Buffer.concat(chunks).toString('utf8').replaceAll('\0', '\uFFFD'), truncated };
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = (Array.isArray(value) ? value.join(', ') : value).replaceAll('\0', '');
  }
  return out;
}
