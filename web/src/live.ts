// Live updates: one EventSource on /console/api/events for the whole page, shared by every
// component that listens. The browser reconnects by itself; pages reload what they show when an
// event concerns them, so an event's exact fields matter less than its arrival.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface LiveEvent {
  type: string; // 'attempt', 'message', ...
  data: Record<string, unknown>;
}

type Listener = (event: LiveEvent) => void;

const listeners = new Set<Listener>();
const stateListeners = new Set<(connected: boolean) => void>();
let source: EventSource | null = null;
let connected = false;

const TYPES = ['attempt', 'message', 'source-request', 'task', 'endpoint'];

function setConnected(value: boolean) {
  connected = value;
  stateListeners.forEach((l) => l(value));
}

function open() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/console/api/events');
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
  const deliver = (type: string) => (e: MessageEvent<string>) => {
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(e.data) as Record<string, unknown>;
    } catch {
      // An event without JSON still says something happened.
    }
    listeners.forEach((l) => l({ type, data }));
  };
  for (const type of TYPES) source.addEventListener(type, deliver(type));
  source.onmessage = deliver('message');
}

export function liveClose(): void {
  source?.close();
  source = null;
  setConnected(false);
}

/** Calls `onEvent` for each live event while the component is mounted. */
export function useLive(onEvent: Listener): boolean {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const [isConnected, setIsConnected] = useState(connected);
  useEffect(() => {
    const listener: Listener = (e) => latest.current(e);
    listeners.add(listener);
    stateListeners.add(setIsConnected);
    open();
    return () => {
      listeners.delete(listener);
      stateListeners.delete(setIsConnected);
    };
  }, []);
  return isConnected;
}

/** While the event stream is down (or the server has none), calls `refresh` every few seconds instead. */
export function usePollWhileOffline(connected: boolean, refresh: () => void, everyMs = 3000): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (connected) return;
    const timer = setInterval(() => latest.current(), everyMs);
    return () => clearInterval(timer);
  }, [connected, everyMs]);
}
