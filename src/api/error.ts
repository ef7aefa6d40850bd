import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { HookyardError, type ErrorCode } from '../errors.js';
import { databaseUnavailable, unavailableReason } from '../store/unavailable.js';
import type { ApiEnv } from './env.js';

/**
 * The one place where errors become responses, in Svix's shapes:
 * `{"code": "...", "detail": "..."}`, and for validation (422)
 * `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`.
 */
const SVIX_CODE: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'authentication_failed',
};

export function errorResponse(error: unknown, c: Context<ApiEnv>): Response {
  if (error instanceof HookyardError && error.status < 500) {
    if (error.code === 'validation') {
      return c.json({ detail: error.fields ?? [{ loc: ['body'], msg: error.message, type: 'value_error' }] }, 422);
    }
    if (error.code === 'rate_limited') c.header('Retry-After', String((error.cause as { retryAfter?: number } | undefined)?.retryAfter ?? 1));
    return c.json({ code: SVIX_CODE[error.code] ?? error.code, detail: error.message }, error.status as 400);
  }
  if (error instanceof HTTPException && error.status === 413) {
    return c.json({ code: 'payload_too_large', detail: 'the request body is too large' }, 413);
  }
  // An outage is not a bug: 503, and no stack per request. The storage logs one line when the
  // outage starts and one when it ends (store/outage.ts).
  if (databaseUnavailable(error)) {
    c.get('log')?.debug({ reason: unavailableReason(error) }, 'answered 503: the database is unavailable');
    c.header('Retry-After', '1');
    return c.json({ code: 'database_unavailable', detail: 'the database is unavailable; try again shortly' }, 503);
  }
  // Anything else is a bug or an outage: logged in full, shown bare.
  c.get('log')?.error({ err: error }, 'request failed');
  return c.json({ code: 'internal', detail: 'internal server error' }, 500);
}

export const notFoundResponse = (c: Context<ApiEnv>) => c.json({ code: 'not_found', detail: 'no such route' }, 404);
