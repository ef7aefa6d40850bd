import { sseEvent } from './notice.js';

/**
 * One server-sent event stream, as the body of a response. Memory is bounded: events wait in a
 * queue of at most `queueBytes`; a client that reads too slowly for it loses the events that do
 * not fit and, once it has caught up, gets one `reload` event instead (its page reloads what it
 * shows), rather than the server buffering without end. A comment line every `heartbeatMs`
 * keeps proxies from closing an idle stream and lets the browser see a dead one.
 */
export interface LiveStreamOptions {
  queueBytes: number; // bytes
  heartbeatMs: number; // ms
  /** The browser's wait before it reconnects (the `retry:` field), ms. */
  retryMs: number;
  /** Called once, when the stream ends for any reason (the client left, end(), the server closes). */
  onClose(): void;
}

export interface LiveStream {
  readonly body: ReadableStream<Uint8Array>;
  /** Queues one event frame; dropped, and a `reload` promised, when the queue is full. */
  send(frame: string): void;
  /** Ends the stream, after `last` if given. */
  end(last?: string): void;
  readonly closed: boolean;
  /** Events dropped because the client read too slowly. */
  readonly dropped: number;
}

const encoder = new TextEncoder();

export function liveStream({ queueBytes, heartbeatMs, retryMs, onClose }: LiveStreamOptions): LiveStream {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let overflowed = false;
  let dropped = 0;

  function finish(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        // The first bytes go at once, so the browser's EventSource is open before any event.
        c.enqueue(encoder.encode(`retry: ${retryMs}\n: hookyard live updates\n\n`));
      },
      // Called as the client reads and the queue has room again: the moment to own up to drops.
      pull() {
        if (overflowed && !closed) {
          overflowed = false;
          controller.enqueue(encoder.encode(sseEvent('reload', { reason: 'overflow', dropped })));
        }
      },
      cancel() {
        finish();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: queueBytes }),
  );

  const heartbeat = setInterval(() => {
    if (!closed && !overflowed && (controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(': ping\n\n'));
  }, heartbeatMs);
  heartbeat.unref();

  return {
    body,
    send(frame) {
      if (closed) return;
      const bytes = encoder.encode(frame);
      if (overflowed || (controller.desiredSize ?? 0) < bytes.byteLength) {
        overflowed = true;
        dropped++;
        return;
      }
      controller.enqueue(bytes);
    },
    end(last) {
      if (closed) return;
      if (last !== undefined) controller.enqueue(encoder.encode(last));
      controller.close();
      finish();
    },
    get closed() {
      return closed;
    },
    get dropped() {
      return dropped;
    },
  };
}
