import pg from 'pg';
import type { Logger } from '../log.js';
import type { Outage } from './outage.js';
import type { ListenOptions, Unlisten } from './port.js';
import { databaseUnavailable } from './unavailable.js';

/**
 * LISTEN on PostgreSQL, kept alive: one dedicated connection (a session of
 * its own, never a pooled one), with an error handler, reconnected with
 * backoff when it is lost, LISTENing again on every channel, and checked with
 * a ping so a connection that died silently is noticed. Notifications sent
 * while it was away are gone for good, so after every gap each subscriber's
 * `onReconnect` runs: the worker claims at once instead of waiting a poll.
 * Shaped after River's internal/notifier and graphile-worker's listenForChanges.
 */
export interface Notifier {
  listen(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<Unlisten>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  /** A new, unconnected client for the LISTEN connection. */
  newClient: () => pg.Client;
  log: Logger;
  outage: Outage;
  pingIntervalMs?: number; // ms
  /** A ping without an answer this long counts as a dead connection. */
  pingTimeoutMs?: number; // ms
  random?: () => number;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;

/**
 * Wait before reconnect attempt `attempt` (1, 2, ...): 100 ms doubling up to
 * 2 s, ±25% so processes cut off together do not come back in step. The
 * first is short because a lone terminated backend is back at once.
 */
export function reconnectDelay(attempt: number, random: () => number): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + 0.5 * random()));
}

interface Subscriber {
  onNotify: (payload: string) => void;
  onReconnect: (() => void) | undefined;
}

export function createNotifier({ newClient, log, outage, pingIntervalMs = 30_000, pingTimeoutMs = 5_000, random = Math.random }: NotifierOptions): Notifier {
  const channels = new Map<string, Set<Subscriber>>();
  let client: pg.Client | undefined; // connected; LISTENs on the channels in `listened`
  let listened = new Set<string>();
  let running: Promise<void> | undefined; // the loop that connects and LISTENs, while it runs
  let waiting: (() => void)[] = []; // listen() calls waiting for the loop to be live, or to fail once
  let missed = false; // notifications may have been lost since every channel was last live
  let lostAt = 0;
  let closed = false;
  let cancelSleep: (() => void) | undefined;
  let opening: pg.Client | undefined; // a connection being opened, so close() need not wait for its timeout

  /** Runs subscriber code so that its exceptions cannot reach the driver's event handlers. */
  function call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      log.error({ err: error }, 'a LISTEN subscriber threw');
    }
  }

  function dispatch(message: pg.Notification): void {
    for (const s of channels.get(message.channel) ?? []) call(() => s.onNotify(message.payload ?? ''));
  }

  function release(): void {
    const resolved = waiting;
    waiting = [];
    resolved.forEach((resolve) => resolve());
  }

  /** Forgets a connection that failed; the loop opens a new one. */
  function drop(c: pg.Client, error: unknown): void {
    if (c !== client) return;
    client = undefined;
    listened = new Set();
    missed = true;
    lostAt = Date.now();
    if (databaseUnavailable(error)) outage.failed(error);
    else log.warn({ err: error }, 'LISTEN connection failed; reconnecting');
    void c.end().catch(() => {});
    if (!closed) void kick();
  }

  async function connect(): Promise<pg.Client> {
    const c = newClient();
    // Every error of this connection, whenever it comes, lands here: without a listener Node would end the process.
    c.on('error', (error) => drop(c, error));
    c.on('end', () => drop(c, new Error('Connection terminated unexpectedly')));
    c.on('notification', dispatch);
    opening = c;
    try {
      await c.connect();
    } catch (error) {
      void c.end().catch(() => {});
      throw error;
    } finally {
      opening = undefined;
    }
    return c;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        cancelSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      cancelSleep = done;
    });
  }

  const needed = () => !closed && channels.size > 0 && (!client || [...channels.keys()].some((ch) => !listened.has(ch)));

  function kick(): Promise<void> {
    running ??= loop().finally(() => {
      running = undefined;
      // A connection lost, or a channel added, after the loop's last look.
      if (needed()) void kick();
    });
    return running;
  }

  async function loop(): Promise<void> {
    let attempt = 0;
    let connectedAt = performance.now();
    while (!closed && channels.size > 0) {
      let c = client;
      try {
        if (!c) {
          connectedAt = performance.now();
          c = await connect();
          if (closed) {
            void c.end().catch(() => {});
            break;
          }
          client = c;
          listened = new Set();
        }
        const wanted = [...channels.keys()].filter((ch) => !listened.has(ch));
        if (wanted.length === 0) break;
        await c.query(wanted.map((ch) => `listen ${pg.escapeIdentifier(ch)}`).join('; '));
        if (c === client) wanted.forEach((ch) => listened.add(ch));
      } catch (error) {
        if (closed) break;
        if (c && c === client) {
          client = undefined;
          listened = new Set();
          void c.end().catch(() => {});
        }
        if (!missed) lostAt = Date.now();
        missed = true;
        attempt++;
        if (databaseUnavailable(error)) outage.failed(error);
        else if (attempt === 1) log.warn({ err: error }, 'LISTEN failed; retrying with backoff, polling meanwhile');
        release(); // listen() callers go on; they hear from onReconnect once it is live
        await sleep(reconnectDelay(attempt, random));
      }
    }
    release();
    if (closed || !client || !missed) return;
    missed = false;
    outage.succeeded(connectedAt);
    log.debug({ gapMs: Date.now() - lostAt, channels: listened.size }, 'LISTEN connection restored');
    for (const set of channels.values()) for (const s of set) if (s.onReconnect) call(s.onReconnect);
  }

  async function ping(): Promise<void> {
    const c = client;
    if (!c || running) return;
    let timer: NodeJS.Timeout | undefined;
    const answer = c.query('select 1');
    answer.catch(() => {}); // after a timeout, ending the connection rejects it too
    try {
      await Promise.race([answer, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('Query read timeout')), pingTimeoutMs)))]);
    } catch (error) {
      drop(c, error);
    } finally {
      clearTimeout(timer);
    }
  }
  const pinger = setInterval(() => void ping(), pingIntervalMs);
  pinger.unref();

  return {
    async listen(channel, onNotify, options = {}) {
      if (closed) throw new Error('the notifier is closed');
      const subscriber: Subscriber = { onNotify, onReconnect: options.onReconnect };
      let set = channels.get(channel);
      if (!set) channels.set(channel, (set = new Set()));
      set.add(subscriber);
      if (!client || !listened.has(channel)) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          void kick();
        });
      }
      return async () => {
        set.delete(subscriber);
        if (set.size > 0 || channels.get(channel) !== set) return;
        channels.delete(channel);
        const c = client;
        if (!c) return;
        if (channels.size === 0) {
          // Nobody listens any more: the connection is not kept for nothing.
          client = undefined;
          listened = new Set();
          await c.end().catch(() => {});
        } else if (listened.delete(channel)) {
          await c.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {});
        }
      };
    },
    async close() {
      closed = true;
      clearInterval(pinger);
      cancelSleep?.();
      // A connection still being opened would hold close() until its connect timeout, and end()
      // waits for the server's goodbye; node-postgres abandons a dead socket this way itself.
      (opening as unknown as { connection?: { stream?: { destroy(): void } } } | undefined)?.connection?.stream?.destroy();
      release();
      const c = client;
      client = undefined;
      await running?.catch(() => {});
      await c?.end().catch(() => {});
    },
  };
}
