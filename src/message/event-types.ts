import type { EventType } from '../event-type/model.js';
import { eventTypeGetVersioned } from '../event-type/sql.js';
import type { Queryable } from '../store/port.js';

/** An event type as a publish validated against it; `version` null means "no such event type". */
export interface KnownEventType {
  eventType: EventType | undefined;
  version: number | null;
  /** Read from the table by this lookup, rather than remembered. */
  fresh: boolean;
}

/**
 * The event types publishes name, kept in this process so that a publish costs no lookup.
 * Nothing here has to be fresh: each publish hands the version it validated against to
 * `hookyard.message_publish`, which refuses it as stale when the table says otherwise (another
 * process changed the type); the publish then forgets the entry and validates again. A payload is
 * refused only by a fresh entry, since the type may have been relaxed or deleted meanwhile. So
 * several API processes on one database stay correct without telling each other anything.
 */
export function eventTypeCache({ maxEntries = 2_048 } = {}) {
  const known = new Map<string, KnownEventType>();

  return {
    /** The event types named, from the cache or else in one query on `db`. */
    async lookup(db: Queryable, names: Iterable<string>): Promise<Map<string, KnownEventType>> {
      const found = new Map<string, KnownEventType>();
      const missing: string[] = [];
      for (const name of names) {
        const entry = known.get(name);
        if (entry) found.set(name, { ...entry, fresh: false });
        else if (!found.has(name)) missing.push(name);
      }
      if (missing.length === 0) return found;
      const rows = new Map((await eventTypeGetVersioned(db, missing)).map((r) => [r.eventType.name, r]));
      for (const name of missing) {
        const row = rows.get(name);
        const entry: KnownEventType = row ? { eventType: row.eventType, version: row.version, fresh: true } : { eventType: undefined, version: null, fresh: true };
        // Insertion order is age: the oldest entry makes room (names come from clients, so the map is bounded).
        if (known.size >= maxEntries) known.delete(known.keys().next().value!);
        known.set(name, entry);
        found.set(name, entry);
      }
      return found;
    },

    forget(names: Iterable<string>): void {
      for (const name of names) known.delete(name);
    },
  };
}

export type EventTypeCache = ReturnType<typeof eventTypeCache>;
