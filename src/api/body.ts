import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { HookyardError } from '../errors.js';
import type { ApiEnv } from './env.js';

const tooLarge = (limit: number) => new HookyardError('payload_too_large', `the request body is larger than ${limit} bytes`);

/** The body of a Node request, up to `limit` bytes; rejects (and drains the rest) past it. */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        incoming.removeAllListeners('data');
        incoming.resume();
        reject(tooLarge(limit));
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
  if (bytes.length > limit) throw tooLarge(limit);
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
    if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    c.set('body', incoming ? await readIncoming(incoming, limit) : await readFetch(c.req.raw, limit));
    await next();
  };
}
