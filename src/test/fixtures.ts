import type { Hookyard } from '../hookyard.js';
import type { Queryable } from '../store/port.js';

let counter = 0;
/** A unique name per call, so tests in one database do not collide. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** The endpoint ids that got a delivery for a message, sorted. */
export async function deliveredTo(db: Queryable, messageId: string): Promise<string[]> {
  const { rows } = await db.query<{ endpoint_id: string }>(
    'select endpoint_id from hookyard.delivery where message_id = $1 order by endpoint_id',
    [messageId],
  );
  return rows.map((r) => r.endpoint_id);
}

export async function countRows(db: Queryable, table: 'message' | 'delivery' | 'endpoint' | 'application' | 'event_type' | 'attempt'): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from hookyard.${table}`);
  return rows[0]!.n;
}

/** An endpoint on a loopback URL that nothing listens on; fan-out tests never deliver. */
export async function endpointFor(hookyard: Hookyard, app: string, fields: Record<string, unknown> = {}) {
  return hookyard.endpoints.create(app, { url: 'http://127.0.0.1:9/hook', ...fields });
}
