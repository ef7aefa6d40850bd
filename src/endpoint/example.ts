import { applicationMustGet } from '../application/sql.js';
import { contextOf } from '../context.js';
import { deliveryNotify } from '../delivery/state.js';
import { notFound, validationError } from '../errors.js';
import { eventTypeLatestSchema } from '../event-type/model.js';
import { eventTypeGet } from '../event-type/sql.js';
import type { Hookyard } from '../hookyard.js';
import { newId } from '../ids/id.js';
import type { Message } from '../message/model.js';
import { messageInsertMany } from '../message/sql.js';
import { endpointGet } from './sql.js';

/**
 * Svix's "send example": a message of the given event type, delivered to this
 * one endpoint only (no fan-out). The payload is the event type's JSON Schema
 * example at `exampleIndex`; `svix.ping` and event types without examples
 * send a small placeholder, so an endpoint can always be tested.
 */
export async function endpointSendExample(
  hookyard: Hookyard,
  appIdOrUid: string,
  endpointIdOrUid: string,
  { eventType, exampleIndex = 0 }: { eventType: string; exampleIndex?: number },
): Promise<Message> {
  const message = await hookyard.storage.transaction(async (tx): Promise<Message> => {
    const app = await applicationMustGet(tx, appIdOrUid);
    const endpoint = await endpointGet(tx, app.id, endpointIdOrUid);
    if (!endpoint) throw notFound('endpoint');
    let payload: Record<string, unknown> = { success: true, eventType, example: true };
    if (eventType !== 'svix.ping') {
      const type = await eventTypeGet(tx, eventType);
      if (!type) throw validationError('event type not found', ['body', 'eventType']);
      const schema = eventTypeLatestSchema(type) as { examples?: unknown[] } | undefined;
      const example = schema?.examples?.[exampleIndex];
      if (schema?.examples && example === undefined) throw validationError('no example at this index', ['body', 'exampleIndex']);
      if (example !== null && typeof example === 'object' && !Array.isArray(example)) payload = example as Record<string, unknown>;
    }
    const now = new Date();
    const id = newId('msg', now.getTime());
    await messageInsertMany(tx, app.id, now, [{ id, eventType, eventId: null, payload: JSON.stringify(payload), channels: null, tags: null }]);
    await tx.query('insert into hookyard.delivery (message_id, endpoint_id) values ($1, $2)', [id, endpoint.id]);
    await deliveryNotify(tx, app.id);
    return { id, appId: app.id, eventType, eventId: null, payload, channels: null, tags: null, timestamp: now };
  });
  // Wakes a worker in this process at once (PGlite has no cross-process NOTIFY).
  contextOf(hookyard).onDeliveriesCreated();
  return message;
}
