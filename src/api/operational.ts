import { z } from 'zod';
import type { Endpoint } from '../endpoint/model.js';
import { OPERATIONAL_EVENT_TYPES, operationalEndpointInSchema, operationalEndpointUpdateSchema, operationalHeadersInSchema, operationalSecretInSchema } from '../operational/model.js';
import type { OperationalService } from '../operational/service.js';
import { iso, listOf, pageQuerySchema, timestamp } from './common.js';
import { route, type Route } from './route.js';

/** Svix's OperationalWebhookEndpointOut. */
const outSchema = z.object({
  id: z.string(),
  uid: z.string().nullable(),
  url: z.string(),
  description: z.string(),
  disabled: z.boolean(),
  filterTypes: z.array(z.enum(OPERATIONAL_EVENT_TYPES)).nullable(),
  rateLimit: z.number().nullable(),
  throttleRate: z.number().nullable(),
  metadata: z.record(z.string(), z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const toOut = (e: Endpoint): z.input<typeof outSchema> => ({
  id: e.id,
  uid: e.uid,
  url: e.url,
  description: e.description,
  disabled: e.disabled,
  filterTypes: e.filterTypes as (typeof OPERATIONAL_EVENT_TYPES)[number][] | null,
  rateLimit: e.rateLimit,
  throttleRate: e.rateLimit,
  metadata: e.metadata,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

const LIST = '/api/v1/operational-webhook/endpoint';
const ONE = `${LIST}/{endpoint_id}`;
const tag = 'Webhook Endpoint';
const out = { name: 'OperationalWebhookEndpointOut', schema: outSchema };

/** Svix's operational webhook endpoint routes (`svix.operationalWebhookEndpoint.*`). */
export function operationalRoutes(operational: OperationalService): Route[] {
  return [
    route({
      method: 'get', path: LIST, operationId: 'v1.operational-webhook.endpoint.list', summary: 'List operational webhook endpoints', tag,
      query: pageQuerySchema,
      status: 200, response: { name: 'ListResponse_OperationalWebhookEndpointOut_', schema: listOf(outSchema) },
      handler: async ({ query }) => {
        const page = await operational.list(query);
        return { ...page, data: page.data.map(toOut) };
      },
    }),
    route({
      method: 'post', path: LIST, operationId: 'v1.operational-webhook.endpoint.create', summary: 'Create an operational webhook endpoint', tag,
      body: { name: 'OperationalWebhookEndpointIn', schema: operationalEndpointInSchema },
      status: 201, errors: [409], response: out,
      handler: async ({ body }) => toOut(await operational.create(body)),
    }),
    route({
      method: 'get', path: ONE, operationId: 'v1.operational-webhook.endpoint.get', summary: 'Get an operational webhook endpoint', tag,
      status: 200, response: out,
      handler: async ({ params }) => toOut(await operational.get(params.endpoint_id!)),
    }),
    route({
      method: 'put', path: ONE, operationId: 'v1.operational-webhook.endpoint.update', summary: 'Replace an operational webhook endpoint', tag,
      body: { name: 'OperationalWebhookEndpointUpdate', schema: operationalEndpointUpdateSchema },
      status: 200, errors: [409], response: out,
      handler: async ({ params, body }) => toOut(await operational.update(params.endpoint_id!, body)),
    }),
    route({
      method: 'delete', path: ONE, operationId: 'v1.operational-webhook.endpoint.delete', summary: 'Delete an operational webhook endpoint', tag,
      status: 204,
      handler: async ({ params }) => operational.delete(params.endpoint_id!),
    }),
    route({
      method: 'get', path: `${ONE}/secret`, operationId: 'v1.operational-webhook.endpoint.get-secret', summary: 'Get an operational webhook endpoint\'s signing secret', tag,
      status: 200, response: { name: 'OperationalWebhookEndpointSecretOut', schema: z.object({ key: z.string() }) },
      handler: async ({ params }) => operational.secretGet(params.endpoint_id!),
    }),
    route({
      method: 'post', path: `${ONE}/secret/rotate`, operationId: 'v1.operational-webhook.endpoint.rotate-secret', tag,
      summary: 'Rotate an operational webhook endpoint\'s signing secret; the old one co-signs for the grace window',
      body: { name: 'OperationalWebhookEndpointSecretIn', schema: operationalSecretInSchema },
      status: 204,
      handler: async ({ params, body }) => operational.secretRotate(params.endpoint_id!, body),
    }),
    route({
      method: 'get', path: `${ONE}/headers`, operationId: 'v1.operational-webhook.endpoint.get-headers', summary: 'Get an operational webhook endpoint\'s custom headers', tag,
      status: 200, response: { name: 'OperationalWebhookEndpointHeadersOut', schema: z.object({ headers: z.record(z.string(), z.string()), sensitive: z.array(z.string()) }) },
      handler: async ({ params }) => operational.headersGet(params.endpoint_id!),
    }),
    route({
      method: 'put', path: `${ONE}/headers`, operationId: 'v1.operational-webhook.endpoint.update-headers', summary: 'Replace an operational webhook endpoint\'s custom headers', tag,
      body: { name: 'OperationalWebhookEndpointHeadersIn', schema: operationalHeadersInSchema },
      status: 204,
      handler: async ({ params, body }) => operational.headersUpdate(params.endpoint_id!, body),
    }),
  ];
}
