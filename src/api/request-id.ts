import { pooledRandom } from '../ids/id.js';

// What a client may send as its own request id (X-Request-Id, or Svix's svix-req-id).
const GIVEN = /^[A-Za-z0-9_\-.:]{1,128}$/;

/**
 * The id of a request, on its response and every log line of it: the client's own when it gave a
 * plain one, else a new `req_` + 16 hex digits. Not a secret, so it draws from the ids' pool: a
 * synchronous randomBytes per request cost the receive path ~9 µs (issue 12's benchmark).
 */
export function requestIdOf(given: string | undefined): string {
  return given !== undefined && GIVEN.test(given) ? given : `req_${pooledRandom(8).toString('hex')}`;
}
