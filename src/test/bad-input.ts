import type { Queryable } from '../store/port.js';

/**
 * One valid request body per body schema of the API (by its OpenAPI component
 * name), for the bad-input tests: each is mutated into invalid variants, so
 * a request reaches the handler's validation rather than stopping at a 404.
 */
export const VALID_BODY: Record<string, unknown> = {
  ApplicationIn: { name: 'x' },
  ApplicationPatch: { name: 'x' },
  EventTypeIn: { name: 'x.y', description: 'd' },
  EventTypeUpdate: { description: 'd' },
  EventTypePatch: { description: 'd' },
  EndpointIn: { url: 'http://127.0.0.1:9/' },
  EndpointUpdate: { url: 'http://127.0.0.1:9/' },
  EndpointPatch: { description: 'd' },
  EndpointSecretRotateIn: {},
  EndpointHeadersIn: { headers: { 'X-A': '1' } },
  EndpointHeadersPatchIn: { headers: { 'X-A': '1' } },
  MessageIn: { eventType: 'a.b', payload: {} },
  MessageBatchIn: { messages: [{ eventType: 'a.b', payload: {} }] },
  MessagePrecheckIn: { eventType: 'a.b' },
  EventExampleIn: { eventType: 'svix.ping' },
  RecoverIn: { since: new Date(0).toISOString() },
  TokenIn: { name: 'x' },
  OperationalWebhookEndpointIn: { url: 'http://127.0.0.1:9/' },
  OperationalWebhookEndpointUpdate: { url: 'http://127.0.0.1:9/' },
  OperationalWebhookEndpointSecretIn: {},
  OperationalWebhookEndpointHeadersIn: { headers: { 'X-A': '1' } },
  ConsoleSessionIn: { token: 'x' },
  AppPortalAccessIn: {},
  ApplicationTokenExpireIn: {},
};

const TABLES = ['application', 'event_type', 'endpoint', 'endpoint_secret', 'message', 'delivery', 'attempt', 'idempotency_key', 'payload_expiry'];

/** A digest of every row of every table, to prove a request changed nothing. */
export async function snapshot(db: Queryable): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await db.query<{ h: string | null }>(`select md5(string_agg(t::text, ',' order by t::text)) as h from hookyard.${table} t`);
    parts.push(`${table}:${rows[0]!.h}`);
  }
  return parts.join(' ');
}
