import { HookyardError } from '../errors.js';
import type { LiveHub } from '../live/hub.js';
import type { Queryable } from '../store/port.js';
import { route, type Route } from '../api/route.js';
import { sessionPeek } from './session.js';

/**
 * The console's and the app portal's live updates: server-sent events of what changed, in any
 * process on the database (src/live/). Only a console session opens one: a browser's EventSource
 * sends the cookie and no Authorization header. A portal session gets the events of its own
 * application only (src/live/notice.ts).
 */
export interface LiveRouteDeps {
  db: Queryable;
  hub: LiveHub;
  now: () => Date;
}

export function liveRoutes({ db, hub, now }: LiveRouteDeps): Route[] {
  return [
    route({
      method: 'get', path: '/console/api/events', operationId: 'console.events', tag: 'Console',
      summary: 'Live updates as server-sent events (text/event-stream): attempt, message, source-request, task and endpoint, each with `{"items": [...]}` of ids and states; ready, reload and end (Hookyard extension; needs a console session)',
      status: 200, errors: [429],
      handler: async ({ c }) => {
        const session = c.get('session');
        if (!session) throw new HookyardError('unauthorized', 'the event stream needs a console session: sign in with POST /console/api/session (an EventSource sends the cookie, not an Authorization header)');
        const principal = c.get('principal');
        const opened = hub.open({
          viewer: { scope: principal.scope, appId: principal.appId },
          sessionKey: session.id,
          validUntil: session.expiresAt,
          revalidate: () => sessionPeek(db, session.id, now()),
        });
        if (opened === 'closed') throw new HookyardError('database_unavailable', 'the server is shutting down', { status: 503 });
        if (opened !== 'busy' && opened !== 'session_busy') {
          return c.body(opened.body, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
        }
        // EventSource gives up on a 429 (it reconnects only after a dropped stream): the page polls instead.
        const why = opened === 'busy' ? 'this server has as many event streams open as it serves' : 'this session has as many event streams open as it may (close a tab)';
        throw new HookyardError('rate_limited', why, { cause: { retryAfter: 30 } });
      },
    }),
  ];
}
