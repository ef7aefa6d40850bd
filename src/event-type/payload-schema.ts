import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import traverse from 'json-schema-traverse';
import { RE2JS } from 're2js';
import { eventTypeLatestSchema, type EventType } from './model.js';
import { SCHEMA_LIMITS, schemaRefLoop, schemaSizeProblem } from './schema-limits.js';

// ajv-formats is CommonJS; under NodeNext its callable export sits on `.default`.
const addFormats = addFormatsModule.default;

export interface PayloadValidatorOptions {
  /** Validation time allowed per event-loop turn, across all payloads validated in it (ms). */
  budgetMs?: number;
  /** Compile time above which a schema is refused at creation (ms). */
  compileBudgetMs?: number;
}

/** Thrown inside a validator when the turn's budget is spent; never escapes `validate`. */
class BudgetSpent extends Error {}

const BUDGET_KEYWORD = 'hookyardBudget';

/**
 * Compiles and caches one validator per event type version. The cache key
 * includes `updatedAt`, so editing an event type's schema takes effect at once.
 *
 * A schema must not be able to stop the server: patterns run on RE2 (re2js,
 * linear time, so `(a+)+$` cannot backtrack), `uniqueItems` is checked with a
 * set instead of Ajv's pairwise loop, schemas are bounded in size before they
 * are compiled, and every subschema evaluation counts against a per-turn
 * budget, so the event loop (and the health check) gets the CPU back within
 * about `budgetMs` whatever the schema and payload.
 */
export function payloadValidators({ budgetMs = 500, compileBudgetMs = 5_000 }: PayloadValidatorOptions = {}) {
  const cache = new Map<string, { key: number; validate: ValidateFunction | undefined; problem?: string }>();
  let deadline = Infinity;
  let turnOpen = false;
  let ticks = 0;

  // Reading the clock costs more than the check, so it is read every 256 evaluations.
  const tick = () => {
    if ((++ticks & 255) === 0 && performance.now() > deadline) throw new BudgetSpent();
    return true;
  };

  /** A fresh Ajv per schema: no shared `$id` registry between event types, and nothing kept after a schema is replaced. */
  function compile(schema: object): ValidateFunction {
    const ajv = new Ajv({ strict: false, allErrors: false, logger: false, code: { optimize: false, regExp: linearRegExp(tick) } });
    addFormats(ajv);
    // ajv-formats checks `format: regex` with the JavaScript engine; Hookyard's patterns are RE2.
    ajv.addFormat('regex', (text: string) => re2Compiles(text));
    ajv.removeKeyword('uniqueItems');
    ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', validate: uniqueItems });
    ajv.addKeyword({ keyword: BUDGET_KEYWORD, schemaType: 'boolean', errors: false, validate: tick });
    return ajv.compile(withBudget(schema));
  }

  function problemOf(schema: unknown): string | undefined {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'must be a JSON Schema object';
    const size = schemaSizeProblem(schema);
    if (size) return size;
    const loop = schemaRefLoop(schema);
    if (loop) return `loops: ${loop}`;
    return undefined;
  }

  return {
    /**
     * Checks the schemas an event type carries: size, `$ref` loops, and that
     * Ajv compiles each within the compile budget. Throws an Error whose
     * message says what is wrong (the caller turns it into a 422).
     */
    check(schemas: Record<string, unknown>): void {
      const bytes = Buffer.byteLength(JSON.stringify(schemas));
      if (bytes > SCHEMA_LIMITS.maxBytes) throw new Error(`the schemas are ${bytes} bytes; at most ${SCHEMA_LIMITS.maxBytes} are accepted`);
      for (const [version, schema] of Object.entries(schemas)) {
        const problem = problemOf(schema);
        if (problem) throw new Error(`version ${version} ${problem}`);
        const started = performance.now();
        try {
          compile(schema as object);
        } catch (cause) {
          throw new Error(`version ${version}: ${compileError(cause)}`, { cause });
        }
        const ms = performance.now() - started;
        if (ms > compileBudgetMs) throw new Error(`version ${version} took ${Math.round(ms)} ms to compile; at most ${compileBudgetMs} ms is allowed: make it smaller`);
      }
    },

    /** Undefined when the payload fits (or the type has no schema); otherwise why not, in words. */
    validate(eventType: EventType, payload: unknown): string | undefined {
      const key = eventType.updatedAt.getTime();
      let entry = cache.get(eventType.name);
      if (!entry || entry.key !== key) {
        const schema = eventTypeLatestSchema(eventType);
        entry = { key, validate: undefined };
        // A schema stored before these checks existed is refused here rather than compiled.
        const problem = schema === undefined ? undefined : problemOf(schema);
        if (problem) entry.problem = `the event type's schema cannot be used: it ${problem}`;
        else if (schema !== undefined) {
          try {
            entry.validate = compile(schema);
          } catch (cause) {
            entry.problem = `the event type's schema cannot be used: ${compileError(cause)}`;
          }
        }
        cache.set(eventType.name, entry);
      }
      if (entry.problem) return entry.problem;
      if (!entry.validate) return undefined;
      if (!turnOpen) {
        // The budget is per event-loop turn, so a batch validated in one go shares it.
        turnOpen = true;
        deadline = performance.now() + budgetMs;
        setImmediate(() => {
          turnOpen = false;
          deadline = Infinity;
        });
      }
      try {
        if (entry.validate(payload)) return undefined;
      } catch (error) {
        if (error instanceof BudgetSpent) return `validating against the schema took longer than ${budgetMs} ms; the schema is too costly for this payload`;
        if (error instanceof RangeError) return 'the schema recursed too deeply on this payload';
        throw error;
      }
      const e = entry.validate.errors?.[0];
      return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'does not match the event type schema';
    },
  };
}

