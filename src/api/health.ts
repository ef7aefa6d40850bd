import type { Storage } from '../store/port.js';
import { route, type Route } from './route.js';

/** Svix's health check: 204 when the database answers. Open without a token. */
export function healthRoutes(storage: Storage): Route[] {
  return [
    route({
      method: 'get', path: '/api/v1/health', operationId: 'v1.health.get', summary: 'Check that the server and its database are up', tag: 'Health',
      public: true, status: 204,
      handler: async () => {
        await storage.query('select 1');
      },
    }),
  ];
}
