import { HookyardError } from '../errors.js';
import type { Storage } from '../store/port.js';
import { route, type Route } from './route.js';

export interface HealthOptions {
  /** A database that has not answered in this long counts as away (ms). */
  timeoutMs?: number;
}

/**
 * Svix's health check: 204 when the database answers, 503 when it does not,
 * within `timeoutMs` either way, so a load balancer's probe never hangs. Open without a token.
 */
export function healthRoutes(storage: Storage, { timeoutMs = 5_000 }: HealthOptions = {}): Route[] {
  return [
    route({
      method: 'get', path: '/api/v1/health', operationId: 'v1.health.get', summary: 'Check that the server and its database are up', tag: 'Health',
      public: true, status: 204, errors: [503],
      handler: async () => {
        let timer: NodeJS.Timeout | undefined;
        const answer = storage.query('select 1');
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HookyardError('database_unavailable', `the database did not answer within ${timeoutMs} ms`)), timeoutMs);
        });
        // A late answer, or a late failure, has no one left to hear it.
        answer.catch(() => {});
        try {
          await Promise.race([answer, late]);
        } finally {
          clearTimeout(timer);
        }
      },
    }),
  ];
}
