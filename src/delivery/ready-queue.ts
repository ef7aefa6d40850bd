import type { Claimed } from './model.js';

export interface ReadyQueueSettings {
  /** Slots for attempts to endpoints in good health. */
  concurrency: number;
  /** Attempts to slow endpoints, on top: they never take the slots above. */
  slowConcurrency: number;
  /** The largest share of one endpoint: attempts in flight to it at once. */
  endpointConcurrency: number;
  /** An attempt unanswered this long leaves its slot, and its endpoint turns slow (ms). */
  slowAfterMs: number;
  /** A delivery waiting longer than this is handed back rather than started (ms). */
  readyMaxMs: number;
  /** An endpoint that answers may hold this many times endpointConcurrency: in flight plus waiting. */
  waitFactor?: number;
  /** The share of an endpoint this worker knows nothing about. */
  initialShare?: number;
  /** Endpoint states kept at most; past that the idle ones are forgotten. */
  maxEndpoints?: number;
}

/** A claimed delivery, its secrets opened, waiting for a slot since `at` (ms, performance.now). */
export interface Ready {
  claimed: Claimed;
  secrets: string[];
  at: number;
}

interface EndpointState {
  /** Attempts it may have in flight: grows by one per prompt answer, halves on turning slow and per timeout. */
  share: number;
  /** It left an attempt unanswered past slowAfterMs while answering nothing else: it runs on the slow pool and nothing of it waits. */
  slow: boolean;
  /** When an attempt of it last ended other than by a timeout (ms). */
  answeredAt: number;
  /** The last claim gave it all the room it had: more of it may be due, to claim once room opens. */
  capped: boolean;
  inFlight: number;
  /** In flight plus waiting. */
  held: number;
}

interface Running {
  endpointId: string;
  endpoint: EndpointState;
  startedAt: number;
  pool: 'main' | 'slow';
}

/**
 * Claimed deliveries waiting for a slot, and the slots: which may start now,
 * so that a slow or dead endpoint holds up no one but itself.
 *
 * - Each endpoint has a share of the slots (its in-flight cap). It starts at
 *   `initialShare`, grows by one with each attempt answered within
 *   `slowAfterMs` up to `endpointConcurrency`, and halves when the endpoint
 *   turns slow and with each timeout, down to 1. Shares are remembered for
 *   up to `maxEndpoints` endpoints.
 * - An endpoint that leaves an attempt unanswered for `slowAfterMs` while
 *   answering nothing else turns slow, until one of its attempts is answered
 *   in time; its attempts that old leave their slots for the slow pool
 *   (`slowConcurrency`, on top of `concurrency`). A slow endpoint's attempts
 *   start on the slow pool, and wait when it is full: the `concurrency` slots
 *   are for endpoints that answer.
 * - An endpoint that answers may hold `waitFactor` times
 *   `endpointConcurrency` (in flight plus waiting), so claims for it stay
 *   batched; one not heard from yet, `waitFactor` times its share; a slow one
 *   only its share, and what it had waiting beyond that when it turned slow is
 *   handed back, so stuck endpoints cannot fill the queue either. Claims give
 *   each endpoint its room (`claimRoom`); one a claim capped asks for the next
 *   claim once it has room for a round again (`claimed`, `finish`).
 */
export class ReadyQueue {
  private readonly waiting: Ready[] = [];
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly running = new Map<number, Running>();
  private readonly waitFactor: number;
  private readonly initialShare: number;
  private readonly maxEndpoints: number;
  /** Attempts in flight on the `concurrency` slots, and on the slow pool. */
  mainInFlight = 0;
  slowInFlight = 0;

  constructor(private readonly settings: ReadyQueueSettings) {
    this.waitFactor = settings.waitFactor ?? 4;
    this.initialShare = Math.min(settings.initialShare ?? 2, settings.endpointConcurrency);
    this.maxEndpoints = settings.maxEndpoints ?? 10_000;
  }

  /** Deliveries waiting for a slot. */
  get ready(): number {
    return this.waiting.length;
  }

  /** The endpoint's share now: attempts it may have in flight. */
  shareOf(endpointId: string): number {
    return this.endpoints.get(endpointId)?.share ?? this.initialShare;
  }

  /** Endpoints that count as slow now. */
  slowEndpoints(): number {
    let n = 0;
    for (const e of this.endpoints.values()) if (e.slow) n++;
    return n;
  }

