import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import type { Api } from './app.js';

export interface ApiServer {
  /** http://host:port, with the port actually bound. */
  url: string;
  server: Server;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function apiListen(api: Pick<Api, 'app'> & Partial<Pick<Api, 'receive' | 'inboundLog' | 'inboundRates'>>, { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<ApiServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    // Received webhooks are served on the Node request, ahead of Hono (src/inbound/receive-node.ts).
    const s = serve({
      fetch: api.app.fetch,
      hostname: host,
      port,
      createServer: ((options: object, listener: (req: IncomingMessage, res: ServerResponse) => void) =>
        createServer(options, (req, res) => {
          if (!api.receive?.(req, res)) listener(req, res);
        })) as unknown as typeof createServer,
    }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  // Node's default keep-alive timeout (5 s) is shorter than many clients'; idle
  // sockets are closed on shutdown anyway.
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    server,
    async close(graceMs = 10_000 /* ms */) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections go idle as their last response is sent; close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      // The last received requests' log rows, while the database is still open; a database that
      // hangs must not hold the close (at most 1 s). The last rate counts are not worth a wait.
      api.inboundRates?.stop();
      if (api.inboundLog) {
        api.inboundLog.stop();
        let waited: NodeJS.Timeout | undefined;
        await Promise.race([api.inboundLog.flush(), new Promise<void>((resolve) => (waited = setTimeout(resolve, 1_000)))]);
        clearTimeout(waited);
      }
    },
  };
}
