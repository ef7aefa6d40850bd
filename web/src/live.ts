// Live updates: one EventSource on /console/api/events for the whole page, shared by every
// component that listens. Each event carries `items` of ids and states (attempt, message,
// source-request, task, endpoint); `ready` (the subscription is live) and `reload` (events may
// have been lost) make every listener reload what it shows; `end` means the session ended. The
// browser reconnects by itself after a dropped stream; while it is down, pages poll instead.
import { useEffect, useRef, useState } from 'preact/hooks';
import { sessionExpired } from './api';

export type LiveItem = Record<string, unknown> & { appId?: string; endpointId?: string; msgId?: string; sourceId?: string; id?: string };

export interface LiveEvent {
  type: 'attempt' | 'message' | 'source-request' | 'task' | 'endpoint' | 'reload';
  items: LiveItem[];
}

type Listener = (event: LiveEvent) => void;

const listeners = new Set<Listener>();
const stateListeners = new Set<(connected: boolean) => void>();
let source: EventSource | null = null;
let connected = false;
let retry: ReturnType<typeof setTimeout> | undefined;

const TYPES = ['attempt', 'message', 'source-request', 'task', 'endpoint'] as const;
const RETRY_CLOSED_MS = 30_000; // after a refused stream (429, 401), try again this much later

function setConnected(value: boolean) {
  if (connected === value) return;
  connected = value;
  stateListeners.forEach((l) => l(value));
}

const emit = (event: LiveEvent) => listeners.forEach((l) => l(event));

function open() {
  if (source || typeof EventSource === 'undefined') return;
  clearTimeout(retry);
  const s = (source = new EventSource('/console/api/events'));
  s.addEventListener('ready', () => {
    setConnected(true);
    emit({ type: 'reload', items: [] }); // catch up on whatever happened before the stream was live
  });
  s.addEventListener('reload', () => emit({ type: 'reload', items: [] }));
  s.addEventListener('end', () => {
    liveClose();
    sessionExpired();
  });
  s.onerror = () => {
    setConnected(false);
    // CLOSED: the server refused the stream; EventSource does not try again by itself.
    if (s.readyState === EventSource.CLOSED && source === s) {
      source = null;
      retry = setTimeout(() => listeners.size > 0 && open(), RETRY_CLOSED_MS);
    }
  };
  for (const type of TYPES) {
    s.addEventListener(type, (e: MessageEvent<string>) => {
      let items: LiveItem[] = [];
      try {
        items = (JSON.parse(e.data) as { items?: LiveItem[] }).items ?? [];
      } catch {
        // An event without JSON still says something happened.
      }
      emit({ type, items });
    });
  }
}

export function liveClose(): void {
  clearTimeout(retry);
  source?.close();
  source = null;
  setConnected(false);
}

/** Whether a live id names the same thing as a page's id; a page reached by uid (not an id) takes every event. */
export function sameId(live: unknown, page: string | undefined): boolean {
  if (page === undefined) return true;
  return !/^[a-z]+_[0-9A-Za-z]{27}$/.test(page) || live === page;
}

/** Calls `onEvent` for each live event while the component is mounted; answers whether the stream is live. */
export function useLive(onEvent: Listener): boolean {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const [isConnected, setIsConnected] = useState(connected);
  useEffect(() => {
    const listener: Listener = (e) => latest.current(e);
    listeners.add(listener);
    stateListeners.add(setIsConnected);
    setIsConnected(connected);
    open();
    return () => {
      listeners.delete(listener);
      stateListeners.delete(setIsConnected);
    };
  }, []);
  return isConnected;
}

const COALESCE_MS = 200; // a burst of events reloads once

/**
 * Reloads when an event concerns the component (`concerns` gets each event of type `type`, or
 * every `reload`), at most once per burst; while the stream is down, polls every few seconds.
 */
export function useLiveReload(type: LiveEvent['type'] | LiveEvent['type'][], concerns: (item: LiveItem) => boolean, reload: () => void, { poll = true } = {}): boolean {
  const latest = useRef({ concerns, reload });
  latest.current = { concerns, reload };
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const types = Array.isArray(type) ? type : [type];
  const live = useLive((e) => {
    if (e.type !== 'reload' && !(types.includes(e.type) && e.items.some((i) => latest.current.concerns(i)))) return;
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      latest.current.reload();
    }, COALESCE_MS);
  });
  usePollWhileOffline(poll ? live : true, () => latest.current.reload());
  return live;
}

/**
 * While the event stream is down (or the server has none), calls `refresh` every few seconds
 * instead. `window.hookyardPolling = false` turns this fallback off (the browser test does, to
 * prove that what it sees came live).
 */
export function usePollWhileOffline(connected: boolean, refresh: () => void, everyMs = 3000): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (connected || (globalThis as { hookyardPolling?: boolean }).hookyardPolling === false) return;
    const timer = setInterval(() => latest.current(), everyMs);
    return () => clearInterval(timer);
  }, [connected, everyMs]);
}
