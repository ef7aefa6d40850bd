/**
 * Every error a caller can act on is a HookyardError with a stable `code`.
 * The HTTP layer maps it to a Svix-style body in one place; anything else is
 * an internal error, logged in full and shown to clients as a bare 500.
 */
export type ErrorCode =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'bad_request'
  /** A resend of a message whose payload was removed (Svix's 400 `missing_payload`). */
  | 'missing_payload'
  | 'config'
  | 'database_too_new'
  | 'database_unavailable'
  | 'secret_key'
  | 'data_dir_locked'
  | 'startup';

/** One field's problem, in the shape Svix returns under 422 `detail`. */
export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const STATUS: Record<ErrorCode, number> = {
  validation: 422,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  bad_request: 400,
  missing_payload: 400,
  config: 500,
  database_too_new: 500,
  // The database is down, restarting or unreachable: the request may be retried (src/store/unavailable.ts).
  database_unavailable: 503,
  secret_key: 500,
  data_dir_locked: 409,
  startup: 500,
};

export class HookyardError extends Error {
  override readonly name = 'HookyardError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; fields?: FieldError[]; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? STATUS[code];
    this.fields = options.fields;
  }
  readonly fields: FieldError[] | undefined;
}

export const notFound = (what: string) => new HookyardError('not_found', `${what} not found`);

export function validationError(msg: string, loc: (string | number)[], type = 'value_error'): HookyardError {
  return new HookyardError('validation', msg, { fields: [{ loc, msg, type }] });
}

/** PostgreSQL's SQLSTATE for a unique violation; both drivers expose it as `code`. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
