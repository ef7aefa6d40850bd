import { randomBytes } from 'node:crypto';
import type { Hookyard } from '../hookyard.js';
import { createLogger, type Logger } from '../log.js';
import { deliveryStatistics } from '../maintenance/delivery-statistics.js';
import { OutboundAgents } from '../outbound/agents.js';
import { outboundAgent } from '../outbound/dispatcher.js';
import { databaseUnavailable } from '../store/unavailable.js';
import type { Sealer } from '../secrets/seal.js';
import type { Storage, Unlisten } from '../store/port.js';
import { attemptRun, attemptSkip, attemptUnsigned } from './attempt.js';
import { claimSize } from './claim-size.js';
import { EndpointHolds } from './endpoint-holds.js';
import { FailureLog } from './failure-log.js';
import type { Claimed, Completion } from './model.js';
import { workerSettings, type WorkerOptions } from './options.js';
import { ReadyQueue, type Ready } from './ready-queue.js';
import { ScanStart } from './scan-start.js';
import { SecretCache } from './secret-cache.js';
import { SlowSweep } from './slow-sweep.js';
import { DELIVERY_CHANNEL, deliveryClaimDue, deliveryComplete, deliveryRelease } from './sql.js';
import { Wake } from './wake.js';
import { WriteBack } from './write-back.js';

export type { WorkerOptions } from './options.js';

/** What a worker needs from the composition root (openHookyard builds it). */
export interface WorkerDeps {
  storage: Storage;
  sealer: Sealer;
  now: () => Date;
  /** Subscribes to "deliveries were created in this process"; returns the unsubscribe. */
  onDeliveriesCreated(listener: () => void): () => void;
}

export interface Worker {
  /** Stops claiming, lets in-flight attempts finish within `graceMs`, releases the leases of the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Counters since start and the current queue depths, for metrics and benchmarks. */
  stats(): WorkerStats;
  /** Deliveries may be due: claim now rather than at the next poll (e.g. after a reconnect that may have missed a NOTIFY). */
  wake(): void;
}

export interface WorkerStats {
  claims: number;
  claimedRows: number;
  /** Time spent waiting on claim queries, summed (ms). */
  claimMs: number;
  writes: number;
  writtenRows: number;
  writeMs: number;
  /** Attempts in flight, on the slots and on the slow pool. */
  inFlight: number;
  slowInFlight: number;
  slowEndpoints: number;
  ready: number;
}

/**
 * The delivery worker: claim due deliveries under a lease, send each, write
 * the results back in batches. This file is the loop and its lifecycle; the
 * parts are the ready queue and its slots (ready-queue.ts, slow-sweep.ts),
 * claim sizing (claim-size.ts) and where a claim's scan starts
 * (scan-start.ts), the write-back (write-back.ts), the secret
 * cache, the wake-ups (wake.ts), the failure log and table statistics
 * (maintenance/). It claims when woken or every `pollIntervalMs`, and
 * otherwise sleeps: an idle worker makes one query per poll interval.
 */
