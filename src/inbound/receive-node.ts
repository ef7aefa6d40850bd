import type { IncomingMessage, ServerResponse } from 'node:http';
import { incomingReadLimited } from '../api/body.js';
import { requestIdOf } from '../api/request-id.js';
import type { Logger } from '../log.js';
import { databaseUnavailable, unavailableReason } from '../store/unavailable.js';
import { RECEIVE_PATH, type Receiver } from './receive.js';

const PREFIX = `${RECEIVE_PATH}/`;
// Keys are `wh_` + base64url; anything else in the segment (an escape, a further `/`) is left to
// the Hono route, which decodes it as for every other route (and answers 404).
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Lower-cased header names; repeated headers joined with ', ' (the verification contract). */
function headersOf(incoming: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = incoming.headers;
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The query's parameters, the first of each name (as Hono's `c.req.query()`). */
function queryOf(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(search)) if (!(name in out)) out[name] = value;
  return out;
}

/**
 * The receive path on the Node request itself, ahead of Hono: the Web `Request` and `Response`
 * that @hono/node-server builds, Hono's router and the API's middleware cost a received webhook
 * tens of µs (issue 12's benchmark; docs/inbound.md#performance) and give it nothing: it has no
 * token, no Idempotency-Key, no JSON body to parse. What the API's middleware does for every
 * request is done here too: the `X-Request-Id` header and one log line, without the path's key.
 * Returns false for any other request (and for keys not plainly spelled), which Hono then serves.
 */
export function receiveNodeHandler(inbound: Receiver, log: Logger): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url;
    if (url === undefined || !url.startsWith(PREFIX)) return false;
    const q = url.indexOf('?');
    const key = url.slice(PREFIX.length, q < 0 ? undefined : q);
    if (!PLAIN_SEGMENT.test(key)) return false;

    const started = performance.now();
    const given = req.headers['x-request-id'] ?? req.headers['svix-req-id'];
    const requestId = requestIdOf(typeof given === 'string' ? given : undefined);
    const send = (status: number, body: string, headers: Record<string, string>) => {
      res.writeHead(status, { 'x-request-id': requestId, 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
      // Method, route and status only: never headers, bodies, or the source's key.
      log.info({ reqId: requestId, method: req.method, path: `${RECEIVE_PATH}/[key]`, status, ms: Math.round(performance.now() - started) }, 'request');
    };
    inbound
      .handle({
        method: req.method ?? 'GET',
        key,
        headers: headersOf(req),
        query: () => (q < 0 ? {} : queryOf(url.slice(q + 1))),
        peer: req.socket.remoteAddress,
        read: (limit) => incomingReadLimited(req, limit),
      })
      .then(
        (answer) => {
          const headers: Record<string, string> = { 'content-type': answer.contentType };
          if (answer.retryAfter) headers['retry-after'] = answer.retryAfter;
          if (answer.close) {
            // The unread rest of the body is never read: the socket goes once the answer is out.
            headers.connection = 'close';
            res.once('finish', () => req.socket.destroySoon());
          }
          send(answer.status, answer.body, headers);
        },
        (error: unknown) => {
          // As the API's one error handler (src/api/error.ts) answers: an outage is a 503, not a bug.
          if (databaseUnavailable(error)) {
            log.debug({ reqId: requestId, reason: unavailableReason(error) }, 'answered 503: the database is unavailable');
            send(503, '{"code":"database_unavailable","detail":"the database is unavailable; try again shortly"}', { 'content-type': 'application/json', 'retry-after': '1' });
            return;
          }
          log.error({ reqId: requestId, err: error }, 'request failed');
          send(500, '{"code":"internal","detail":"internal server error"}', { 'content-type': 'application/json' });
        },
      );
    return true;
  };
}
