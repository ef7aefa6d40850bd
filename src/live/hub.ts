import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Storage, Unlisten } from '../store/port.js';
import { LIVE_CHANNEL, liveNoticeFor, liveNoticeParse, sseEvent, type LiveViewer } from './notice.js';
import { liveListenerRemove, liveListenerRenew } from './sql.js';
import { liveStream, type LiveStream } from './stream.js';

/**
 * The live updates of one process: its event streams, and one subscription to `hookyard_live`
 * on the storage's LISTEN connection (src/store/notifier.ts, shared with the worker's wake-ups),
 * held while any stream is open and for `lingerMs` after the last one closes. Whichever process
 * wrote a change (an API, a worker, on one PostgreSQL database), the NOTIFY reaches every process
 * that listens; on PGlite it stays in the process. While it listens, the process keeps its row
 * in hookyard.live_listener current, which is what makes writers notify at all (migration 023).
 *
 * Each stream belongs to a viewer (what it may see: liveNoticeFor) and to a session whose end
 * ends the stream: checked when the session would expire and at least every `checkMs`.
 */
export interface LiveHubOptions {
  storage: Storage;
  log: Logger;
  /** Streams this process serves at most, and per session. */
  maxStreams: number;
  maxStreamsPerSession: number;
  queueBytes?: number; // bytes per stream
  heartbeatMs?: number; // ms
  retryMs?: number; // ms
  checkMs?: number; // ms
  lingerMs?: number; // ms
  now?: () => Date;
}

export interface LiveOpen {
  viewer: LiveViewer;
  /** Streams are counted per session; the key is never sent anywhere. */
  sessionKey: string;
  /** When the session ends unless it is used again. */
  validUntil: Date;
  /** The session's expiry now (it may have slid), or undefined once it has ended (signed out, expired, token revoked). */
  revalidate(): Promise<Date | undefined>;
}

export type LiveRefusal = 'busy' | 'session_busy' | 'closed';

export interface LiveHub {
  open(request: LiveOpen): LiveStream | LiveRefusal;
  /** Ends the streams of a session that was signed out in this process. */
  sessionEnded(sessionKey: string): void;
  /** Ends every stream (the browsers reconnect, to this server or another) and stops listening. */
  close(): Promise<void>;
  stats(): { streams: number; listening: boolean };
}

// The listener row is renewed every third of its life, so one missed renewal does not lapse it.
const LISTENER_LIFE_MS = 60_000;

interface Entry {
  stream: LiveStream;
  open: LiveOpen;
  timer: NodeJS.Timeout | undefined;
}

export function liveHub(options: LiveHubOptions): LiveHub {
  const { storage, log, maxStreams, maxStreamsPerSession, queueBytes = 256 * 1024, heartbeatMs = 15_000, retryMs = 3_000, checkMs = 60_000, lingerMs = 30_000 } = options;
  const now = options.now ?? (() => new Date());
  const id = `lst_${randomBytes(9).toString('base64url')}`;
  const entries = new Set<Entry>();
  const perSession = new Map<string, number>();
  let closed = false;
  let active = false; // wanted: listening and registered, or on the way there
  let listening = false;
  let chain: Promise<void> = Promise.resolve(); // start and stop, one after the other
  let unlisten: Unlisten | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;

  function broadcast(payload: string): void {
    const notice = liveNoticeParse(payload);
    if (!notice) return;
    for (const e of entries) {
      const visible = liveNoticeFor(e.open.viewer, notice);
      if (visible) e.stream.send(sseEvent(visible.kind, { items: visible.items }));
    }
  }

  async function renew(): Promise<void> {
    try {
      await liveListenerRenew(storage, id, LISTENER_LIFE_MS);
    } catch (error) {
      log.warn({ err: error }, 'live updates: could not renew this process\'s listener row; retrying');
    }
  }

  async function start(): Promise<void> {
    try {
      unlisten = await storage.listen(LIVE_CHANNEL, broadcast, {
        // Notifications sent while the connection was away are lost: every page reloads what it shows.
        onReconnect: () => entries.forEach((e) => e.stream.send(sseEvent('reload', { reason: 'gap' }))),
      });
    } catch (error) {
      log.warn({ err: error }, 'live updates: LISTEN failed; pages fall back to polling');
    }
    await renew();
    renewTimer = setInterval(() => void renew(), LISTENER_LIFE_MS / 3);
    renewTimer.unref();
    listening = true;
  }

  async function stop(): Promise<void> {
    listening = false;
    clearInterval(renewTimer);
    renewTimer = undefined;
    await unlisten?.().catch(() => {});
    unlisten = undefined;
    await liveListenerRemove(storage, id).catch((error: unknown) => log.debug({ err: error }, 'live updates: listener row not removed; it lapses by itself'));
  }

  function want(): Promise<void> {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    if (!active) {
      active = true;
      chain = chain.then(start);
    }
    return chain;
  }

  function unwantLater(): void {
    clearTimeout(lingerTimer);
    lingerTimer = setTimeout(() => {
      if (entries.size > 0 || !active) return;
      active = false;
      chain = chain.then(stop);
    }, lingerMs);
    lingerTimer.unref();
  }

  function check(entry: Entry, validUntil: Date): void {
    const delay = Math.max(0, Math.min(checkMs, validUntil.getTime() - now().getTime()));
    entry.timer = setTimeout(async () => {
      let next: Date | undefined | null;
      try {
        next = await entry.open.revalidate();
      } catch (error) {
        log.debug({ err: error }, 'live updates: session check failed; trying again later');
        next = null;
      }
      if (entry.stream.closed) return;
      if (next === undefined) entry.stream.end(sseEvent('end', { reason: 'session_ended' }));
      else check(entry, next ?? new Date(now().getTime() + checkMs));
    }, delay);
    entry.timer.unref();
  }

  return {
    open(request) {
      if (closed) return 'closed';
      if (entries.size >= maxStreams) return 'busy';
      const mine = perSession.get(request.sessionKey) ?? 0;
      if (mine >= maxStreamsPerSession) return 'session_busy';
      perSession.set(request.sessionKey, mine + 1);
      const entry: Entry = { open: request, timer: undefined, stream: undefined as unknown as LiveStream };
      entry.stream = liveStream({
        queueBytes,
        heartbeatMs,
        retryMs,
        onClose: () => {
          clearTimeout(entry.timer);
          entries.delete(entry);
          const left = (perSession.get(request.sessionKey) ?? 1) - 1;
          if (left > 0) perSession.set(request.sessionKey, left);
          else perSession.delete(request.sessionKey);
          if (entries.size === 0 && !closed) unwantLater();
        },
      });
      entries.add(entry);
      check(entry, request.validUntil);
      // `ready` says the subscription is live: a page reloads once then, catching up on whatever
      // happened between its first load and now.
      void want().then(() => entry.stream.send(sseEvent('ready', {})));
      return entry.stream;
    },
    sessionEnded(sessionKey) {
      for (const e of entries) if (e.open.sessionKey === sessionKey) e.stream.end(sseEvent('end', { reason: 'session_ended' }));
    },
    async close() {
      closed = true;
      clearTimeout(lingerTimer);
      for (const e of [...entries]) e.stream.end();
      if (active) {
        active = false;
        chain = chain.then(stop);
      }
      await chain;
    },
    stats: () => ({ streams: entries.size, listening }),
  };
}
