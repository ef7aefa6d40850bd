import type { Claimed } from './model.js';
import type { ReadyQueue } from './ready-queue.js';

/**
 * Finds attempts unanswered past slowAfterMs (ReadyQueue.park) a few times per
 * slowAfterMs, while any attempt holds a slot; it stops by itself when none
 * does, so an idle worker has no timer running.
 *
 * A sweep that runs late means this thread was busy (or the process was
 * descheduled): answers that arrived meanwhile are still unread, since timers
 * run before I/O callbacks, so it moves nothing and judges next time.
 */
export class SlowSweep {
  private timer: NodeJS.Timeout | undefined;
  private sweptAt = 0;
  readonly everyMs: number;

  constructor(
    private readonly queue: ReadyQueue,
    slowAfterMs: number,
    /** Called after a sweep that moved attempts to the slow pool or handed deliveries back. */
    private readonly onSwept: (result: { parked: number; released: Claimed[] }) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.everyMs = Math.max(10, Math.floor(slowAfterMs / 4));
  }

  /** Makes sure sweeps run (call when an attempt starts on a slot). */
  start(): void {
    if (this.timer) return;
    this.sweptAt = this.now();
    this.timer = setInterval(() => this.sweep(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep; the timer calls it, and tests may. */
  sweep(): void {
    if (this.queue.mainInFlight === 0) return this.stop();
    const now = this.now();
    const late = now - this.sweptAt > 3 * this.everyMs;
    this.sweptAt = now;
    if (late) return;
    const result = this.queue.park(now);
    if (result.parked > 0 || result.released.length > 0) this.onSwept(result);
  }
}
