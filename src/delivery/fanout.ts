import type { Queryable } from '../store/port.js';

/**
 * Creates one pending delivery for every (message, endpoint) pair that
 * matches, in one statement however many endpoints there are.
 *
 * An endpoint matches a message when it belongs to the message's application
 * or one of its ancestors, is enabled, its filterTypes is empty or names the
 * event type, and its channels is empty or shares a channel with the message.
 * The plan expected: the ancestor chain is a handful of rows; each drives an
 * index scan of endpoint_app, and the filters run on those rows.
 */
export async function deliveryFanOut(db: Queryable, appId: string, messageIds: string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const result = await db.query(
    `with recursive chain (id, parent_id, depth) as (
       select id, parent_id, 0 from hookyard.application where id = $1
       union all
       select a.id, a.parent_id, c.depth + 1
         from hookyard.application a join chain c on a.id = c.parent_id
        where c.depth < 32
     )
     insert into hookyard.delivery (message_id, endpoint_id)
     select m.id, e.id
       from hookyard.message m
       join hookyard.endpoint e on e.app_id in (select id from chain)
      where m.id = any ($2::text[])
        and not e.disabled
        and (e.filter_types is null or m.event_type = any (e.filter_types))
        and (e.channels is null or e.channels && m.channels)
     on conflict (message_id, endpoint_id) do nothing`,
    [appId, messageIds],
  );
  return result.rowCount ?? 0;
}
