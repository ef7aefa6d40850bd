/**
 * Where a claim's scan may start (migration 009), so that a long backlog of
 * endpoints the worker skips is not walked past by every claim.
 *
 * A claim walks due rows in next_attempt_at order and skips endpoints with no
 * room; it reports how far it got with nothing but skipped rows before it.
 * The next claim may start there while the endpoints skipped then are still
 * skipped: rows that become due later are due from now on (fan-out, retries,
 * releases, resends), so they land after that point. Two kinds may not: rows
 * another worker had locked as this one scanned, and leases that expire; so
 * the worker scans from the start again every `rescanEveryMs`, and whenever an
 * endpoint it skipped then has room now. (Rows of a transaction that stays open
 * for long commit with an early next_attempt_at too: the claim reports a point
 * at least 2 s back, and the rescan finds what began earlier.) With nothing
 * skipped, every scan starts at the head, as before migration 009.
 */
export class ScanStart {
  private point: Date | null = null;
  /** The endpoints skipped by the scans that led to `point`. */
  private skipped = new Set<string>();
  private fromStartAt = -Infinity;

  constructor(private readonly rescanEveryMs = 1_000) {}

  /**
   * Where the next scan may start, given the claim's room per endpoint (those
   * with none are skipped); null for the start of the queue.
   */
  from(room: Map<string, number>, now: number): Date | null {
    // With nothing skipped there is nothing to walk past: every due row before the point is locked.
    if (!this.point || this.skipped.size === 0) return null;
    if (now - this.fromStartAt > this.rescanEveryMs) return (this.point = null);
    for (const id of this.skipped) {
      if ((room.get(id) ?? 1) > 0) return (this.point = null);
    }
    return this.point;
  }

  /** After a claim that started at `from` with this room: how far it got (null when it scanned nothing). */
  reached(point: Date | null, from: Date | null, room: Map<string, number>, now: number): void {
    if (point === null) return;
    if (from === null) this.fromStartAt = now;
    if (!this.point || point > this.point) this.point = point;
    // Rows before `from` belong to endpoints skipped before, all still skipped now (see `from`).
    this.skipped = new Set([...room].filter(([, r]) => r <= 0).map(([id]) => id));
  }
}
