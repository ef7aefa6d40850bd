import type { Sealer } from './secrets/seal.js';
import type { Storage } from './store/port.js';

/** What every service needs; built once by `openHookyard`. */
export interface Context {
  storage: Storage;
  sealer: Sealer;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  limits: {
    maxPayloadBytes: number;
    /** How long a rotated-out signing secret keeps co-signing (ms). */
    secretGraceMs: number;
  };
  /** Called after a commit that created due deliveries, to wake local workers (PGlite has no cross-process NOTIFY to wait for). */
  onDeliveriesCreated: () => void;
}

// Only openHookyard, the composition root, should wire the context: the worker
// gets its parts from `hookyard.startWorker`. This back door remains for
// endpoint/example.ts until send-example goes through publish; then it goes.
const contexts = new WeakMap<object, Context>();

export function contextAttach(hookyard: object, ctx: Context): void {
  contexts.set(hookyard, ctx);
}

/** @deprecated The context of a Hookyard made by `openHookyard`; see above. */
export function contextOf(hookyard: object): Context {
  const ctx = contexts.get(hookyard);
  if (!ctx) throw new TypeError('not a Hookyard opened by openHookyard');
  return ctx;
}