  /**
   * How many more rows a claim may take per endpoint: those this worker holds
   * or holds back are listed, any other endpoint gets `otherRoom`.
   */
  claimRoom(): { room: Map<string, number>; otherRoom: number } {
    // An endpoint this worker holds nothing of gets the full allowance: one claim's worth at most,
    // and once held, its own cap applies (a small one until it answers).
    const otherRoom = this.settings.endpointConcurrency * this.waitFactor;
    const room = new Map<string, number>();
    for (const [id, e] of this.endpoints) {
      const cap = this.heldCap(e);
      if (e.held > 0 || cap < otherRoom) room.set(id, cap - e.held);
    }
    return { room, otherRoom };
  }

  /**
   * After a claim (its rows added): an endpoint that got all the room it was
   * given, or none because it had none, may have more due. Returns whether one of those already has room
   * for a round again (attempts ended while the claim ran): claim again now.
   * Otherwise `finish` says when room opens.
   */
  claimed(counts: Map<string, number>, given: { room: Map<string, number>; otherRoom: number }): boolean {
    let again = false;
    for (const [id, room] of given.room) {
      const e = this.endpoints.get(id);
      // Skipped for want of room: more of it may be due. Given room and taking none: none is.
      if (e && !counts.has(id)) e.capped = room <= 0;
    }
    for (const [id, n] of counts) {
      const e = this.endpoints.get(id);
      if (!e) continue;
      e.capped = n >= (given.room.get(id) ?? given.otherRoom);
      if (e.capped && this.heldCap(e) - e.held >= this.round(e)) again = true;
    }
    return again;
  }

  /** Whether the endpoint holds all it may: claims skip it. */
  atCap(endpointId: string): boolean {
    const e = this.endpoints.get(endpointId);
    return e !== undefined && e.held >= this.heldCap(e);
  }

  /**
   * Queues a claimed delivery. Returns false, and queues nothing, when its
   * endpoint turned slow while the claim ran and has no room left: the caller
   * hands the delivery back.
   */
  add(claimed: Claimed, secrets: string[], at: number): boolean {
    const e = this.state(claimed.endpointId);
    if (e.slow && e.held >= this.heldCap(e)) return false;
    e.held++;
    this.waiting.push({ claimed, secrets, at });
    return true;
  }

  /**
   * Starts what may start, oldest first, skipping endpoints at their share and
   * pools that are full. Returns the deliveries to send now, and those that
   * waited past `readyMaxMs`, to be handed back.
   */
  take(now: number): { start: Ready[]; stale: Claimed[] } {
    const start: Ready[] = [];
    const stale: Claimed[] = [];
    const { concurrency, slowConcurrency, readyMaxMs } = this.settings;
    for (let i = 0; i < this.waiting.length && (this.mainInFlight < concurrency || this.slowInFlight < slowConcurrency); ) {
      const ready = this.waiting[i]!;
      const endpointId = ready.claimed.endpointId;
      const e = this.endpoints.get(endpointId)!;
      if (now - ready.at > readyMaxMs) {
        this.waiting.splice(i, 1);
        e.held--;
        this.forgetIfIdle(endpointId, e);
        stale.push(ready.claimed);
      } else if (e.inFlight < e.share && (e.slow ? this.slowInFlight < slowConcurrency : this.mainInFlight < concurrency)) {
        this.waiting.splice(i, 1);
        e.inFlight++;
        const pool = e.slow ? 'slow' : 'main';
        if (pool === 'slow') this.slowInFlight++;
        else this.mainInFlight++;
        this.running.set(ready.claimed.id, { endpointId, endpoint: e, startedAt: now, pool });
        start.push(ready);
      } else i++;
    }
    return { start, stale };
  }

  /**
   * An attempt ended: answered (any result but a timeout) or timed out. An
   * answer within slowAfterMs grows the share and ends "slow"; a timeout
   * halves the share. Returns whether the endpoint, capped by its room in the
   * last claim, now has room for a round of attempts again (so a claim may
   * find more of it: asking at every freed place would claim one row at a
   * time), and what it now holds beyond its cap.
   */
  finish(deliveryId: number, now: number, timedOut: boolean): { roomOpened: boolean; released: Claimed[] } {
    const r = this.running.get(deliveryId);
    if (!r) return { roomOpened: false, released: [] };
    this.running.delete(deliveryId);
    if (r.pool === 'slow') this.slowInFlight--;
    else this.mainInFlight--;
    const e = r.endpoint;
    const short = e.capped && this.heldCap(e) - e.held < this.round(e);
    e.inFlight--;
    e.held--;
    let released: Claimed[] = [];
    if (timedOut) {
      e.share = Math.max(1, Math.floor(e.share / 2));
      e.slow = true;
      released = this.trim(r.endpointId, e);
    } else {
      e.answeredAt = now;
      if (now - r.startedAt <= this.settings.slowAfterMs) {
        e.share = Math.min(this.settings.endpointConcurrency, e.share + 1);
        e.slow = false;
      }
    }
    const roomOpened = short && this.heldCap(e) - e.held >= this.round(e);
    if (roomOpened) e.capped = false; // the claim this asks for decides again
    this.forgetIfIdle(r.endpointId, e);
    return { roomOpened, released };
  }

