// The bench's loopback receiver, run as a child process so that it does not
// share a thread with the client being measured (a real receiver never does).
// It answers 200 at once, counts requests, and for /latency records receipt
// time minus the `sentAt` in the body. The parent asks for figures over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processCpuMicros } from './cpu.js';

let count = 0;
let latencies: number[] = [];
// Requests by the first segment of their path, so scenarios sharing the receiver count their own.
const counts: Record<string, number> = {};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    count++;
    const first = (req.url ?? '/').split('/')[1] ?? '';
    counts[first] = (counts[first] ?? 0) + 1;
    if (req.url === '/latency') latencies.push(Date.now() - (JSON.parse(Buffer.concat(chunks).toString()) as { sentAt: number }).sentAt);
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});

process.on('message', (msg: { op: 'stats' | 'reset' | 'close' }) => {
  if (msg.op === 'reset') latencies = [];
  if (msg.op === 'close') {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    return;
  }
  process.send!({ count, counts, latencies, cpuMicros: processCpuMicros() });
});
// Never outlive the bench.
process.on('disconnect', () => process.exit(0));
