/**
 * Group commit. Work handed in while `inFlight` runs are busy waits, and the next run takes
 * everything waiting at once, up to `maxItems` items and `maxBytes` bytes (a unit larger than
 * that goes alone). So an idle system runs each unit at once, and a busy one runs fewer, larger
 * statements: throughput grows with concurrency without more connections, as the worker's
 * write-back does for results.
 *
 * `run` answers per unit, in order, so that one unit's failure is its own.
 */
export interface GroupUnit {
  /** Items in the unit (messages). */
  size: number;
  bytes: number;
}

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupOptions {
  /** Runs at once; each holds one connection while it runs. */
  inFlight?: number;
  maxItems?: number;
  maxBytes?: number; // bytes
}

export function groupCommit<U extends GroupUnit, R>(
  run: (units: U[]) => Promise<Settled<R>[]>,
  { inFlight = 2, maxItems = 1_000, maxBytes = 8 * 1024 * 1024 }: GroupOptions = {},
) {
  const waiting: { unit: U; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  let running = 0;
  let scheduled = false;

  function start(): void {
    scheduled = false;
    while (running < inFlight && waiting.length > 0) {
      let items = 0;
      let bytes = 0;
      let take = 0;
      while (take < waiting.length) {
        const { unit } = waiting[take]!;
        if (take > 0 && (items + unit.size > maxItems || bytes + unit.bytes > maxBytes)) break;
        items += unit.size;
        bytes += unit.bytes;
        take++;
      }
      const group = waiting.splice(0, take);
      running++;
      run(group.map((w) => w.unit))
        .then(
          (settled) => group.forEach((w, i) => {
            const s = settled[i]!;
            if (s.ok) w.resolve(s.value);
            else w.reject(s.error);
          }),
          (error: unknown) => group.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          running--;
          start();
        });
    }
  }

  return {
    submit(unit: U): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ unit, resolve, reject });
        // Whatever else is handed in during this turn of the event loop joins the same run:
        // setImmediate runs after every request whose bytes arrived in this turn was read (a
        // microtask would start a run after the first of them).
        if (!scheduled) {
          scheduled = true;
          setImmediate(start);
        }
      });
    },
  };
}
