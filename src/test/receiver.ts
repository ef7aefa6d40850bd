import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the receiver saw it. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number; // Date.now() at receipt
}

/** How to answer one request. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { hang: true }
  | { destroy: true }
  | { bigBody: number };

export interface Receiver {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  received: Received[];
  /** Answers by path; unmatched paths get 200. */
  reply: (req: Received) => Reply;
  /** Resolves once `n` requests to paths passing `filter` have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, filter?: (r: Received) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A loopback HTTP receiver on an ephemeral port, for tests and the bench. */
export async function startReceiver(reply: (req: Received) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const receiver = { received: [] as Received[], reply } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      receiver.received.push(r);
      waiters.forEach((w) => w());
      answer(receiver.reply(r), res);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver.port = port;
  receiver.origin = `http://127.0.0.1:${port}`;
  receiver.waitFor = (n, filter = () => true, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const matching = receiver.received.filter(filter);
        if (matching.length < n) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(matching);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`receiver: ${receiver.received.filter(filter).length} of ${n} requests after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  receiver.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

function answer(reply: Reply, res: ServerResponse): void {
  if ('hang' in reply) return;
  if ('destroy' in reply) {
    res.socket?.destroy();
    return;
  }
  if ('bigBody' in reply) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(reply.bigBody) });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = reply.bigBody;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => {});
    pump();
    return;
  }
  const send = () => {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? '');
  };
  if (reply.delayMs) setTimeout(send, reply.delayMs);
  else send();
}
