import { HookyardError, type FieldError } from '../errors.js';

const MAX_REPORTED = 10;
const MSG = 'contains a NUL character (\\u0000), which cannot be stored';

/**
 * Refuses NUL characters in path ids, query values and request bodies, at
 * the edge: PostgreSQL refuses them in text and jsonb, so letting one through
 * would end as a 500. Message payloads (`payload`, `messages[].payload`) are
 * skipped: the publish path decides how a payload is kept.
 * Walks iteratively, so a deeply nested body cannot overflow the stack.
 */
export function nulRefuse(input: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown }): void {
  const fields: FieldError[] = [];
  for (const [name, value] of Object.entries(input.params ?? {})) if (value.includes('\0')) fields.push({ loc: ['path', name], msg: MSG, type: 'nul_character' });
  for (const [name, value] of Object.entries(input.query ?? {})) {
    if (name.includes('\0') || value.includes('\0')) fields.push({ loc: ['query', name], msg: MSG, type: 'nul_character' });
  }
  const stack: { value: unknown; loc: (string | number)[] }[] = [{ value: input.body, loc: ['body'] }];
  while (stack.length && fields.length < MAX_REPORTED) {
    const { value, loc } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) fields.push({ loc, msg: MSG, type: 'nul_character' });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, loc: [...loc, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\0')) fields.push({ loc: [...loc, key], msg: `the key ${MSG}`, type: 'nul_character' });
        if (!isPayload(loc, key)) stack.push({ value: item, loc: [...loc, key] });
      }
    }
  }
  if (fields.length) throw new HookyardError('validation', `${fields[0]!.loc.join('.')}: ${fields[0]!.msg}`, { fields: fields.slice(0, MAX_REPORTED) });
}

/** `body.payload` and `body.messages.<n>.payload`: a message's payload. */
const isPayload = (loc: (string | number)[], key: string) =>
  key === 'payload' && (loc.length === 1 || (loc.length === 3 && loc[1] === 'messages' && typeof loc[2] === 'number'));
