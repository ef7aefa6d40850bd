import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import { validationError } from '../errors.js';
import { parseInput } from '../validate.js';

/**
 * Payload mapping: an optional map of output field → JSONPath
 * (`{"branch": "$.ref", "author": "$.head_commit.author.name"}`) that
 * reshapes a parsed payload before it is forwarded.
 *
 * Paths are evaluated by jsonpath-plus with script evaluation turned off
 * (`eval: false`, which makes the library throw on any `?()` or `()`
 * expression instead of running it). Before that, every path is checked
 * against the small grammar below, at source creation, so a map either is
 * refused with a 422 naming the field or runs without surprises: the
 * library's own parser is lenient (`$[` reads as `$`) and has extensions
 * (`~`, `^`, `@`, backticks) a map has no use for.
 *
 * Grammar: `$` then segments: `.name`, `..name`, `.*`, `[*]`, `[3]`, `[-1:]`
 * (slices), `['quoted name']`. Filters (`[?(…)]`), scripts (`[(…)]`),
 * unions and recursive wildcards (`..*`, which copies the whole document
 * again) are refused.
 *
 * A definite path (no wildcard, recursion or slice) maps to its value, or
 * null when absent; any other path maps to the array of its matches.
 */
export const MAPPING_FIELDS_MAX = 32;
export const MAPPING_PATH_MAX = 256;
export const MAPPING_FIELD_NAME_MAX = 128;

export type PayloadMapping = Record<string, string>;

const NAME = String.raw`[\p{L}\p{N}_-]+`;
const QUOTED_CHARS = String.raw`[^'"\\,:*~^@$\x60()?\[\]\p{Cc}]+`;
const SEGMENT = new RegExp(
  String.raw`^(?:\.\.(?:${NAME}|\[(?:-?\d+|'${QUOTED_CHARS}'|"${QUOTED_CHARS}")\])` + // recursive descent to a named member or an index
    String.raw`|\.(?:${NAME}|\*)` +
    String.raw`|\[(?:\*|-?\d+|-?\d*:-?\d*(?::-?\d+)?|'${QUOTED_CHARS}'|"${QUOTED_CHARS}")\])`,
  'u',
);
const INDEFINITE = /^(?:\.\.|\.\*|\[\*\]|\[-?\d*:)/;

interface PathShape {
  definite: boolean;
}

/** The reason a path is refused, or its shape. Pure; the message never echoes the path. */
export function mappingPathCheck(path: string): PathShape | { error: string } {
  if (path.length > MAPPING_PATH_MAX) return { error: `must be at most ${MAPPING_PATH_MAX} characters` };
  if (!path.startsWith('$')) return { error: 'must be a JSONPath starting with $' };
  if (/\[\s*\??\s*\(/.test(path)) return { error: 'filter and script expressions ([?(…)], [(…)]) are not allowed' };
  let rest = path.slice(1);
  let definite = true;
  while (rest.length > 0) {
    if (/^\.\.(?:\*|\[\*\])/.test(rest)) return { error: 'recursive wildcards (..*) are not allowed' };
    const match = SEGMENT.exec(rest);
    if (match === null) return { error: `is not a supported JSONPath at character ${path.length - rest.length + 1}` };
    if (INDEFINITE.test(match[0])) definite = false;
    rest = rest.slice(match[0].length);
  }
  return { definite };
}

export const payloadMappingSchema = z
  .record(z.string().min(1).max(MAPPING_FIELD_NAME_MAX), z.string())
  .superRefine((map, ctx) => {
    const fields = Object.keys(map);
    if (fields.length > MAPPING_FIELDS_MAX) ctx.addIssue({ code: 'custom', message: `at most ${MAPPING_FIELDS_MAX} fields`, path: [] });
    for (const field of fields) {
      const shape = mappingPathCheck(map[field]!);
      if ('error' in shape) ctx.addIssue({ code: 'custom', message: shape.error, path: [field] });
    }
  });

/**
 * Validates a mapping for a source; throws the 422 HookyardError naming each
 * bad field. Use this rather than the bare schema: zod silently drops a
 * `__proto__` key, which is refused here instead of lost.
 */
export function payloadMappingParse(input: unknown, loc: (string | number)[] = ['body', 'mapping']): PayloadMapping {
  if (input !== null && typeof input === 'object' && Object.hasOwn(input, '__proto__')) {
    throw validationError('field name __proto__ is not allowed', [...loc, '__proto__']);
  }
  return parseInput(payloadMappingSchema, input, loc);
}

/**
 * Applies a mapping (already checked by payloadMappingParse) to a parsed
 * payload. Pure. The output has exactly the map's fields, in its order.
 */
export function payloadMap(mapping: PayloadMapping, payload: unknown): Record<string, unknown> {
  const entries = Object.entries(mapping).map(([field, path]): [string, unknown] => {
    const shape = mappingPathCheck(path);
    // A path that fails the check maps to nothing rather than reaching the library.
    if ('error' in shape) return [field, null];
    const matches = payload !== null && typeof payload === 'object' ? (JSONPath({ path, json: payload, eval: false, wrap: true }) as unknown[]) : [];
    return [field, shape.definite ? (matches[0] ?? null) : matches];
  });
  // fromEntries defines own properties, so a field named __proto__ stays a plain field.
  return Object.fromEntries(entries);
}
