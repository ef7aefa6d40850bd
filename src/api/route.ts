import type { Context as HonoContext } from 'hono';
import type { z } from 'zod';
import { HookyardError } from '../errors.js';
import { parseInput } from '../validate.js';
import type { ApiEnv } from './env.js';

/**
 * One API operation, described once: its path, the schemas of its input and
 * output, and its handler. The same description registers the route,
 * validates requests (and, in tests, responses) and writes the OpenAPI document.
 */
export interface Route<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/api/v1/app/{app_id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  query?: Q;
  /** The request body's schema and its name in the OpenAPI components. */
  body?: { name: string; schema: B };
  /** The success status; `response` is absent for 204s. */
  status: number;
  response?: { name: string; schema: R };
  /** Other success statuses the handler may choose (e.g. 200 for an existing row). */
  alsoStatus?: number[];
  /** Error statuses worth documenting beyond the common ones. */
  errors?: number[];
  /** Is this route open without a token? */
  public?: boolean;
  /** A POST whose response holds a secret (a new token) is not kept for Idempotency-Key replays. */
  noIdempotency?: boolean;
  handler: (input: RouteInput<Q, B>) => Promise<z.input<R> | undefined | void>;
}

export interface RouteInput<Q extends z.ZodType, B extends z.ZodType> {
  params: Record<string, string>;
  query: z.output<Q>;
  body: z.output<B>;
  c: HonoContext<ApiEnv>;
  /** Chooses one of `alsoStatus` instead of the default success status. */
  setStatus(status: number): void;
}

/** Keeps the handler's types tied to its schemas. */
export const route = <Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(r: Route<Q, B, R>): Route => r as unknown as Route;

async function readBody(c: HonoContext<ApiEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new HookyardError('bad_request', 'the request body is not valid JSON', { cause });
  }
}

/** Turns a route into a Hono handler. */
export function routeHandler(r: Route, { validateResponses = false } = {}) {
  return async (c: HonoContext<ApiEnv>): Promise<Response> => {
    const query = r.query ? parseInput(r.query, c.req.query(), ['query']) : {};
    const body = r.body ? parseInput(r.body.schema, await readBody(c), ['body']) : undefined;
    let status = r.status;
    const out = await r.handler({
      params: c.req.param() as Record<string, string>,
      query,
      body,
      c,
      setStatus: (s) => (status = s),
    });
    if (!r.response || status === 204) return c.body(null, status as 204);
    if (validateResponses) {
      const check = r.response.schema.safeParse(out);
      if (!check.success) throw new Error(`response of ${r.operationId} does not match ${r.response.name}: ${check.error.message}`);
    }
    return c.json(out as object, status as 200);
  };
}

/** `/api/v1/app/{app_id}` → `/api/v1/app/:app_id` */
export const honoPath = (path: string) => path.replace(/\{([a-z_]+)\}/g, ':$1');
