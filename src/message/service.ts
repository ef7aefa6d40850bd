import { applicationMustGet } from '../application/sql.js';
import type { Context } from '../context.js';
import { deliveryFanOut } from '../delivery/fanout.js';
import { deliveryNotify } from '../delivery/state.js';
import { HookyardError, notFound, type FieldError } from '../errors.js';
import type { PayloadValidators } from '../event-type/payload-schema.js';
import { eventTypeGetMany } from '../event-type/sql.js';
import { newId } from '../ids/id.js';
import type { Page } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import { parseInput } from '../validate.js';
import { messageInSchema, type Message, type MessageIn, type PublishOptions, type PublishResult } from './model.js';
import { messageGet, messageGetByEventIds, messageInsertMany, messageList, type MessageInsert, type MessageListQuery } from './sql.js';
import { z } from 'zod';

export type MessageService = ReturnType<typeof messageService>;

/** A message checked and serialised, ready to insert. */
interface Prepared extends MessageInsert {
  payloadValue: Record<string, unknown>;
}

const BATCH_MAX = 1000;

export function messageService(ctx: Context, validators: PayloadValidators) {
  const { storage } = ctx;

  /** Validates shapes and sizes of the whole batch before anything is written. */
  function prepare(inputs: unknown[], loc: (index: number) => (string | number)[]): Prepared[] {
    const now = ctx.now().getTime();
    return inputs.map((input, index) => {
      const body = parseInput(messageInSchema, input, loc(index));
      const payload = JSON.stringify(body.payload);
      const size = Buffer.byteLength(payload);
      if (size > ctx.limits.maxPayloadBytes) {
        throw new HookyardError('payload_too_large', `payload is ${size} bytes; the limit is ${ctx.limits.maxPayloadBytes}`);
      }
      return {
        id: newId('msg', now),
        eventType: body.eventType,
        eventId: body.eventId ?? null,
        payload,
        payloadValue: body.payload,
        channels: body.channels ?? null,
        tags: body.tags ?? null,
      };
    });
  }

  /** Payloads must fit their event type's JSON Schema, when it has one. */
  async function checkSchemas(db: Queryable, prepared: Prepared[], loc: (index: number) => (string | number)[]): Promise<void> {
    const names = [...new Set(prepared.map((p) => p.eventType))];
    const eventTypes = new Map((await eventTypeGetMany(db, names)).map((e) => [e.name, e]));
    const fields: FieldError[] = [];
    prepared.forEach((p, index) => {
      const eventType = eventTypes.get(p.eventType);
      const problem = eventType && validators.validate(eventType, p.payloadValue);
      if (problem) fields.push({ loc: [...loc(index), 'payload'], msg: `does not match the schema of ${p.eventType}: ${problem}`, type: 'schema' });
    });
    if (fields.length) throw new HookyardError('validation', `${fields[0]!.loc.join('.')}: ${fields[0]!.msg}`, { fields });
  }

  async function publishIn(db: Queryable, appIdOrUid: string, prepared: Prepared[], loc: (index: number) => (string | number)[]): Promise<PublishResult[]> {
    const app = await applicationMustGet(db, appIdOrUid);
    await checkSchemas(db, prepared, loc);
    const createdAt = ctx.now();
    const inserted = await messageInsertMany(db, app.id, createdAt, prepared);
    // Messages skipped for a repeated eventId resolve to the message that owns it.
    const repeated = prepared.filter((p) => !inserted.has(p.id)).map((p) => p.eventId!);
    const earlier = new Map((repeated.length ? await messageGetByEventIds(db, app.id, repeated) : []).map((m) => [m.eventId, m]));
    const deliveries = await deliveryFanOut(db, app.id, [...inserted]);
    if (deliveries > 0) await deliveryNotify(db, app.id);
    const perMessage = inserted.size ? deliveries / inserted.size : 0;
    return prepared.map((p): PublishResult => {
      if (inserted.has(p.id)) {
        const message: Message = { id: p.id, appId: app.id, eventType: p.eventType, eventId: p.eventId, payload: p.payloadValue, channels: p.channels, tags: p.tags, timestamp: createdAt };
        // Per-message counts are only known in total for a batch; a single publish gets its exact count.
        return { message, created: true, deliveries: prepared.length === 1 ? deliveries : perMessage };
      }
      return { message: earlier.get(p.eventId)!, created: false, deliveries: 0 };
    });
  }

  async function run(appIdOrUid: string, prepared: Prepared[], loc: (index: number) => (string | number)[], options: PublishOptions): Promise<PublishResult[]> {
    if (options.db) return publishIn(options.db, appIdOrUid, prepared, loc);
    const results = await storage.transaction((tx) => publishIn(tx, appIdOrUid, prepared, loc));
    if (results.some((r) => r.deliveries > 0)) ctx.onDeliveriesCreated();
    return results;
  }

  return {
    /** Publishes one message; with `options.db` it joins the caller's transaction. */
    async publish(appIdOrUid: string, input: MessageIn, options: PublishOptions = {}): Promise<PublishResult> {
      const loc = () => ['body'];
      const [result] = await run(appIdOrUid, prepare([input], loc), loc, options);
      return result!;
    },

    /** Publishes many messages in one transaction; all or nothing. */
    async publishBatch(appIdOrUid: string, inputs: MessageIn[], options: PublishOptions = {}): Promise<PublishResult[]> {
      parseInput(z.array(z.unknown()).min(1).max(BATCH_MAX), inputs);
      const loc = (index: number) => ['body', index];
      return run(appIdOrUid, prepare(inputs, loc), loc, options);
    },

    async get(appIdOrUid: string, idOrEventId: string): Promise<Message> {
      const app = await applicationMustGet(storage, appIdOrUid);
      const message = await messageGet(storage, app.id, idOrEventId);
      if (!message) throw notFound('message');
      return message;
    },

    async list(appIdOrUid: string, query: MessageListQuery = {}): Promise<Page<Message>> {
      const app = await applicationMustGet(storage, appIdOrUid);
      return messageList(storage, app.id, query);
    },
  };
}
