/**
 * When the worker's loop runs. The loop sleeps until something may have
 * changed: `signal()` says deliveries may be due (a NOTIFY, a publish in this
 * process, a retry coming due, a reconnect that may have missed notifications),
 * `nudge()` only asks the loop to look again (a claim or an attempt finished).
 * A sleep that runs out also counts as "may have work": that is the poll.
 */
export class Wake {
  /** Whether a claim may find something; a claim clears it, and a signal during the claim sets it again. */
  mayHaveWork = true;
  private wakeLoop: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = Infinity;

  /** Deliveries may be due: claim at the next chance. Safe to call from anywhere, any number of times. */
  readonly signal = (): void => {
    this.mayHaveWork = true;
    this.wakeLoop?.();
  };

  /** Wakes the loop without claiming there is new work. */
  nudge(): void {
    this.wakeLoop?.();
  }

  /** Signals after `delayMs`, unless an earlier such signal is already set (the earliest retry wins). */
  at(delayMs: number, now = Date.now()): void {
    const at = now + delayMs;
    if (at >= this.retryAt) return;
    clearTimeout(this.retryTimer);
    this.retryAt = at;
    // A few ms late, so the retry is due at the database when the claim arrives.
    this.retryTimer = setTimeout(() => {
      this.retryAt = Infinity;
      this.signal();
    }, delayMs + 5);
    this.retryTimer.unref();
  }

  /** Resolves on the next signal or nudge, or after `ms` (which then counts as a signal). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.mayHaveWork = true;
        done();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.wakeLoop = undefined;
        resolve();
      };
      this.wakeLoop = done;
    });
  }

  /** Drops the retry timer (shutdown). */
  close(): void {
    clearTimeout(this.retryTimer);
    this.retryAt = Infinity;
  }
}
