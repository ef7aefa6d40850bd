import { HookyardError, validationError } from '../errors.js';
import { jsonDepth } from '../json/scan.js';
import { JsonText, PAYLOAD_MAX_DEPTH } from './model.js';

export interface Payload {
  /** The exact JSON text stored and sent. */
  text: string;
  /** The parsed value: what the schema and shape checks see. */
  value: unknown;
}

const tooDeep = (loc: (string | number)[]) =>
  validationError(`nests objects and arrays deeper than ${PAYLOAD_MAX_DEPTH} levels`, [...loc, 'payload'], 'payload_depth');

/**
 * A payload's exact text and its value, checked for depth and size before anything recurses
 * into it. Text given as `JsonText` is kept as written (a `\u0000` escape included: it is six
 * characters of JSON text, stored as such); a value is serialised once.
 */
export function payloadOf(payload: unknown, loc: (string | number)[], maxBytes: number): Payload {
  let text: string;
  let value: unknown;
  if (payload instanceof JsonText) {
    text = payload.text;
    if (jsonDepth(text, PAYLOAD_MAX_DEPTH) > PAYLOAD_MAX_DEPTH) throw tooDeep(loc);
    if (payload.value !== undefined) {
      value = payload.value;
    } else {
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new HookyardError('validation', `${[...loc, 'payload'].join('.')}: not valid JSON text`, {
          cause,
          fields: [{ loc: [...loc, 'payload'], msg: 'not valid JSON text', type: 'json_invalid' }],
        });
      }
    }
  } else {
    value = payload;
    try {
      text = JSON.stringify(payload) ?? 'null';
    } catch (cause) {
      // A RangeError is JSON.stringify's own recursion running out of stack.
      if (cause instanceof RangeError) throw tooDeep(loc);
      throw new HookyardError('validation', `${[...loc, 'payload'].join('.')}: cannot be written as JSON`, {
        cause,
        fields: [{ loc: [...loc, 'payload'], msg: `cannot be written as JSON: ${(cause as Error).message}`, type: 'json_invalid' }],
      });
    }
    if (jsonDepth(text, PAYLOAD_MAX_DEPTH) > PAYLOAD_MAX_DEPTH) throw tooDeep(loc);
  }
  const size = Buffer.byteLength(text);
  if (size > maxBytes) throw new HookyardError('payload_too_large', `payload is ${size} bytes; the limit is ${maxBytes}`);
  return { text, value };
}
