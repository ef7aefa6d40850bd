import type { z } from 'zod';
import { HookyardError, type FieldError } from './errors.js';

/**
 * Parses input with a schema; on failure throws one validation error that
 * lists every field in Svix's `{loc, msg, type}` shape. Values are never
 * echoed back, as they may hold secrets.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, loc: (string | number)[] = ['body']): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldError[] = result.error.issues.flatMap((issue) => {
    const at = [...loc, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    // One entry per unknown field, located at the field, as Svix reports them.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ loc: [...at, key], msg: 'extra fields not permitted', type: 'unrecognized_keys' }));
    return [{ loc: at, msg: issue.message, type: issue.code }];
  });
  const first = fields[0]!;
  throw new HookyardError('validation', `${first.loc.join('.')}: ${first.msg}`, { fields });
}
