import { Agent, request } from 'undici';

/**
 * The bench's HTTP client: undici `request()` on keep-alive connections, one per request in
 * flight. Every figure over HTTP (the ceiling, Hookyard's API, the peers' servers) is taken
 * with this same client, so they differ only in what answers.
 */
export interface Post {
  url: string;
  body: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  rate: number; // requests per second
  ms: number;
}

/** `count` POSTs, `inFlight` at a time; each must answer `expect` (any 2xx when omitted). */
export async function postLoad(count: number, inFlight: number, post: (i: number) => Post, expect?: number): Promise<LoadResult> {
  const agent = new Agent({ connections: inFlight, pipelining: 1 });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < count; i = next++) await postOnce(agent, post(i), expect);
    }),
  );
  const ms = performance.now() - t;
  await agent.close();
  return { rate: (count / ms) * 1000, ms };
}

async function postOnce(agent: Agent, { url, body, headers = {} }: Post, expect?: number): Promise<void> {
  const res = await request(url, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.body.text();
  if (expect === undefined ? res.statusCode >= 300 : res.statusCode !== expect) throw new Error(`bench: POST ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`);
}

/** Latency at light load: `count` POSTs one at a time, `gapMs` apart; each one's time in ms. */
export async function postLatencies(count: number, gapMs: number, post: (i: number) => Post): Promise<number[]> {
  const agent = new Agent({ connections: 1 });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await postOnce(agent, post(i));
    times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await agent.close();
  return times;
}

/** JSON GET or POST for setting things up. */
export async function call<T>(method: 'GET' | 'POST', url: string, token: string, body?: unknown): Promise<T> {
  const res = await request(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`bench: ${method} ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

export const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? NaN;

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
