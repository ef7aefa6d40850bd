import { HookyardError, validationError } from '../errors.js';
import { eventTypeLatestSchema } from '../event-type/model.js';
import type { Hookyard } from '../hookyard.js';
import type { Message } from '../message/model.js';

/**
 * Svix's "send example": a message of the given event type, delivered to this one endpoint
 * only (no fan-out), through the normal publish path (so the payload is checked against the
 * event type's schema, and the clock is the one Hookyard was opened with). The payload is the
 * event type's JSON Schema example at `exampleIndex`; `svix.ping` and event types without
 * examples send a small placeholder, so an endpoint can always be tested.
 */
export async function endpointSendExample(
  hookyard: Hookyard,
  appIdOrUid: string,
  endpointIdOrUid: string,
  { eventType, exampleIndex = 0 }: { eventType: string; exampleIndex?: number },
): Promise<Message> {
  let payload: Record<string, unknown> = { success: true, eventType, example: true };
  if (eventType !== 'svix.ping') {
    const type = await hookyard.eventTypes.get(eventType).catch((error: unknown) => {
      if (error instanceof HookyardError && error.code === 'not_found') throw validationError('event type not found', ['body', 'eventType']);
      throw error;
    });
    const schema = eventTypeLatestSchema(type) as { examples?: unknown[] } | undefined;
    const example = schema?.examples?.[exampleIndex];
    if (schema?.examples && example === undefined) throw validationError('no example at this index', ['body', 'exampleIndex']);
    if (example !== null && typeof example === 'object' && !Array.isArray(example)) payload = example as Record<string, unknown>;
  }
  const { message } = await hookyard.messages.publish(appIdOrUid, { eventType, payload }, { endpoint: endpointIdOrUid });
  return message;
}