  /**
   * An endpoint with an attempt unanswered after slowAfterMs that has
   * answered nothing else meanwhile turns slow, and its attempts that old
   * leave their slot for the slow pool (while it has room). An endpoint that
   * keeps answering is busy, not stuck: when this worker's thread is
   * saturated every answer is read late, and that must not look like a hang.
   * Returns how many attempts moved and what the endpoints that turned slow
   * held beyond their cap.
   */
  park(now: number): { parked: number; released: Claimed[] } {
    let parked = 0;
    const released: Claimed[] = [];
    const { slowAfterMs } = this.settings;
    for (const r of this.running.values()) {
      if (r.pool === 'slow' || now - r.startedAt <= slowAfterMs) continue;
      if (!r.endpoint.slow) {
        if (now - r.endpoint.answeredAt <= slowAfterMs) continue;
        r.endpoint.slow = true;
        r.endpoint.share = Math.max(1, Math.floor(r.endpoint.share / 2));
        released.push(...this.trim(r.endpointId, r.endpoint));
      }
      if (this.slowInFlight < this.settings.slowConcurrency) {
        r.pool = 'slow';
        this.mainInFlight--;
        this.slowInFlight++;
        parked++;
      }
    }
    return { parked, released };
  }

  /** Removes everything waiting (shutdown): the caller hands it back. */
  drain(): Claimed[] {
    const all = this.waiting.splice(0);
    for (const { claimed } of all) {
      const e = this.endpoints.get(claimed.endpointId)!;
      e.held--;
      this.forgetIfIdle(claimed.endpointId, e);
    }
    return all.map((r) => r.claimed);
  }

  /** Room worth a claim for one endpoint: a round of its attempts, or half its allowance if less. */
  private round(e: EndpointState): number {
    return Math.max(1, Math.min(e.share, Math.ceil(this.heldCap(e) / 2)));
  }

  /**
   * Slow: its share, nothing waiting. Answering: the full allowance, whatever its share, so
   * claims for it stay batched while its share grows. Never heard from: its share's allowance,
   * so an endpoint that hangs from the start fills little of the queue before it turns slow.
   */
  private heldCap(e: EndpointState): number {
    if (e.slow) return e.share;
    return (e.answeredAt === -Infinity ? e.share : this.settings.endpointConcurrency) * this.waitFactor;
  }

  private state(endpointId: string): EndpointState {
    let e = this.endpoints.get(endpointId);
    if (!e) {
      if (this.endpoints.size >= this.maxEndpoints) this.forgetSome();
      e = { share: this.initialShare, slow: false, answeredAt: -Infinity, capped: false, inFlight: 0, held: 0 };
      this.endpoints.set(endpointId, e);
    }
    return e;
  }

  /** Takes out, newest first, what an endpoint has waiting beyond its cap. */
  private trim(endpointId: string, e: EndpointState): Claimed[] {
    let excess = e.held - Math.max(this.heldCap(e), e.inFlight);
    const out: Claimed[] = [];
    for (let i = this.waiting.length - 1; i >= 0 && excess > 0; i--) {
      if (this.waiting[i]!.claimed.endpointId !== endpointId) continue;
      out.push(this.waiting.splice(i, 1)[0]!.claimed);
      e.held--;
      excess--;
    }
    return out;
  }

  /**
   * An endpoint that holds nothing and has just what an unknown one gets needs no state. One whose
   * share grew or shrank is remembered (up to maxEndpoints), so a busy endpoint need not grow its
   * share again after every lull, nor a hanging one shrink it again.
   */
  private forgetIfIdle(endpointId: string, e: EndpointState): void {
    if (e.held === 0 && !e.slow && e.share === this.initialShare) this.endpoints.delete(endpointId);
  }

  /** Forgets the oldest tenth of the endpoints that hold nothing. */
  private forgetSome(): void {
    let n = Math.ceil(this.maxEndpoints / 10);
    for (const [id, e] of this.endpoints) {
      if (n === 0) break;
      if (e.held > 0) continue;
      this.endpoints.delete(id);
      n--;
    }
  }
}
