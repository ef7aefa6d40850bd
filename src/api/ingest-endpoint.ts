import { z } from 'zod';
import { endpointInSchema, endpointUpdateSchema, headersSchema, secretRotateSchema, sensitiveNamesSchema } from '../endpoint/model.js';
import type { Hookyard } from '../hookyard.js';
import { listOf, pageQuerySchema, throttleRateField, throttleRateFold } from './common.js';
import { endpointOut, endpointOutSchema } from './endpoint.js';
import { route, type Route } from './route.js';

/**
 * Svix's `ingest.endpoint.*`: a source's destinations. They are the endpoints of the source's
 * hidden application (src/inbound/), so they are delivered, signed, retried and listed as any
 * endpoint; these routes only find that application from the source.
 */
const LIST = '/ingest/api/v1/source/{source_id}/endpoint';
const ONE = `${LIST}/{endpoint_id}`;
const tag = 'Ingest endpoint';
const out = { name: 'IngestEndpointOut', schema: endpointOutSchema };

const headersInSchema = z.strictObject({
  headers: headersSchema,
  sensitive: sensitiveNamesSchema.optional().describe('Hookyard extension: header names to treat as sensitive'),
});
const headersOutSchema = z.object({ headers: z.record(z.string(), z.string()), sensitive: z.array(z.string()) });

export function ingestEndpointRoutes(hookyard: Hookyard): Route[] {
  const { sources, endpoints } = hookyard;
  const app = (params: Record<string, string>) => sources.appOf(params.source_id!);
  return [
    route({
      method: 'get', path: LIST, operationId: 'v1.ingest.endpoint.list', summary: 'List a source\'s ingest endpoints', tag,
      query: pageQuerySchema,
      status: 200, response: { name: 'ListResponse_IngestEndpointOut_', schema: listOf(endpointOutSchema) },
      handler: async ({ params, query }) => {
        const page = await endpoints.list(await app(params), query);
        return { ...page, data: page.data.map(endpointOut) };
      },
    }),
    route({
      method: 'post', path: LIST, operationId: 'v1.ingest.endpoint.create', summary: 'Create an ingest endpoint (filterTypes match the provider\'s event types)', tag,
      body: { name: 'IngestEndpointIn', schema: endpointInSchema.extend(throttleRateField) },
      status: 201, errors: [409], response: out,
      handler: async ({ params, body }) => endpointOut(await endpoints.create(await app(params), throttleRateFold(body))),
    }),
    route({
      method: 'get', path: ONE, operationId: 'v1.ingest.endpoint.get', summary: 'Get an ingest endpoint', tag,
      status: 200, response: out,
      handler: async ({ params }) => endpointOut(await endpoints.get(await app(params), params.endpoint_id!)),
    }),
    route({
      method: 'put', path: ONE, operationId: 'v1.ingest.endpoint.update', summary: 'Replace an ingest endpoint', tag,
      body: { name: 'IngestEndpointUpdate', schema: endpointUpdateSchema.extend(throttleRateField) },
      status: 200, errors: [409], response: out,
      handler: async ({ params, body }) => endpointOut(await endpoints.update(await app(params), params.endpoint_id!, throttleRateFold(body))),
    }),
    route({
      method: 'delete', path: ONE, operationId: 'v1.ingest.endpoint.delete', summary: 'Delete an ingest endpoint', tag,
      status: 204,
      handler: async ({ params }) => endpoints.delete(await app(params), params.endpoint_id!),
    }),
    route({
      method: 'get', path: `${ONE}/secret`, operationId: 'v1.ingest.endpoint.get-secret', summary: 'Get the ingest endpoint\'s signing secret', tag,
      status: 200, response: { name: 'IngestEndpointSecretOut', schema: z.object({ key: z.string() }) },
      handler: async ({ params }) => endpoints.secretGet(await app(params), params.endpoint_id!),
    }),
    route({
      method: 'post', path: `${ONE}/secret/rotate`, operationId: 'v1.ingest.endpoint.rotate-secret', summary: 'Rotate the ingest endpoint\'s signing secret', tag,
      body: { name: 'IngestEndpointSecretIn', schema: secretRotateSchema },
      status: 204,
      handler: async ({ params, body }) => endpoints.secretRotate(await app(params), params.endpoint_id!, body),
    }),
    route({
      method: 'get', path: `${ONE}/headers`, operationId: 'v1.ingest.endpoint.get-headers', summary: 'Get the ingest endpoint\'s custom headers', tag,
      status: 200, response: { name: 'IngestEndpointHeadersOut', schema: headersOutSchema },
      handler: async ({ params }) => endpoints.headersOut(await app(params), params.endpoint_id!),
    }),
    route({
      method: 'put', path: `${ONE}/headers`, operationId: 'v1.ingest.endpoint.update-headers', summary: 'Replace the ingest endpoint\'s custom headers', tag,
      body: { name: 'IngestEndpointHeadersIn', schema: headersInSchema },
      status: 204,
      handler: async ({ params, body }) => endpoints.headersUpdate(await app(params), params.endpoint_id!, body.headers, body.sensitive),
    }),
  ];
}
