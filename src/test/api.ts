import { createApi, type Api, type ApiOptions } from '../api/app.js';
import { apiListen, type ApiServer } from '../api/server.js';
import { tokenCreate } from '../auth/token.js';
import type { Hookyard } from '../hookyard.js';
import { createLogger } from '../log.js';

export interface TestApi {
  api: Api;
  server: ApiServer;
  url: string;
  token: string;
  /** fetch against the API with the token (unless headers override it). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: unknown }>;
  close(): Promise<void>;
}

/** The API on 127.0.0.1, an ephemeral port, checking its own responses against their schemas. */
export async function testApi(hookyard: Hookyard, options: Partial<ApiOptions> = {}): Promise<TestApi> {
  const api = createApi(hookyard, { log: createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'), validateResponses: true, ...options });
  const server = await apiListen(api, { host: '127.0.0.1', port: 0 });
  // An admin token, so tests reach every route (the token routes too).
  const { token } = await tokenCreate(hookyard.storage, 'test', 'admin');
  return {
    api,
    server,
    url: server.url,
    token,
    async call(method, path, body, headers = {}) {
      const res = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
    },
    close: () => server.close(1_000),
  };
}
