import { randomBytes } from 'node:crypto';
import { contextOf } from '../context.js';
import type { Hookyard } from '../hookyard.js';
import { createLogger, type Logger } from '../log.js';
import { outboundAgent } from '../outbound/dispatcher.js';
import type { Unlisten } from '../store/port.js';
import { databaseUnavailable } from '../store/unavailable.js';
import { attemptRun, attemptSkip } from './attempt.js';
import { deliveryClaimDue, deliveryRelease, type Claimed } from './claim.js';
import { deliveryComplete, type Completion } from './complete.js';
import { workerSettings, type WorkerOptions } from './options.js';
import { DELIVERY_CHANNEL } from './state.js';

export type { WorkerOptions } from './options.js';

export interface Worker {
  /** Stops claiming, lets in-flight attempts finish within `graceMs`, releases the leases of the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Counters since start and the current queue depths, for metrics and benchmarks. */
  stats(): WorkerStats;
}

export interface WorkerStats {
  claims: number;
  claimedRows: number;
  /** Time spent waiting on claim queries, summed (ms). */
  claimMs: number;
  writes: number;
  writtenRows: number;
  writeMs: number;
  inFlight: number;
  ready: number;
}

/**
 * The delivery worker: claim due deliveries under a lease, send each (at most
 * `concurrency` at once, `endpointConcurrency` per endpoint), and write the
 * results back in batches. Claims run up to two batches ahead of the free
 * slots, so a busy worker seldom waits on a claim's round trip. It claims when
 * woken (NOTIFY, a publish in this process, a retry coming due, a freed slot at
 * an endpoint that was at its cap) or every `pollIntervalMs`, and otherwise
 * sleeps: an idle worker makes one query per poll interval.
 */
