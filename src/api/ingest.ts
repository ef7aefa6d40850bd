import type { Context as HonoContext } from 'hono';
import { z } from 'zod';
import type { Hookyard } from '../hookyard.js';
import type { RequestLogEntry } from '../inbound/model.js';
import { sourceInSchema } from '../inbound/model.js';
import { RECEIVE_PATH } from '../inbound/receive.js';
import { requestLogList } from '../inbound/request-log-sql.js';
import type { SourceWithToken } from '../inbound/service.js';
import { sourceTypes } from '../inbound/verify/index.js';
import type { ApiEnv } from './env.js';
import { iso, listOf, pageQuerySchema, queryDate, timestamp } from './common.js';
import { ingestEndpointRoutes } from './ingest-endpoint.js';
import { route, type Route } from './route.js';

export const sourceOutSchema = z.object({
  id: z.string(),
  uid: z.string().nullable(),
  name: z.string(),
  type: z.string(),
  config: z.record(z.string(), z.unknown()).describe('The type\'s config, without its secret fields (as Svix redacts them)'),
  ingestUrl: z.string().describe('The secret URL third parties post to'),
  metadata: z.record(z.string(), z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
  disabled: z.boolean().describe('Hookyard extension'),
  maxBodyBytes: z.number().nullable().describe('Hookyard extension: null is the server default'),
  rateLimit: z.number().nullable().describe('Hookyard extension: requests per minute; null is the server default'),
  allowedCidrs: z.array(z.string()).nullable().describe('Hookyard extension'),
  mapping: z.record(z.string(), z.string()).nullable().describe('Hookyard extension'),
  appId: z.string().describe('Hookyard extension: the hidden application holding the ingest endpoints and forwarded messages (attempts are listed under it)'),
});

const requestOutSchema = z.object({
  id: z.string(),
  receivedAt: timestamp,
  outcome: z.enum(['accepted', 'duplicate', 'handshake', 'rejected']),
  reason: z.string().nullable(),
  status: z.number(),
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  headers: z.record(z.string(), z.string()).describe('Selected headers; signatures and secrets as [redacted]'),
  size: z.number().describe('Body bytes (for an aggregate row, the largest)'),
  durationMs: z.number(),
  count: z.number().describe('Requests this row stands for: more than 1 for rejected floods, aggregated'),
  messageId: z.string().nullable().describe('The forwarded message (accepted and duplicate requests)'),
  eventType: z.string().nullable(),
  contentType: z.string().nullable().describe('Set when the body is forwarded with a type other than application/json'),
});

const statsOutSchema = z.object({ eventsReceived: z.number(), lastEventAt: timestamp.nullable(), createdAt: timestamp });

/** The origin in `ingestUrl`: the configured public base URL, else the one this request came to. */
const baseOf = (c: HonoContext<ApiEnv>, configured: string | undefined) => configured ?? new URL(c.req.url).origin;

export const ingestUrlOf = (base: string, token: string) => `${base}${RECEIVE_PATH}/${token}`;

function sourceOut(s: SourceWithToken, base: string): z.input<typeof sourceOutSchema> {
  const secret = new Set(sourceTypes[s.type]?.secretFields ?? []);
  return {
    id: s.id,
    uid: s.uid,
    name: s.name,
    type: s.type,
    config: Object.fromEntries(Object.entries(s.config).filter(([name]) => !secret.has(name))),
    ingestUrl: ingestUrlOf(base, s.token),
    metadata: s.metadata,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    disabled: s.disabled,
    maxBodyBytes: s.maxBodyBytes,
    rateLimit: s.rateLimit,
    allowedCidrs: s.allowedCidrs,
    mapping: s.mapping,
    appId: s.appId,
  };
}

const requestOut = (r: RequestLogEntry): z.input<typeof requestOutSchema> => ({
  id: r.id,
  receivedAt: iso(r.receivedAt),
  outcome: r.outcome,
  reason: r.reason,
  status: r.status,
  clientIp: r.clientIp,
  userAgent: r.userAgent,
  headers: r.headers,
  size: r.size,
  durationMs: Math.round(r.durationMs * 1000) / 1000,
  count: r.count,
  messageId: r.messageId,
  eventType: r.eventType,
  contentType: r.contentType,
});

export const SOURCES = '/ingest/api/v1/source';
export const SOURCE = `${SOURCES}/{source_id}`;
const tag = 'Ingest source';
const out = { name: 'IngestSourceOut', schema: sourceOutSchema };
const sourceIn = { name: 'IngestSourceIn', schema: sourceInSchema };

export function ingestRoutes(hookyard: Hookyard, { publicUrl }: { publicUrl?: string | undefined } = {}): Route[] {
  const { sources } = hookyard;
  return [
    route({
      method: 'get', path: SOURCES, operationId: 'v1.ingest.source.list', summary: 'List sources', tag,
      query: pageQuerySchema,
      status: 200, response: { name: 'ListResponse_IngestSourceOut_', schema: listOf(sourceOutSchema) },
      handler: async ({ query, c }) => {
        const page = await sources.list(query);
        return { ...page, data: page.data.map((s) => sourceOut(s, baseOf(c, publicUrl))) };
      },
    }),
    route({
      method: 'post', path: SOURCES, operationId: 'v1.ingest.source.create', summary: 'Create a source, with its secret receiving URL', tag,
      body: sourceIn, status: 201, errors: [409], response: out,
      // The response holds the secret URL, which is not kept for Idempotency-Key replays.
      noIdempotency: true,
      handler: async ({ body, c }) => sourceOut(await sources.create(body), baseOf(c, publicUrl)),
    }),
    route({
      method: 'get', path: SOURCE, operationId: 'v1.ingest.source.get', summary: 'Get a source by id or uid', tag,
      status: 200, response: out,
      handler: async ({ params, c }) => sourceOut(await sources.get(params.source_id!), baseOf(c, publicUrl)),
    }),
    route({
      method: 'put', path: SOURCE, operationId: 'v1.ingest.source.update', summary: 'Replace a source (Hookyard\'s extension fields left out keep their values)', tag,
      body: sourceIn, status: 200, errors: [409], response: out,
      handler: async ({ params, body, c }) => sourceOut(await sources.update(params.source_id!, body), baseOf(c, publicUrl)),
    }),
    route({
      method: 'delete', path: SOURCE, operationId: 'v1.ingest.source.delete', summary: 'Delete a source, its ingest endpoints, messages and request log', tag,
      status: 204,
      handler: async ({ params }) => sources.delete(params.source_id!),
    }),
    route({
      method: 'post', path: `${SOURCE}/token/rotate`, operationId: 'v1.ingest.source.rotate-token', summary: 'Give the source a new receiving URL; the old one answers 404 at once', tag,
      status: 200, noIdempotency: true,
      response: { name: 'RotateTokenOut', schema: z.object({ ingestUrl: z.string() }) },
      handler: async ({ params, c }) => ({ ingestUrl: ingestUrlOf(baseOf(c, publicUrl), await sources.rotateToken(params.source_id!)) }),
    }),
    route({
      method: 'post', path: `${SOURCE}/disable`, operationId: 'v1.ingest.source.disable', summary: 'Hookyard extension: disable a source (it answers 403, and logs)', tag,
      status: 200, response: out,
      handler: async ({ params, c }) => sourceOut(await sources.setDisabled(params.source_id!, true), baseOf(c, publicUrl)),
    }),
    route({
      method: 'post', path: `${SOURCE}/enable`, operationId: 'v1.ingest.source.enable', summary: 'Hookyard extension: enable a source again', tag,
      status: 200, response: out,
      handler: async ({ params, c }) => sourceOut(await sources.setDisabled(params.source_id!, false), baseOf(c, publicUrl)),
    }),
    route({
      method: 'get', path: `${SOURCE}/stats`, operationId: 'v1.ingest.source.get-stats', summary: 'Hookyard extension: events received, the last one, and when the source was created', tag,
      status: 200, response: { name: 'IngestSourceStatsOut', schema: statsOutSchema },
      handler: async ({ params }) => {
        const s = await sources.stats(params.source_id!);
        return { eventsReceived: s.eventsReceived, lastEventAt: s.lastEventAt && iso(s.lastEventAt), createdAt: iso(s.createdAt) };
      },
    }),
    route({
      method: 'get', path: `${SOURCE}/request`, operationId: 'v1.ingest.source.list-requests', tag,
      summary: 'Hookyard extension: the source\'s request log, accepted and rejected, newest first',
      query: pageQuerySchema.extend({
        outcome: z.enum(['accepted', 'duplicate', 'handshake', 'rejected']).optional(),
        reason: z.string().max(64).optional(),
        since: queryDate.optional(),
        until: queryDate.optional(),
      }),
      status: 200, response: { name: 'ListResponse_IngestRequestOut_', schema: listOf(requestOutSchema) },
      handler: async ({ params, query }) => {
        const source = await sources.get(params.source_id!);
        const page = await requestLogList(hookyard.storage, source.id, query);
        return { ...page, data: page.data.map(requestOut) };
      },
    }),
    ...ingestEndpointRoutes(hookyard),
  ];
}
