import type { Context as HonoContext } from 'hono';
import type { z } from 'zod';
import { HookyardError, validationError } from '../errors.js';
import { jsonDepth } from '../json/scan.js';
import { parseInput } from '../validate.js';
import type { ApiEnv } from './env.js';
import type { MessageReplay } from './idempotency.js';
import { nulRefuse } from './nul.js';

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
  /**
   * Set by a route that checks and records Idempotency-Keys in its own statement (publish): how
   * to answer a repeat from the message the key points at.
   */
  idempotentReplay?: MessageReplay;
  /** A POST whose response holds a secret (a new token) is not kept for Idempotency-Key replays. */
  noIdempotency?: boolean;
  /** A handler may answer with a Response of its own (a stream: server-sent events). */
  handler: (input: RouteInput<Q, B>) => Promise<z.input<R> | JsonBody | Response | undefined | void>;
}

/**
 * A response body already written as JSON text, so that a payload inside it keeps its exact
 * text. `checked` says whether it is the route's response shape (checked in tests) or some
 * other stored response being replayed.
 */
export class JsonBody {
  constructor(
    readonly text: string,
    readonly checked = true,
  ) {}
}

export interface RouteInput<Q extends z.ZodType, B extends z.ZodType> {
  params: Record<string, string>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The body as the client sent it (UTF-8 decoded), for values that must keep their exact text. */
  bodyText: string;
  c: HonoContext<ApiEnv>;
  /** Chooses one of `alsoStatus` instead of the default success status. */
  setStatus(status: number): void;
}

/** Keeps the handler's types tied to its schemas. */
export const route = <Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(r: Route<Q, B, R>): Route => r as unknown as Route;

/**
 * Any request body may nest objects and arrays this deep, checked before anything parses or walks
 * it: far below what a recursive walk (a serialiser, a schema validator) can take, and well above
 * what payloads (PAYLOAD_MAX_DEPTH) and event-type schemas need.
 */
export const BODY_MAX_DEPTH = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readBody(c: HonoContext<ApiEnv>): Promise<{ text: string; value: unknown }> {
  let text: string;
  try {
    // Decoded strictly: invalid bytes are refused, never replaced, so nothing is changed in passing.
    text = utf8.decode(c.get('body') ?? (await c.req.arrayBuffer()));
  } catch (cause) {
    throw new HookyardError('bad_request', 'the request body is not valid UTF-8', { cause });
  }
  if (text === '') return { text, value: undefined };
  if (jsonDepth(text, BODY_MAX_DEPTH) > BODY_MAX_DEPTH) {
    throw validationError(`nests objects and arrays deeper than ${BODY_MAX_DEPTH} levels`, ['body'], 'body_depth');
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (cause) {
    throw new HookyardError('bad_request', 'the request body is not valid JSON', { cause });
  }
}

/** Turns a route into a Hono handler. */
export function routeHandler(r: Route, { validateResponses = false } = {}) {
  return async (c: HonoContext<ApiEnv>): Promise<Response> => {
    nulRefuse({ params: c.req.param() as Record<string, string>, query: c.req.query() });
    const query = r.query ? parseInput(r.query, c.req.query(), ['query']) : {};
    const read = r.body ? await readBody(c) : undefined;
    const body = r.body ? parseInput(r.body.schema, read!.value, ['body']) : undefined;
    nulRefuse({ body });
    let status = r.status;
    const out = await r.handler({
      params: c.req.param() as Record<string, string>,
      query,
      body,
      bodyText: read?.text ?? '',
      c,
      setStatus: (s) => (status = s),
    });
    if (out instanceof Response) return out;
    if (!r.response || status === 204) return c.body(null, status as 204);
    if (validateResponses && !(out instanceof JsonBody && !out.checked)) {
      const check = r.response.schema.safeParse(out instanceof JsonBody ? JSON.parse(out.text) : out);
      if (!check.success) throw new Error(`response of ${r.operationId} does not match ${r.response.name}: ${check.error.message}`);
    }
    if (out instanceof JsonBody) return c.body(out.text, status as 200, { 'content-type': 'application/json' });
    return c.json(out as object, status as 200);
  };
}

/** `/api/v1/app/{app_id}` → `/api/v1/app/:app_id` */
export const honoPath = (path: string) => path.replace(/\{([a-z_]+)\}/g, ':$1');
