import { z } from 'zod';
import { errorSchema, validationErrorSchema } from './common.js';
import type { Route } from './route.js';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request (for example, a body that is not JSON)',
  401: 'Missing, malformed, unknown or revoked token',
  403: 'This token may not do that (for example, token management needs an admin token)',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body or payload too large',
  422: 'Validation error, with per-field detail',
  429: 'Rate limited; see Retry-After',
};

/** The OpenAPI 3.1 document, written from the same route descriptions that serve requests. */
export function openApiDocument(routes: Route[], version: string): Json {
  const schemas: Json = {
    HttpErrorOut: jsonSchema(errorSchema, 'output'),
    HTTPValidationError: jsonSchema(validationErrorSchema, 'output'),
  };
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const parameters: Json[] = [...r.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.query) {
      const q = jsonSchema(r.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    if (r.method === 'post' && !r.public && !r.noIdempotency) {
      parameters.push({ name: 'idempotency-key', in: 'header', required: false, description: 'The first response to this key is replayed to repeats for 24 hours', schema: { type: 'string', maxLength: 256 } });
    }
    if (r.body) schemas[r.body.name] = jsonSchema(r.body.schema, 'input');
    if (r.response) schemas[r.response.name] = jsonSchema(r.response.schema, 'output');
    const success: Json = {};
    for (const status of [r.status, ...(r.alsoStatus ?? [])]) {
      success[status] = r.response && status !== 204
        ? { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.response.name}` } } } }
        : { description: 'No content' };
    }
    const errorStatuses = [...(r.public ? [] : [401, 429]), ...(r.path.includes('{') ? [404] : []), ...(r.body || r.query ? [422] : []), ...(r.body ? [400, 413] : []), ...(r.errors ?? [])];
    const errors = Object.fromEntries(
      [...new Set(errorStatuses)].sort().map((s) => [
        s,
        { description: ERROR_TEXT[s] ?? 'Error', content: { 'application/json': { schema: { $ref: `#/components/schemas/${s === 422 ? 'HTTPValidationError' : 'HttpErrorOut'}` } } } },
      ]),
    );
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.body.name}` } } } } } : {}),
      responses: { ...success, ...errors },
      ...(r.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookyard API',
      version,
      description: 'A Svix-compatible webhook API. Authenticate with `Authorization: Bearer <token>`. POST requests honour an `Idempotency-Key` header for 24 hours.',
    },
    servers: [{ url: '/' }],
    security: [{ HTTPBearer: [] }],
    paths,
    components: { schemas, securitySchemes: { HTTPBearer: { type: 'http', scheme: 'bearer' } } },
  };
}
