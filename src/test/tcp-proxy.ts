import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of a database, to break the network between
 * Hookyard and it on purpose: `cut()` resets every connection and refuses new
 * ones (a database that went away), `freeze()` stops passing bytes but keeps
 * the connections open (a blackhole: no answer, no reset).
 */
export interface TcpProxy {
  /** The target URL with host and port replaced by the proxy's. */
  url: string;
  port: number;
  cut(): Promise<void>;
  freeze(): void;
  /** Undoes cut() or freeze(). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let server: Server | undefined;
  let port = 0;

  function pipe(from: Socket, to: Socket): void {
    // Frozen, a socket is not read: bytes wait in the kernel's buffers, as they wait in TCP's
    // retransmissions across a blackhole, and nothing is answered until it thaws.
    from.pipe(to);
    if (frozen) from.pause();
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  }

  async function listen(): Promise<void> {
    server = createServer((client) => {
      const upstream = connect(targetPort, target.hostname);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      client.on('close', () => pairs.delete(pair));
      pipe(client, upstream);
      pipe(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  }

  async function cut(): Promise<void> {
    const s = server;
    server = undefined;
    for (const [a, b] of pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    pairs.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await listen();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    port,
    cut,
    freeze() {
      frozen = true;
      for (const [a, b] of pairs) {
        a.pause();
        b.pause();
      }
    },
    async restore() {
      frozen = false;
      for (const [a, b] of pairs) {
        a.resume();
        b.resume();
      }
      if (!server) await listen();
    },
    close: cut,
  };
}
