import type { Completion } from './model.js';

export interface WriteBackOptions {
  /** Writes one batch in one statement; throws if nothing was written. */
  write(batch: Completion[]): Promise<void>;
  /** A batch waits at most this long for company (ms)... */
  flushDelayMs: number;
  /** ...or until this many results are waiting. */
  flushSize: number;
  /** After a failed write, wait this long before writing again (ms). */
  retryDelayMs?: number;
  /** Called after each written batch, inside the flush (table maintenance runs here). */
  written?(rows: number, batch: Completion[]): Promise<void>;
  /** Called when a write fails; the batch is kept and written again. */
  failed?(error: unknown, rows: number): void;
}

export interface WriteBackStats {
  writes: number;
  writtenRows: number;
  /** Time spent in writes, summed (ms). */
  writeMs: number;
  /** Results recorded and not yet written. */
  pending: number;
}

/**
 * Group commit of attempt results, as River's job completer does it: results
 * are collected as attempts finish and written in one statement each
 * `flushDelayMs` or each `flushSize` results, one write at a time; whatever
 * arrives during a write goes into the next. A failed write keeps its batch
 * and tries again: if the process dies first, the leases run out and the
 * deliveries are retried (at least once, never lost).
 */
export class WriteBack {
  private readonly pending: Completion[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly counters = { writes: 0, writtenRows: 0, writeMs: 0 };

  constructor(private readonly options: WriteBackOptions) {}

  record(completion: Completion): void {
    this.pending.push(completion);
    if (this.pending.length >= this.options.flushSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushDelayMs);
  }

  /** Writes everything recorded so far, and resolves once all of it is written. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Loops rather than waiting on the running write alone: results recorded during it are written
    // by whichever caller resumes first, and every caller waits for that write too.
    while (this.flushing || this.pending.length) {
      if (!this.flushing) {
        this.flushing = this.writeOnce().finally(() => {
          this.flushing = undefined;
        });
      }
      await this.flushing;
    }
  }

  stats(): WriteBackStats {
    return { ...this.counters, pending: this.pending.length };
  }

  private async writeOnce(): Promise<void> {
    const startedAt = performance.now();
    const batch = this.pending.splice(0);
    try {
      await this.options.write(batch);
    } catch (error) {
      this.options.failed?.(error, batch.length);
      this.pending.unshift(...batch);
      await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500));
      return;
    }
    this.counters.writes++;
    this.counters.writtenRows += batch.length;
    this.counters.writeMs += performance.now() - startedAt;
    await this.options.written?.(batch.length, batch);
  }
}
