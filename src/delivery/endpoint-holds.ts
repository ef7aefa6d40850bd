/**
 * Endpoints the database held back at the last claims (rate limit, max_in_flight, fifo; migration
 * 014): claims skip them until they may get more, so that their backlog is not locked and let go
 * again by every claim. Pure bookkeeping; the clock is passed in (ms, performance.now).
 *
 * - A rate-limited endpoint, or a fifo endpoint whose oldest delivery waits for a retry, is held
 *   for the time the claim said; the worker claims again then.
 * - One held for want of a free lease (max_in_flight, or a fifo delivery in flight) is held until
 *   one of this worker's attempts to it ends, or for `leaseWaitMs` (the poll interval) when the
 *   leases may be another worker's.
 */
export class EndpointHolds {
  private readonly until = new Map<string, { at: number; lease: boolean }>();

  constructor(private readonly leaseWaitMs: number) {}

  /** After a claim: holds these endpoints. Returns the earliest delay after which one is free again (ms), if any. */
  hold(held: { endpointId: string; waitMs: number | null }[], now: number): number | undefined {
    let earliest: number | undefined;
    for (const { endpointId, waitMs } of held) {
      const delay = waitMs ?? this.leaseWaitMs;
      this.until.set(endpointId, { at: now + delay, lease: waitMs === null });
      earliest = Math.min(earliest ?? Infinity, delay);
    }
    return earliest;
  }

  /** Gives held endpoints no room in the claim about to run; forgets holds that ran out. */
  apply(room: Map<string, number>, now: number): void {
    for (const [id, { at }] of this.until) {
      if (at <= now) this.until.delete(id);
      else room.set(id, 0);
    }
  }

  /**
   * An attempt of this worker to the endpoint ended: a lease it waited for may be free (its result
   * is written back before the next claim of this worker runs: both take turns on its lane).
   * Returns whether it was held for a lease.
   */
  leaseEnded(endpointId: string): boolean {
    if (!this.until.get(endpointId)?.lease) return false;
    return this.until.delete(endpointId);
  }

  get size(): number {
    return this.until.size;
  }
}
