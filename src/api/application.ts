import { z } from 'zod';
import type { Application } from '../application/model.js';
import { applicationInSchema, applicationPatchSchema } from '../application/model.js';
import type { Hookyard } from '../hookyard.js';
import { iso, listOf, pageQuerySchema, queryBool, throttleRateField, throttleRateFold, timestamp } from './common.js';
import { route, type Route } from './route.js';

export const applicationOutSchema = z.object({
  id: z.string(),
  uid: z.string().nullable(),
  name: z.string(),
  rateLimit: z.number().nullable(),
  throttleRate: z.number().nullable(),
  metadata: z.record(z.string(), z.string()),
  parentId: z.string().nullable().describe('Hookyard extension: messages also reach the parent application\'s endpoints'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const applicationOut = (a: Application): z.input<typeof applicationOutSchema> => ({
  id: a.id,
  uid: a.uid,
  name: a.name,
  rateLimit: a.rateLimit,
  throttleRate: a.rateLimit,
  metadata: a.metadata,
  parentId: a.parentId,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});

const APP = '/api/v1/app/{app_id}';
const appIn = applicationInSchema.extend(throttleRateField);
const appPatch = applicationPatchSchema.extend(throttleRateField);
const tag = 'Application';

export function applicationRoutes(hookyard: Hookyard): Route[] {
  const { applications } = hookyard;
  return [
    route({
      method: 'get', path: '/api/v1/app', operationId: 'v1.application.list', summary: 'List applications', tag,
      // Svix's exclude_* filters are accepted and ignored.
      query: pageQuerySchema,
      status: 200,
      response: { name: 'ListResponse_ApplicationOut_', schema: listOf(applicationOutSchema) },
      handler: async ({ query }) => {
        const page = await applications.list(query);
        return { ...page, data: page.data.map(applicationOut) };
      },
    }),
    route({
      method: 'post', path: '/api/v1/app', operationId: 'v1.application.create', tag,
      summary: 'Create an application; with get_if_exists=true, return the one with this uid if it exists (200)',
      query: z.object({ get_if_exists: queryBool.optional() }),
      body: { name: 'ApplicationIn', schema: appIn },
      status: 201, alsoStatus: [200], errors: [409],
      response: { name: 'ApplicationOut', schema: applicationOutSchema },
      handler: async ({ query, body, setStatus }) => {
        if (!query.get_if_exists) return applicationOut(await applications.create(throttleRateFold(body)));
        const { application, created } = await applications.getOrCreate(throttleRateFold(body));
        if (!created) setStatus(200);
        return applicationOut(application);
      },
    }),
    route({
      method: 'get', path: APP, operationId: 'v1.application.get', summary: 'Get an application by id or uid', tag,
      status: 200, response: { name: 'ApplicationOut', schema: applicationOutSchema },
      handler: async ({ params }) => applicationOut(await applications.get(params.app_id!)),
    }),
    route({
      method: 'put', path: APP, operationId: 'v1.application.update', summary: 'Replace an application', tag,
      body: { name: 'ApplicationIn', schema: appIn },
      status: 200, errors: [409], response: { name: 'ApplicationOut', schema: applicationOutSchema },
      handler: async ({ params, body }) => applicationOut(await applications.update(params.app_id!, throttleRateFold(body))),
    }),
    route({
      method: 'patch', path: APP, operationId: 'v1.application.patch', summary: 'Change some fields of an application', tag,
      body: { name: 'ApplicationPatch', schema: appPatch },
      status: 200, errors: [409], response: { name: 'ApplicationOut', schema: applicationOutSchema },
      handler: async ({ params, body }) => applicationOut(await applications.patch(params.app_id!, throttleRateFold(body))),
    }),
    route({
      method: 'delete', path: APP, operationId: 'v1.application.delete', summary: 'Delete an application and everything in it', tag,
      status: 204,
      handler: async ({ params }) => applications.delete(params.app_id!),
    }),
  ];
}
