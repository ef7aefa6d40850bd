import { HookyardError } from '../errors.js';

/**
 * The one place that decides whether an error means "the database is away"
 * (down, restarting, unreachable, too slow to answer) rather than "this
 * statement is wrong". The first kind is answered with 503 and logged once per
 * outage; the second is a bug or a bad request. The CLI uses the same test for
 * its startup messages.
 */

// SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that mean the server
// ended or refused the session, or cancelled a statement for running too long.
const SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_ctl stop, pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout, or pg_cancel_backend
  '25P03', // idle_in_transaction_session_timeout
]);
// Whole classes: 08 connection exception, 53 insufficient resources (too many connections, disk full, out of memory).
const SQLSTATE_CLASSES = ['08', '53'];

// Socket and DNS errors from Node.
const SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

// node-postgres reports a lost or stalled connection with a plain Error and no code; these are its messages.
const DRIVER_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function matches(error: unknown): boolean {
  if (error instanceof HookyardError) return error.code === 'database_unavailable';
  const code = codeOf(error);
  if (code !== undefined) {
    if (SQLSTATES.has(code) || SYSTEM_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return SQLSTATE_CLASSES.includes(code.slice(0, 2));
  }
  if (error instanceof AggregateError) return error.errors.some(matches);
  return error instanceof Error && DRIVER_MESSAGES.has(error.message);
}

/** True when `error` (or an error it wraps) means the database cannot be reached or cannot serve now. */
export function databaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e != null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (matches(e)) return true;
  }
  return false;
}

/** A short reason for a log line: the SQLSTATE or socket code and the driver's message (never a URL or password). */
export function unavailableReason(error: unknown): string {
  let e = error;
  if (e instanceof HookyardError && e.code === 'database_unavailable' && e.cause !== undefined) e = e.cause;
  if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Wraps a database-unavailable error so everything above the port sees one stable code; any other error is returned as it is. */
export function unavailableWrap(error: unknown): unknown {
  if (error instanceof HookyardError || !databaseUnavailable(error)) return error;
  return new HookyardError('database_unavailable', `the database is unavailable (${unavailableReason(error)})`, { cause: error });
}
