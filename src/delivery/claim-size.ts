/** Where the worker stands when it may claim. */
export interface ClaimState {
  /** Deliveries claimed and waiting for a slot. */
  ready: number;
  /** Attempts on the `concurrency` slots (those on the slow pool hold none). */
  mainInFlight: number;
  concurrency: number;
  batchSize: number;
}

/**
 * How many rows to claim now: 0 means "not now". Pure.
 *
 * Claims run ahead of the free slots, up to two batches waiting, so the next
 * batch is there while the last is sent. They are batched: at least half a
 * batch, and only once fewer than a batch are waiting, since a claim may wait
 * behind a write-back for its turn on the database and the batch still
 * waiting covers that; claiming smaller would take one row per freed slot when
 * the waiting rows are held up by endpoint caps (on PGlite such claims also
 * crowd the HTTP work off the thread). A worker with free slots and nothing
 * waiting claims whatever there is at once: the light-load latency path.
 */
export function claimSize({ ready, mainInFlight, concurrency, batchSize }: ClaimState): number {
  const want = Math.min(batchSize, concurrency + 2 * batchSize - mainInFlight - ready);
  if (want <= 0) return 0;
  const starved = ready === 0 && mainInFlight < concurrency;
  const needed = ready < batchSize && want >= Math.max(1, Math.floor(batchSize / 2));
  return needed || starved ? want : 0;
}
