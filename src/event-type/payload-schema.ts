import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { eventTypeLatestSchema, type EventType } from './model.js';

// ajv-formats is CommonJS; under NodeNext its callable export sits on `.default`.
const addFormats = addFormatsModule.default;

/**
 * Compiles and caches one validator per event type version. The cache key
 * includes `updatedAt`, so editing an event type's schema takes effect at once.
 */
export function payloadValidators() {
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  const cache = new Map<string, { key: number; validate: ValidateFunction | undefined }>();

  return {
    /** Compiles the schemas an event type carries; throws ajv's error when one is not a valid JSON Schema. */
    check(schemas: Record<string, unknown>): void {
      for (const schema of Object.values(schemas)) ajv.compile(schema as object);
    },
    /** Undefined when the payload fits (or the type has no schema); otherwise ajv's first complaint. */
    validate(eventType: EventType, payload: unknown): string | undefined {
      const key = eventType.updatedAt.getTime();
      let entry = cache.get(eventType.name);
      if (!entry || entry.key !== key) {
        const schema = eventTypeLatestSchema(eventType);
        entry = { key, validate: schema === undefined ? undefined : ajv.compile(schema as object) };
        cache.set(eventType.name, entry);
      }
      if (!entry.validate || entry.validate(payload)) return undefined;
      const e = entry.validate.errors?.[0];
      return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'does not match the event type schema';
    },
  };
}

export type PayloadValidators = ReturnType<typeof payloadValidators>;
