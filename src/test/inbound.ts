import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { ApiOptions } from '../api/app.js';
import { startWorker, type Worker } from '../delivery/worker.js';
import { createLogger } from '../log.js';
import { testApi, type TestApi } from './api.js';
import { TEST_WORKER } from './delivery.js';
import { startReceiver, type Received, type Receiver } from './receiver.js';
import type { TestHookyard } from './storages.js';

/** A request log row as the API lists it. */
export interface LogRow {
  outcome: string;
  reason: string | null;
  status: number;
  headers: Record<string, string>;
  messageId: string | null;
  eventType: string | null;
  count: number;
  clientIp: string | null;
  userAgent: string | null;
  size: number;
}

export interface CreatedSource {
  source: { id: string; ingestUrl: string; appId: string };
  ep: { id: string };
  /** The ingest endpoint's signing secret: what forwarded requests verify with. */
  secret: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: { status?: string; code?: string; messageId?: string; challenge?: string; [k: string]: unknown } | undefined;
}

export interface InboundFixture {
  t: TestApi;
  receiver: Receiver;
  /** Creates a source (`body` as POST /ingest/api/v1/source takes it) with one ingest endpoint at `receiver.origin + path`. */
  sourceWith(body: Record<string, unknown>, path: string): Promise<CreatedSource>;
  /** A raw request to a receiving URL (POST with a JSON content type unless told otherwise). */
  send(url: string, headers: Record<string, string>, body?: string, method?: string): Promise<Answer>;
  /** The source's request log (after flushing the batched writer), newest first. */
  logOf(sourceId: string, query?: string): Promise<LogRow[]>;
  /** [status, reason] of the source's rejected rows, sorted. */
  rejections(sourceId: string): Promise<[number, string | null][]>;
  /** Waits for one request at `path`, checks it carries `body` byte for byte and verifies with `secret` through standardwebhooks. */
  forwardedTo(path: string, secret: string, body: string): Promise<Received>;
}

/**
 * The setup the inbound end-to-end tests share: the API on loopback, a worker, and a loopback
 * receiver behind each source's ingest endpoints. Call inside a describe of describeEachStorage;
 * the returned function gives the fixture inside tests.
 */
export function inboundFixture(env: () => TestHookyard, apiOptions: Partial<ApiOptions> = {}): () => InboundFixture {
  let fixture: InboundFixture | undefined;
  let worker: Worker | undefined;
  before(async () => {
    const t = await testApi(env().hookyard, apiOptions);
    const receiver = await startReceiver();
    worker = startWorker(env().hookyard, TEST_WORKER, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
    const logOf = async (sourceId: string, query = '') => {
      await t.api.inboundLog.flush();
      return ((await t.call('GET', `/ingest/api/v1/source/${sourceId}/request${query}`)).json as { data: LogRow[] }).data;
    };
    fixture = {
      t,
      receiver,
      async sourceWith(body, path) {
        const created = await t.call('POST', '/ingest/api/v1/source', body);
        assert.equal(created.status, 201, JSON.stringify(created.json));
        const source = created.json as CreatedSource['source'];
        const ep = (await t.call('POST', `/ingest/api/v1/source/${source.id}/endpoint`, { url: receiver.origin + path })).json as { id: string };
        const secret = ((await t.call('GET', `/ingest/api/v1/source/${source.id}/endpoint/${ep.id}/secret`)).json as { key: string }).key;
        return { source, ep, secret };
      },
      async send(url, headers, body, method = 'POST') {
        const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body }) });
        const text = await res.text();
        let json: Answer['json'];
        try {
          json = JSON.parse(text) as Answer['json'];
        } catch {
          json = undefined;
        }
        return { status: res.status, headers: res.headers, text, json };
      },
      logOf,
      async rejections(sourceId) {
        const rows = await logOf(sourceId, '?outcome=rejected&limit=250');
        return rows.map((r): [number, string | null] => [r.status, r.reason]).sort((a, b) => String(a).localeCompare(String(b)));
      },
      async forwardedTo(path, secret, body) {
        const [got] = await receiver.waitFor(1, (r) => r.path === path);
        assert.equal(got!.body, body, 'forwarded byte for byte');
        new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>);
        return got!;
      },
    };
  });
  after(async () => {
    await worker?.stop(1_000);
    await fixture?.receiver.close();
    await fixture?.t.close();
  });
  return () => fixture!;
}