export function startWorker(hookyard: Hookyard, options: WorkerOptions = {}, log: Logger = createLogger('silent')): Worker {
  const ctx = contextOf(hookyard);
  const settings = workerSettings(options);
  const agent = outboundAgent({ allow: settings.allow, connectTimeoutMs: settings.connectTimeoutMs, connectionsPerOrigin: settings.concurrency });
  // Set when the grace period ends: attempts still in flight are cut off by destroying the agent
  // (one call, rather than an abort listener on every request) and their results are not recorded.
  let cutOff = false;
  const minClaim = Math.max(1, Math.floor(settings.batchSize / 2));
  const VACUUM_EVERY = 10_000; // written results

  const counters = { claims: 0, claimedRows: 0, claimMs: 0, writes: 0, writtenRows: 0, writeMs: 0 };
  const inFlight = new Map<number, { claimed: Claimed; done: Promise<void> }>();
  const perEndpoint = new Map<string, number>();
  const pending: Completion[] = [];
  let mayHaveWork = true;
  let stopping = false;
  let wakeLoop: (() => void) | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAt = Infinity;

  function signal(): void {
    mayHaveWork = true;
    wakeLoop?.();
  }

  /** Wakes when the earliest retry this worker scheduled comes due. */
  function wakeAt(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (at >= retryAt) return;
    clearTimeout(retryTimer);
    retryAt = at;
    retryTimer = setTimeout(() => {
      retryAt = Infinity;
      signal();
    }, delayMs + 5);
    retryTimer.unref();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        mayHaveWork = true;
        done();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        wakeLoop = undefined;
        resolve();
      };
      wakeLoop = done;
    });
  }

  // --- the database lane ---
  // This worker's claims and write-backs run one at a time inside PostgreSQL: each statement first
  // waits for the worker's lane, an advisory lock (migration 007). Side by side they cost more
  // database CPU per delivery. Queued in the worker instead, each also waited out a round trip and
  // this busy event loop: a write-back took ~20 ms as seen from here, ~11 ms of it at the server.
  // So a claim and a write-back may both be sent, and the second waits at the server. Two workers
  // drawing the same random lane would only take turns with each other.
  const lane = randomBytes(4).readInt32BE();

  // --- write-back (group commit) ---
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  function record(completion: Completion): void {
    pending.push(completion);
    if (completion.state === 'pending' && completion.delayMs !== null) wakeAt(completion.delayMs);
    if (pending.length >= settings.flushSize) void flush();
    else flushTimer ??= setTimeout(() => void flush(), settings.flushDelayMs);
  }

  async function flush(): Promise<void> {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (flushing) return flushing.then(() => (pending.length ? flush() : undefined));
    if (pending.length === 0) return;
    flushing = writeBack();
    await flushing;
    flushing = undefined;
    if (pending.length) await flush();
  }

  async function writeBack(): Promise<void> {
    const startedAt = performance.now();
    const batch = pending.splice(0);
    try {
      await deliveryComplete(ctx.storage, batch, lane);
    } catch (error) {
      // Keep the results and try again; if this process dies first, the leases expire and the deliveries are retried.
      // An outage is logged once by the storage, not here every 500 ms.
      if (!databaseUnavailable(error)) log.error({ err: error, results: batch.length }, 'delivery write-back failed; retrying');
      pending.unshift(...batch);
      await new Promise((r) => setTimeout(r, 500));
      return;
    }
    counters.writes++;
    counters.writtenRows += batch.length;
    counters.writeMs += performance.now() - startedAt;
    await tableMaintain(batch.length);
  }

  // Statistics go stale in a burst: autovacuum analyzes only after a minute or more, and meanwhile
  // the planner, expecting a handful of due rows, sorts every due row instead of walking the
  // delivery_due index and stopping at the batch size. So the worker analyzes the table itself after
  // VACUUM_EVERY results, and then at most once a minute on PostgreSQL (the first analyze after a
  // burst is the one that matters; each costs a few hundred ms of database time). PGlite has no
  // autovacuum at all, so there it vacuums every VACUUM_EVERY results: dead row versions of claimed
  // and completed deliveries would otherwise slow every claim.
  let sinceVacuum = 0;
  let lastAnalyzeAt = -Infinity;
  async function tableMaintain(written: number): Promise<void> {
    if ((sinceVacuum += written) < VACUUM_EVERY) return;
    const pglite = ctx.storage.kind === 'pglite';
    if (!pglite && performance.now() - lastAnalyzeAt < 60_000) return;
    sinceVacuum = 0;
    lastAnalyzeAt = performance.now();
    const sql = pglite ? 'vacuum (analyze) hookyard.delivery' : 'analyze hookyard.delivery';
    await ctx.storage.query(sql).catch((error: unknown) => log.warn({ err: error }, 'vacuum/analyze failed'));
  }

  // --- signing secrets ---
  // Opened secrets by sealed value: a new or rotated secret has new sealed bytes, so the cache cannot go stale.
  const opened = new Map<string, string>();
  // And by the claim's array, shared by that endpoint's rows in one claim: one lookup per claim, not per delivery.
  const openedLists = new WeakMap<string[], string[]>();
  function secretsOf(claimed: Claimed): string[] {
    let list = openedLists.get(claimed.sealedSecrets);
    if (list) return list;
    list = claimed.sealedSecrets.map((sealed) => {
      const key = `${claimed.endpointId}:${sealed}`;
      let secret = opened.get(key);
      if (secret === undefined) {
        if (opened.size >= 10_000) opened.clear();
        secret = ctx.sealer.open(Buffer.from(sealed, 'hex'), claimed.endpointId);
        opened.set(key, secret);
      }
      return secret;
    });
    openedLists.set(claimed.sealedSecrets, list);
    return list;
  }

  // --- claiming and sending ---
  // A claimed delivery is `ready` until a slot frees, then `inFlight`. Claims run ahead of sending
  // by up to two batches, so slots never wait on a claim's round trip. `held` counts both per
  // endpoint: an endpoint may have endpointConcurrency in flight and three times as many waiting.
  // The cap keeps one endpoint's backlog from filling the ready queue; it is not tighter because
  // with a few busy endpoints it is what sizes claims, and small claims cost the database more per
  // row (at 2x, claims in the 10-endpoint bench came back half a batch long; docs/delivery.md).
  const ready: { claimed: Claimed; at: number }[] = [];
  const held = new Map<string, number>();
  const heldCap = settings.endpointConcurrency * 4;
  // A ready delivery must start early enough to finish inside its lease, or a second worker could
  // claim it while it is still being sent; one that waited too long is given back instead. Settings
  // guarantee the lease outlasts an attempt by 1 s, so this is at least 500 ms, with 500 ms to spare.
  const readyMaxMs = settings.leaseMs - settings.attempt.attemptTimeoutMs - 500;

  /** Adds `by` to an endpoint's count in `counts`, dropping endpoints that reach zero. */
  function countChange(counts: Map<string, number>, endpointId: string, by: number): void {
    const n = (counts.get(endpointId) ?? 0) + by;
    if (n === 0) counts.delete(endpointId);
    else counts.set(endpointId, n);
  }

  /** Starts ready deliveries while slots are free, oldest first, skipping endpoints at their cap. */
  function pump(): void {
    let stale: Claimed[] | undefined;
    const now = performance.now();
    for (let i = 0; i < ready.length && inFlight.size < settings.concurrency; ) {
      const { claimed, at } = ready[i]!;
      if (now - at > readyMaxMs) {
        ready.splice(i, 1);
        countChange(held, claimed.endpointId, -1);
        (stale ??= []).push(claimed);
      } else if ((perEndpoint.get(claimed.endpointId) ?? 0) < settings.endpointConcurrency) {
        ready.splice(i, 1);
        start(claimed, secretsOf(claimed));
      } else i++;
    }
    if (stale) void deliveryRelease(ctx.storage, stale).catch((error: unknown) => log.warn({ err: error }, 'releasing stale claims failed; their leases will expire'));
  }

  function start(claimed: Claimed, secrets: string[]): void {
    countChange(perEndpoint, claimed.endpointId, 1);
    const done = attemptRun(claimed, secrets, { agent, settings: settings.attempt, now: ctx.now, random: settings.random }).then(
      (completion) => {
        // An attempt cut short by shutdown is not recorded; its lease is released instead.
        if (!cutOff) record(completion);
      },
      (error: unknown) => log.error({ err: error, delivery: claimed.id }, 'attempt crashed; the lease will expire and it will be retried'),
    ).finally(() => {
      if (cutOff) return;
      inFlight.delete(claimed.id);
      countChange(perEndpoint, claimed.endpointId, -1);
      // An endpoint that was at its cap was skipped by claims; it may have more due work.
      if ((held.get(claimed.endpointId) ?? 0) >= heldCap) mayHaveWork = true;
      countChange(held, claimed.endpointId, -1);
      if (!stopping) pump();
      wakeLoop?.();
    });
    inFlight.set(claimed.id, { claimed, done });
  }

  async function claimAndStart(want: number): Promise<void> {
    // One claim runs at a time and `held` only falls while it runs, so the room it was given still
    // holds when it returns: no endpoint can end up over its cap.
    const endpointRoom = new Map([...held].map(([id, n]) => [id, heldCap - n]));
    mayHaveWork = false; // a notification during the claim sets it again
    const startedAt = performance.now();
    const { claimed, more } = await deliveryClaimDue(ctx.storage, { limit: want, leaseMs: settings.leaseMs, endpointCap: heldCap, endpointRoom, lane });
    counters.claims++;
    counters.claimedRows += claimed.length;
    counters.claimMs += performance.now() - startedAt;
    if (more) mayHaveWork = true;
    if (claimed.length === 0) return;
    if (stopping) {
      await deliveryRelease(ctx.storage, claimed);
      return;
    }
    for (const c of claimed) {
      if (c.endpointDisabled) record(attemptSkip(c));
      else {
        countChange(held, c.endpointId, 1);
        // The lease began no later than the claim was sent, so its age is counted from there.
        ready.push({ claimed: c, at: startedAt });
      }
    }
    pump();
    // A short claim because endpoints hit their cap is not an empty queue: claim again, skipping the full ones.
    if (claimed.some((c) => (held.get(c.endpointId) ?? 0) >= heldCap)) mayHaveWork = true;
  }

  // Claims run ahead of the free slots (up to two batches ready), so the next batch is waiting
  // while the last one is sent. One claim runs at a time: two at once were tried, and each then
  // walked past the rows the other had just locked, which cost more database time per delivery
  // than the overlap saved (docs/delivery.md).
  const target = settings.concurrency + 2 * settings.batchSize;
  let claiming: Promise<void> | undefined;
  let failures = 0;

  async function loop(): Promise<void> {
    while (!stopping) {
      const want = Math.min(settings.batchSize, target - inFlight.size - ready.length);
      // Claim in batches of at least half a batch, once fewer than a batch are waiting: a claim may
      // wait behind a write-back for its turn on the database, and the batch still waiting covers
      // that. Claiming smaller would take one row per freed slot when the waiting rows are held up by
      // endpoint caps (on PGlite, such claims also crowd the HTTP work off the thread). A worker with
      // free slots and nothing ready claims whatever there is at once (the light-load path).
      const starved = ready.length === 0 && inFlight.size < settings.concurrency;
      const needed = ready.length < settings.batchSize && want >= minClaim;
      if (!mayHaveWork || claiming || want <= 0 || !(needed || starved)) {
        await sleep(mayHaveWork ? 60_000 : settings.pollIntervalMs);
        continue;
      }
      claiming = claimAndStart(want).then(
        () => {
          failures = 0;
        },
        async (error: unknown) => {
          failures++;
          // While the database is away (logged once by the storage), retry each poll interval, so
          // claims resume within one of its return.
          const away = databaseUnavailable(error);
          if (!away) log.error({ err: error }, 'claiming deliveries failed');
          await new Promise((r) => setTimeout(r, Math.min(away ? settings.pollIntervalMs : 30_000, 100 * 2 ** failures)));
          mayHaveWork = true;
        },
      ).finally(() => {
        claiming = undefined;
        wakeLoop?.();
      });
    }
    await claiming;
  }

  const unsubscribeLocal = hookyard.onDeliveriesCreated(signal);
  let unlisten: Unlisten | undefined;
  // After a gap in LISTEN (a lost connection, a restart) notifications may have been missed: claim at once.
  const listening = ctx.storage.listen(DELIVERY_CHANNEL, signal, { onReconnect: signal }).then(
    (u) => {
      unlisten = u;
    },
    (error: unknown) => log.warn({ err: error }, 'LISTEN failed; relying on polling'),
  );
  const running = loop();
  log.info({ concurrency: settings.concurrency, endpointConcurrency: settings.endpointConcurrency, storage: ctx.storage.kind }, 'delivery worker started');

  return {
    stats: () => ({ ...counters, inFlight: inFlight.size, ready: ready.length }),
    async stop(graceMs = 10_000) {
      if (stopping) return;
      stopping = true;
      unsubscribeLocal();
      wakeLoop?.();
      clearTimeout(retryTimer);
      await running;
      log.debug('worker stop: loop ended');
      // Claimed but not started: give them back now, so other workers need not wait for the leases.
      const unstarted = ready.splice(0).map((r) => r.claimed);
      if (unstarted.length) await deliveryRelease(ctx.storage, unstarted).catch((error: unknown) => log.warn({ err: error }, 'releasing unstarted claims failed; their leases will expire'));
      await listening;
      await unlisten?.().catch(() => {});
      log.debug('worker stop: unlistened');
      const all = Promise.all([...inFlight.values()].map((f) => f.done));
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((r) => (graceTimer = setTimeout(r, graceMs)))]);
      clearTimeout(graceTimer);
      if (inFlight.size > 0) {
        cutOff = true;
        await agent.destroy().catch(() => {});
        await all;
      }
      log.debug({ inFlight: inFlight.size }, 'worker stop: in-flight settled');
      await flush();
      log.debug('worker stop: flushed');
      const left = [...inFlight.values()].map((f) => f.claimed);
      if (left.length) {
        const released = await deliveryRelease(ctx.storage, left);
        log.info({ released }, 'released leases of unfinished attempts');
      }
      await agent.close().catch(() => {});
      log.info('delivery worker stopped');
    },
  };
}