export type PayloadValidators = ReturnType<typeof payloadValidators>;

/** Ajv's `code.regExp`: patterns compiled by RE2, each test counted against the budget. */
function linearRegExp(tick: () => boolean) {
  const engine = (pattern: string) => {
    const re = RE2JS.compile(pattern);
    return { test: (text: string) => tick() && re.test(text), toString: () => pattern };
  };
  return Object.assign(engine, { code: 'RE2JS.compile' });
}

function re2Compiles(pattern: string): boolean {
  try {
    RE2JS.compile(pattern);
    return true;
  } catch {
    return false;
  }
}

function compileError(cause: unknown): string {
  if (cause instanceof RangeError) return 'it is too large or too deeply nested to compile';
  const message = (cause as Error)?.message ?? String(cause);
  // re2js's syntax errors: the pattern uses something RE2 lacks (lookaround, backreferences).
  if ((cause as Error)?.name === 'RE2JSSyntaxException' || /error parsing regexp/.test(message)) {
    return `a pattern is not supported (patterns use RE2 syntax: no lookaround or backreferences): ${message}`;
  }
  return `not a valid JSON Schema: ${message}`;
}

/** A copy of the schema with the budget keyword on every subschema, so each evaluation counts. */
function withBudget(schema: object): AnySchemaObject {
  const copy = structuredClone(schema) as AnySchemaObject;
  traverse(copy, (node) => {
    node[BUDGET_KEYWORD] = true;
  });
  return copy;
}

/** JSON Schema equality ignores key order; sorting keys makes equal values serialise alike. Linear, unlike pairwise comparison. */
function uniqueItems(enabled: boolean, data: unknown[]): boolean {
  if (!enabled) return true;
  const seen = new Set<string>();
  for (const item of data) {
    const key = canonical(item);
    if (seen.has(key)) {
      (uniqueItems as unknown as { errors: unknown[] }).errors = [{ keyword: 'uniqueItems', message: 'must NOT have duplicate items', params: {} }];
      return false;
    }
    seen.add(key);
  }
  return true;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
