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
  /** Called after a commit that created messages (for the dashboard's counters and live updates). */
  onMessagesCreated?: (messages: { id: string; appId: string }[]) => void;
}
