import { z } from 'zod';
import type { AttemptService } from '../attempt/service.js';
import { endpointInSchema, endpointPatchSchema, endpointUpdateSchema, headersPatchSchema, headersSchema, secretRotateSchema, sensitiveNamesSchema, type Endpoint } from '../endpoint/model.js';
import { endpointSendExample } from '../endpoint/example.js';
import { headerNamesOf, headerNamesOutSchema, TLS_OFF_WARNING } from '../endpoint/send-options.js';
import type { Logger } from '../log.js';
import { SIGNATURE_FORMATS } from '../signing/format.js';
import type { Hookyard } from '../hookyard.js';
import { eventTypeNameSchema } from '../schema-parts.js';
import { messageOutSchema, messageOutText } from './message.js';
import { iso, listOf, pageQuerySchema, queryDate, throttleRateField, throttleRateFold, timestamp } from './common.js';
import { JsonBody, route, type Route } from './route.js';

export const endpointOutSchema = z.object({
  id: z.string(),
  uid: z.string().nullable(),
  url: z.string(),
  description: z.string(),
  version: z.number(),
  filterTypes: z.array(z.string()).nullable(),
  channels: z.array(z.string()).nullable(),
  disabled: z.boolean(),
  disabledReason: z.string().nullable().describe('Hookyard extension: why Hookyard disabled the endpoint'),
  rateLimit: z.number().nullable(),
  throttleRate: z.number().nullable(),
  maxInFlight: z.number().nullable().describe('Hookyard extension: deliveries in flight at once across all workers (null: each worker\'s endpointConcurrency)'),
  fifo: z.boolean().describe('Hookyard extension: deliveries attempted one at a time in publish order; a retry holds the later ones'),
  metadata: z.record(z.string(), z.string()),
  signatureFormat: z.enum(SIGNATURE_FORMATS).describe('Hookyard extension: how requests are signed'),
  headerNames: headerNamesOutSchema.describe('Hookyard extension: the header names requests use (null: not sent)'),
  bodyFormat: z.enum(['json', 'form']).describe('Hookyard extension: `json`, or `form` (the JSON in a `payload` form field)'),
  tlsVerify: z.boolean().describe('Hookyard extension: whether the endpoint\'s TLS certificate is verified'),
  tlsCaCertificate: z.string().nullable().describe('Hookyard extension: the PEM CA bundle trusted for this endpoint, if any'),
  tlsWarning: z.string().nullable().describe('Hookyard extension: set while TLS verification is off'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const endpointOut = (e: Endpoint): z.input<typeof endpointOutSchema> => ({
  id: e.id,
  uid: e.uid,
  url: e.url,
  description: e.description,
  version: e.version,
  filterTypes: e.filterTypes,
  channels: e.channels,
  disabled: e.disabled,
  disabledReason: e.disabledReason,
  rateLimit: e.rateLimit,
  throttleRate: e.rateLimit,
  maxInFlight: e.maxInFlight,
  fifo: e.fifo,
  metadata: e.metadata,
  signatureFormat: e.sendOptions.signatureFormat ?? 'standard',
  headerNames: headerNamesOf(e.sendOptions),
  bodyFormat: e.sendOptions.bodyFormat ?? 'json',
  tlsVerify: e.sendOptions.tlsVerify ?? true,
  tlsCaCertificate: e.sendOptions.tlsCaCertificate ?? null,
  tlsWarning: e.sendOptions.tlsVerify === false ? TLS_OFF_WARNING : null,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

const endpointIn = endpointInSchema.extend(throttleRateField);
const endpointUpdate = endpointUpdateSchema.extend(throttleRateField);
const endpointPatch = endpointPatchSchema.extend(throttleRateField);
const sensitiveField = sensitiveNamesSchema.optional().describe('Hookyard extension: header names to treat as sensitive, beyond Authorization, Cookie and API-key style names');
const headersInSchema = z.strictObject({ headers: headersSchema, sensitive: sensitiveField });
// Svix's patch: values to set (null removes) and, separately, names to remove.
const headersPatchInSchema = z.strictObject({ headers: headersPatchSchema, deleteHeaders: z.array(z.string().max(256)).max(50).optional(), sensitive: sensitiveField });
const headersOutSchema = z.object({
  headers: z.record(z.string(), z.string()).describe('Custom headers, without the sensitive ones'),
  sensitive: z.array(z.string()).describe('Names of the sensitive headers, whose values are never returned'),
});
const eventExampleInSchema = z.strictObject({ eventType: eventTypeNameSchema, exampleIndex: z.number().int().min(0).max(1000).optional() });
const statsOutSchema = z.object({ success: z.number(), pending: z.number(), sending: z.number(), fail: z.number(), canceled: z.number() });

/** An endpoint written with TLS verification off is logged loudly, each time, besides the warning in the response. */
function warnTls(log: Logger, e: Endpoint): Endpoint {
  if (e.sendOptions.tlsVerify === false) log.warn({ endpointId: e.id, appId: e.appId }, TLS_OFF_WARNING);
  return e;
}

const LIST = '/api/v1/app/{app_id}/endpoint';
const ONE = `${LIST}/{endpoint_id}`;
const tag = 'Endpoint';
const out = { name: 'EndpointOut', schema: endpointOutSchema };

export function endpointRoutes(hookyard: Hookyard, attempts: AttemptService): Route[] {
  const { endpoints } = hookyard;
  return [
    route({
      method: 'get', path: LIST, operationId: 'v1.endpoint.list', summary: 'List an application\'s endpoints', tag,
      query: pageQuerySchema,
      status: 200, response: { name: 'ListResponse_EndpointOut_', schema: listOf(endpointOutSchema) },
      handler: async ({ params, query }) => {
        const page = await endpoints.list(params.app_id!, query);
        return { ...page, data: page.data.map(endpointOut) };
      },
    }),
    route({
      method: 'post', path: LIST, operationId: 'v1.endpoint.create', summary: 'Create an endpoint', tag,
      body: { name: 'EndpointIn', schema: endpointIn },
      status: 201, errors: [409], response: out,
      handler: async ({ params, body, c }) => endpointOut(warnTls(c.get('log'), await endpoints.create(params.app_id!, throttleRateFold(body)))),
    }),
    route({
      method: 'get', path: ONE, operationId: 'v1.endpoint.get', summary: 'Get an endpoint by id or uid', tag,
      status: 200, response: out,
      handler: async ({ params }) => endpointOut(await endpoints.get(params.app_id!, params.endpoint_id!)),
    }),
    route({
      method: 'put', path: ONE, operationId: 'v1.endpoint.update', summary: 'Replace an endpoint', tag,
      body: { name: 'EndpointUpdate', schema: endpointUpdate },
      status: 200, errors: [409], response: out,
      handler: async ({ params, body, c }) => endpointOut(warnTls(c.get('log'), await endpoints.update(params.app_id!, params.endpoint_id!, throttleRateFold(body)))),
    }),
    route({
      method: 'patch', path: ONE, operationId: 'v1.endpoint.patch', summary: 'Change some fields of an endpoint', tag,
      body: { name: 'EndpointPatch', schema: endpointPatch },
      status: 200, errors: [409], response: out,
      handler: async ({ params, body, c }) => endpointOut(warnTls(c.get('log'), await endpoints.patch(params.app_id!, params.endpoint_id!, throttleRateFold(body)))),
    }),
    route({
      method: 'delete', path: ONE, operationId: 'v1.endpoint.delete', summary: 'Delete an endpoint', tag,
      status: 204,
      handler: async ({ params }) => endpoints.delete(params.app_id!, params.endpoint_id!),
    }),
    route({
      method: 'get', path: `${ONE}/secret`, operationId: 'v1.endpoint.get-secret', summary: 'Get the endpoint\'s current signing secret', tag,
      status: 200, response: { name: 'EndpointSecretOut', schema: z.object({ key: z.string() }) },
      handler: async ({ params }) => endpoints.secretGet(params.app_id!, params.endpoint_id!),
    }),
    route({
      method: 'post', path: `${ONE}/secret/rotate`, operationId: 'v1.endpoint.rotate-secret', tag,
      summary: 'Rotate the signing secret; the old one keeps co-signing for the grace window',
      body: { name: 'EndpointSecretRotateIn', schema: secretRotateSchema },
      status: 204,
      handler: async ({ params, body }) => endpoints.secretRotate(params.app_id!, params.endpoint_id!, body),
    }),
    route({
      method: 'get', path: `${ONE}/headers`, operationId: 'v1.endpoint.get-headers', summary: 'Get the endpoint\'s custom headers', tag,
      status: 200, response: { name: 'EndpointHeadersOut', schema: headersOutSchema },
      handler: async ({ params }) => endpoints.headersOut(params.app_id!, params.endpoint_id!),
    }),
    route({
      method: 'put', path: `${ONE}/headers`, operationId: 'v1.endpoint.update-headers', summary: 'Replace the endpoint\'s custom headers', tag,
      body: { name: 'EndpointHeadersIn', schema: headersInSchema },
      status: 204,
      handler: async ({ params, body }) => endpoints.headersUpdate(params.app_id!, params.endpoint_id!, body.headers, body.sensitive),
    }),
    route({
      method: 'patch', path: `${ONE}/headers`, operationId: 'v1.endpoint.patch-headers', summary: 'Set or remove some custom headers', tag,
      body: { name: 'EndpointHeadersPatchIn', schema: headersPatchInSchema },
      status: 204,
      handler: async ({ params, body }) => {
        const changes: Record<string, string | null> = { ...body.headers };
        for (const name of body.deleteHeaders ?? []) changes[name] = null;
        await endpoints.headersPatch(params.app_id!, params.endpoint_id!, changes, body.sensitive);
      },
    }),
    route({
      method: 'post', path: `${ONE}/send-example`, operationId: 'v1.endpoint.send-example', tag,
      summary: 'Send an example message of an event type to this endpoint only',
      body: { name: 'EventExampleIn', schema: eventExampleInSchema },
      status: 202, response: { name: 'MessageOut', schema: messageOutSchema },
      handler: async ({ params, body }) => new JsonBody(messageOutText(await endpointSendExample(hookyard, params.app_id!, params.endpoint_id!, body))),
    }),
    route({
      method: 'get', path: `${ONE}/stats`, operationId: 'v1.endpoint.get-stats', summary: 'Count the endpoint\'s deliveries by status', tag,
      query: z.object({ since: queryDate.optional(), until: queryDate.optional() }),
      status: 200, response: { name: 'EndpointStats', schema: statsOutSchema },
      handler: async ({ params, query }) => attempts.endpointStats(params.app_id!, params.endpoint_id!, query),
    }),
  ];
}