export function createWorker(deps: WorkerDeps, options: WorkerOptions = {}, log: Logger = createLogger('silent')): Worker {
  const { storage } = deps;
  const settings = workerSettings(options);
  // Every attempt may need a connection of its own, slow ones included, and they may all go to one origin.
  const agents = new OutboundAgents(
    (tls) => outboundAgent({ allow: settings.allow, connectTimeoutMs: settings.connectTimeoutMs, connectionsPerOrigin: settings.concurrency + settings.slowConcurrency, tls }),
    (endpointId) => log.warn({ endpointId }, 'sending to an endpoint with TLS certificate verification OFF: its webhooks can be read and changed on the network path'),
  );
  const attemptDeps = { agent: agents.default, agentFor: (c: Claimed) => agents.for(c.endpointId, c.sendOptions), settings: settings.attempt, now: deps.now, random: settings.random };

  // The database lane: this worker's claims and write-backs run one at a time inside PostgreSQL,
  // each statement first waiting for the worker's advisory lock (migration 007). Side by side they
  // cost more database CPU per delivery; queued in the worker, each also waited out a round trip.
  // So both may be sent, and the second waits at the server. Two workers drawing the same random
  // lane would only take turns with each other.
  const lane = randomBytes(4).readInt32BE();

  const wake = new Wake();
  const secrets = new SecretCache(deps.sealer);
  const failureLog = new FailureLog(log);
  const statistics = deliveryStatistics(storage, log);
  const holds = new EndpointHolds(settings.pollIntervalMs);
  /** Deliveries whose attempt ended, by id, with their endpoint: once written back, their leases are free. */
  const ended = new Map<number, string>();
  const writeBack = new WriteBack({
    write: async (batch) => {
      await deliveryComplete(storage, batch, lane);
      // An endpoint held for want of a free lease (max_in_flight, fifo) may have one now.
      let freed = false;
      for (const c of batch) {
        const endpointId = ended.get(c.deliveryId);
        if (endpointId === undefined) continue;
        ended.delete(c.deliveryId);
        if (holds.leaseEnded(endpointId)) freed = true;
      }
      if (freed) wake.signal();
    },
    flushDelayMs: settings.flushDelayMs,
    flushSize: settings.flushSize,
    written: (rows) => statistics.written(rows),
    // The results are kept and written again; if this process dies first, the leases expire and the deliveries are retried.
    // An outage is logged once by the storage, not here at every retry.
    failed: (error, rows) => {
      if (!databaseUnavailable(error)) log.error({ err: error, results: rows }, 'delivery write-back failed; retrying');
    },
  });
  const scanStart = new ScanStart();
  const queue = new ReadyQueue({
    concurrency: settings.concurrency,
    slowConcurrency: settings.slowConcurrency,
    endpointConcurrency: settings.endpointConcurrency,
    slowAfterMs: settings.slowAfterMs,
    // A waiting delivery must start early enough to finish inside its lease, or a second worker could
    // claim it while it is still being sent. Settings guarantee the lease outlasts an attempt by 1 s,
    // so this is at least 500 ms, with 500 ms to spare.
    readyMaxMs: settings.leaseMs - settings.attempt.attemptTimeoutMs - 500,
  });
  const counters = { claims: 0, claimedRows: 0, claimMs: 0 };
  const inFlight = new Map<number, { claimed: Claimed; done: Promise<void> }>();
  let stopping = false;
  // Set when the grace period ends: attempts still in flight are cut off by destroying the agents
  // (one call, rather than an abort listener on every request) and their results are not recorded.
  let cutOff = false;
  let secretWarned = false;

  function record(completion: Completion): void {
    if (completion.state === 'pending' && completion.delayMs !== null) wake.at(completion.delayMs);
    if (completion.attempt) failureLog.record(completion.attempt, completion);
    writeBack.record(completion);
  }

  function release(claims: Claimed[], what: string): void {
    if (claims.length === 0) return;
    void deliveryRelease(storage, claims).catch((error: unknown) => log.warn({ err: error, deliveries: claims.length }, `releasing ${what} failed; their leases will expire`));
  }

  /** Starts what the ready queue lets start; hands back what waited too long. */
  function pump(): void {
    const { start, stale } = queue.take(performance.now());
    for (const ready of start) launch(ready);
    release(stale, 'stale claims');
    if (start.length) sweep.start();
  }

  function launch({ claimed, secrets: opened }: Ready): void {
    let timedOut = false;
    const done = attemptRun(claimed, opened, attemptDeps)
      .then(
        (completion) => {
          timedOut = completion.attempt?.errorCode === 'timeout';
          // An attempt cut short by shutdown is not recorded; its lease is released instead.
          if (cutOff) return;
          ended.set(completion.deliveryId, claimed.endpointId);
          record(completion);
        },
        (error: unknown) => log.error({ err: error, delivery: claimed.id }, 'attempt crashed; the lease will expire and it will be retried'),
      )
      .finally(() => {
        if (cutOff) return;
        inFlight.delete(claimed.id);
        const { roomOpened, released } = queue.finish(claimed.id, performance.now(), timedOut);
        release(released, 'deliveries held back from a slow endpoint');
        // Claims were skipping this endpoint for want of room; it may have more due work.
        if (roomOpened) wake.mayHaveWork = true;
        if (!stopping) pump();
        wake.nudge();
      });
    inFlight.set(claimed.id, { claimed, done });
  }

  // Attempts unanswered past slowAfterMs leave their slot for the slow pool: pump, since slots freed.
  const sweep = new SlowSweep(queue, settings.slowAfterMs, ({ parked, released }) => {
    release(released, 'deliveries held back from a slow endpoint');
    if (parked > 0 && !stopping) {
      pump();
      wake.nudge();
    }
  });

  async function claimAndStart(want: number): Promise<void> {
    // One claim runs at a time and an endpoint's holdings only fall while it runs, so the room it
    // was given still holds when it returns (an endpoint that turned slow meanwhile hands back the rest).
    const { room, otherRoom } = queue.claimRoom();
    wake.mayHaveWork = false; // a notification during the claim sets it again
    const startedAt = performance.now();
    holds.apply(room, startedAt);
    const scanFrom = scanStart.from(room, startedAt);
    const { claimed, more, scanReached, held } = await deliveryClaimDue(storage, { limit: want, leaseMs: settings.leaseMs, endpointCap: otherRoom, endpointRoom: room, lane, scanFrom });
    scanStart.reached(scanReached, scanFrom, room, startedAt);
    const free = holds.hold(held, performance.now());
    if (free !== undefined) wake.at(free);
    counters.claims++;
    counters.claimedRows += claimed.length;
    counters.claimMs += performance.now() - startedAt;
    if (more) wake.mayHaveWork = true;
    if (stopping) {
      await deliveryRelease(storage, claimed);
      return;
    }
    const back: Claimed[] = [];
    const counts = new Map<string, number>();
    for (const c of claimed) {
      counts.set(c.endpointId, (counts.get(c.endpointId) ?? 0) + 1);
      if (c.endpointDisabled) {
        record(attemptSkip(c));
        continue;
      }
      const opened = secrets.open(c);
      if (!opened.ok) {
        if (!secretWarned) log.error({ endpointId: c.endpointId, reason: opened.reason }, 'a signing secret cannot be opened: is HOOKYARD_SECRET_KEY the key it was sealed with? Its deliveries fail without being sent');
        secretWarned = true;
        record(attemptUnsigned(c, opened.reason, attemptDeps));
        continue;
      }
      // The lease began no later than the claim was sent, so its age is counted from there.
      if (!queue.add(c, opened.secrets, startedAt)) back.push(c);
    }
    release(back, 'deliveries held back from a slow endpoint');
    // A claim cut short by endpoint caps is not an empty queue: endpoints that got all their room
    // may have more due, claimed as soon as they have room for a round (now, or as attempts end).
    if (queue.claimed(counts, { room, otherRoom })) wake.mayHaveWork = true;
    pump();
  }

  // One claim runs at a time: two at once each walked past the rows the other had just locked,
  // which cost more database time per delivery than the overlap saved.
  let claiming: Promise<void> | undefined;
  let failures = 0;

  async function loop(): Promise<void> {
    while (!stopping) {
      const want = claimSize({ ready: queue.ready, mainInFlight: queue.mainInFlight, concurrency: settings.concurrency, batchSize: settings.batchSize });
      if (!wake.mayHaveWork || claiming || want === 0) {
        await wake.sleep(wake.mayHaveWork ? 60_000 : settings.pollIntervalMs);
        continue;
      }
      claiming = claimAndStart(want)
        .then(
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
            wake.mayHaveWork = true;
          },
        )
        .finally(() => {
          claiming = undefined;
          wake.nudge();
        });
    }
    await claiming;
  }

  const unsubscribeLocal = deps.onDeliveriesCreated(wake.signal);
  let unlisten: Unlisten | undefined;
  // After a gap in LISTEN (a lost connection, a restart) notifications may have been missed: claim at once.
  const listening = storage.listen(DELIVERY_CHANNEL, wake.signal, { onReconnect: wake.signal }).then(
    (u) => {
      unlisten = u;
    },
    (error: unknown) => log.warn({ err: error }, 'LISTEN failed; relying on polling'),
  );
  const running = loop();
  log.info(
    {
      concurrency: settings.concurrency,
      slowConcurrency: settings.slowConcurrency,
      endpointConcurrency: settings.endpointConcurrency,
      storage: storage.kind,
      allowCidrs: settings.allow.length ? settings.allow.map(([range, bits]) => `${range.toString()}/${bits}`).join(',') : undefined,
    },
    'delivery worker started',
  );

  return {
    wake: wake.signal,
    stats: () => {
      const { writes, writtenRows, writeMs } = writeBack.stats();
      return {
        ...counters,
        writes,
        writtenRows,
        writeMs,
        inFlight: inFlight.size,
      slowInFlight: queue.slowInFlight,
        slowEndpoints: queue.slowEndpoints(),
        ready: queue.ready,
      };
    },
    async stop(graceMs = 10_000) {
      if (stopping) return;
      stopping = true;
      unsubscribeLocal();
      wake.nudge();
      wake.close();
      await running;
      log.debug('worker stop: loop ended');
      // Claimed but not started: give them back now, so other workers need not wait for the leases.
      const unstarted = queue.drain();
      if (unstarted.length) await deliveryRelease(storage, unstarted).catch((error: unknown) => log.warn({ err: error }, 'releasing unstarted claims failed; their leases will expire'));
      await listening;
      await unlisten?.().catch(() => {});
      log.debug('worker stop: unlistened');
      const all = Promise.all([...inFlight.values()].map((f) => f.done));
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((r) => (graceTimer = setTimeout(r, graceMs)))]);
      clearTimeout(graceTimer);
      if (inFlight.size > 0) {
        cutOff = true;
        await agents.destroy();
        await all;
      }
      sweep.stop();
      log.debug({ inFlight: inFlight.size }, 'worker stop: in-flight settled');
      await writeBack.flush();
      log.debug('worker stop: flushed');
      const left = [...inFlight.values()].map((f) => f.claimed);
      if (left.length) {
        const released = await deliveryRelease(storage, left);
        log.info({ released }, 'released leases of unfinished attempts');
      }
      await agents.close();
      log.info('delivery worker stopped');
    },
  };
}

/** Starts a worker on a Hookyard (the same as `hookyard.startWorker(options, log)`). */
export function startWorker(hookyard: Hookyard, options: WorkerOptions = {}, log?: Logger): Worker {
  return hookyard.startWorker(options, log);
}
