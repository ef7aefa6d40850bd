import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { HookyardError } from '../errors.js';
import type { ApiEnv } from './env.js';

/** A body over the limit, with how many of its bytes had arrived when it was refused (the receive path logs it). */
export class BodyTooLarge extends HookyardError {
  constructor(
    limit: number,
    /** Bytes received before the refusal: the declared length, or what a chunked body had sent by then. */
    readonly received: number,
  ) {
    super('payload_too_large', `the request body is larger than ${limit} bytes`);
  }
}

/**
 * The body of a Node request, up to `limit` bytes; rejects past it, and then drains the rest
 * (the API: the connection stays usable) or, with `drain: false`, stops reading (the receive
 * path: its caller closes the connection, so a sender of a huge body is not read to the end).
 */
function readIncoming(incoming: IncomingMessage, limit: number, drain = true): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        incoming.removeAllListeners('data');
        if (drain) incoming.resume();
        else incoming.pause();
        reject(new BodyTooLarge(limit, size));
      } else {
        chunks.push(chunk);
      }
    });
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    incoming.once('error', reject);
    incoming.once('aborted', () => reject(new HookyardError('bad_request', 'the request body was cut off')));
  });
}

/** The same through a Fetch Request, where there is no Node request (tests calling app.request). */
async function readFetch(request: Request, limit: number): Promise<Buffer> {
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > limit) throw new BodyTooLarge(limit, bytes.length);
  return bytes;
}

/**
 * Reads the request body once, up to `limit` bytes (a larger one is a 413), and keeps it on the
 * context for the Idempotency-Key fingerprint and the route. On Node it reads the request
 * stream itself: going through the Fetch `Request` made @hono/node-server build a full one
 * (headers, an AbortSignal) for every request, a few % of the API's CPU.
 */
export function bodyReader(limit: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > limit) throw new BodyTooLarge(limit, Number(declared));
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    c.set('body', incoming ? await readIncoming(incoming, limit) : await readFetch(c.req.raw, limit));
    await next();
  };
}

/**
 * The receive path's reader (src/inbound/receive.ts): the body up to `limit` bytes, or a 413
 * without reading the rest. Its caller answers with `Connection: close`.
 */
export async function bodyReadLimited(c: Context, limit: number): Promise<Buffer> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) return incomingReadLimited(incoming, limit);
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw new BodyTooLarge(limit, Number(declared));
  return readFetch(c.req.raw, limit);
}

/** The same on a Node request, for the receive path's own handler (src/inbound/receive-node.ts). */
export async function incomingReadLimited(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw new BodyTooLarge(limit, Number(declared));
  return readIncoming(incoming, limit, false);
}
