import traverse from 'json-schema-traverse';

/**
 * Limits on an event type's JSON Schema, checked before it is compiled.
 * Ajv's compile time grows faster than linearly with the number of
 * subschemas (1,500 properties took 3 s, 4,000 overflowed its stack), so the
 * bound is on values, not only bytes; a 100,000-value enum is 1.2 MB.
 */
export const SCHEMA_LIMITS = {
  /** Serialised JSON of all versions together. */
  maxBytes: 128 * 1024,
  /** Nesting of objects and arrays. */
  maxDepth: 32,
  /** Every JSON value in one version's schema: objects, arrays, strings, numbers… */
  maxValues: 4_000,
} as const;

/** The first limit a schema document breaks, in words; undefined if none. Iterative, so depth cannot overflow the stack. */
export function schemaSizeProblem(schema: unknown): string | undefined {
  let values = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: schema, depth: 0 }];
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (++values > SCHEMA_LIMITS.maxValues) return `has more than ${SCHEMA_LIMITS.maxValues} values (enum entries, properties, keywords…)`;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= SCHEMA_LIMITS.maxDepth) return `is nested more than ${SCHEMA_LIMITS.maxDepth} levels deep`;
    for (const item of Object.values(value)) stack.push({ value: item, depth: depth + 1 });
  }
  return undefined;
}

// Keywords that apply a subschema to the same instance; following only these, a cycle never ends.
const SAME_INSTANCE = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependencies']);

const pointerOf = (ref: string): string | undefined => {
  if (!ref.startsWith('#') || (ref.length > 1 && ref[1] !== '/')) return undefined;
  try {
    return decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
};

/**
 * A `$ref` loop that never descends into the payload (`{"$ref": "#"}`, or
 * `allOf` back to a parent) recurses until the stack overflows at every
 * publish. Returns where the loop is, or undefined. Only local `#/…` refs
 * are followed; anything else is left to the guard around validation.
 */
export function schemaRefLoop(schema: object): string | undefined {
  const edges = new Map<string, string[]>();
  traverse(schema as traverse.SchemaObject, (node, ptr, _root, parentPtr, parentKeyword) => {
    edges.set(ptr, []);
    if (parentPtr !== undefined && parentKeyword && SAME_INSTANCE.has(parentKeyword)) edges.get(parentPtr)?.push(ptr);
    const target = typeof node.$ref === 'string' ? pointerOf(node.$ref) : undefined;
    if (target !== undefined) edges.get(ptr)!.push(target.replace(/\/$/, ''));
  });
  // Iterative depth-first search with colours: grey = on the current path.
  const colour = new Map<string, 'grey' | 'black'>();
  for (const start of edges.keys()) {
    if (colour.has(start)) continue;
    const stack: { ptr: string; next: number }[] = [{ ptr: start, next: 0 }];
    colour.set(start, 'grey');
    while (stack.length) {
      const top = stack.at(-1)!;
      const out = edges.get(top.ptr) ?? [];
      if (top.next >= out.length) {
        colour.set(top.ptr, 'black');
        stack.pop();
        continue;
      }
      const to = out[top.next++]!;
      if (!edges.has(to)) continue;
      if (colour.get(to) === 'grey') return `#${top.ptr} refers back to #${to} without descending into the payload`;
      if (!colour.has(to)) {
        colour.set(to, 'grey');
        stack.push({ ptr: to, next: 0 });
      }
    }
  }
  return undefined;
}
