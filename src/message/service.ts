import { z } from 'zod';
import { applicationMustGet } from '../application/sql.js';
import type { Context } from '../context.js';
import { deliveryCancelForMessages } from '../delivery/sql.js';
import { DELIVERY_CHANNEL } from '../delivery/state.js';
import { HookyardError, notFound, type FieldError } from '../errors.js';
import type { PayloadValidators } from '../event-type/payload-schema.js';
import { newId } from '../ids/id.js';
import type { Page } from '../store/page.js';
import { parseInput } from '../validate.js';
import { eventTypeCache } from './event-types.js';
import { groupCommit, type GroupUnit, type Settled } from './group.js';
import {
  messageInSchema,
  messagePrecheckInSchema,
  payloadExpiresAt,
  type IdempotencyClaim,
  type Message,
  type MessageIn,
  type MessagePrecheckIn,
  type PublishOnceResult,
  type PublishOptions,
  type PublishResult,
} from './model.js';
import { payloadOf, type Payload } from './payload.js';
import {
  messageGet,
  messageList,
  messagePayloadExpunge,
  messagePrecheck,
  messagePublish,
  type MessageListQuery,
  type PublishItem,
  type PublishRow,
  type PublishSettings,
} from './sql.js';


export type MessageService = ReturnType<typeof messageService>;

const BATCH_MAX = 1000;
// Longer than any request should run: a key still in progress after this was left by a process that died.
const KEY_ABANDONED_MS = 60_000; // ms
// A publish refused as stale validates again against the event type as it is now; a type that
// keeps changing under it this many times in a row gets a 409 to retry.
const STALE_TRIES = 3;

/** A message checked and serialised, ready for the statement. */
interface Prepared {
  id: string;
  createdAt: Date;
  eventType: string;
  eventId: string | null;
  payload: Payload;
  channels: string[] | null;
  tags: string[] | null;
  payloadExpiresAt: Date | null;
}

/** One request's messages: published together or not at all. */
interface Unit extends GroupUnit {
  items: PublishItem[];
}

type Loc = (index: number) => (string | number)[];

/** A statement error caused by one unit's data (not the connection), worth retrying its neighbours without it. */
function isStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58)/.test(code);
}

export function messageService(ctx: Context, validators: PayloadValidators) {
  const { storage } = ctx;
  const eventTypes = eventTypeCache();
  const settings = (retentionMs = 0): PublishSettings => ({ channel: DELIVERY_CHANNEL, keyRetentionMs: retentionMs, keyAbandonedMs: KEY_ABANDONED_MS });

  /**
   * One statement for every unit waiting. When it fails on one unit's data, each unit runs alone,
   * so that only the unit at fault fails.
   */
  async function runGroup(units: Unit[], retentionMs: number): Promise<Settled<PublishRow[]>[]> {
    const runOne = async (group: Unit[]): Promise<PublishRow[][]> => {
      const rows = await messagePublish(storage, group.flatMap((u, i) => u.items.map((item) => ({ ...item, unit: i + 1 }))), settings(retentionMs));
      if (rows.some((r) => r.deliveries > 0)) ctx.onDeliveriesCreated();
      const split: PublishRow[][] = [];
      let at = 0;
      for (const u of group) split.push(rows.slice(at, (at += u.items.length)));
      return split;
    };
    try {
      return (await runOne(units)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (units.length === 1 || !isStatementError(error)) return units.map(() => ({ ok: false, error }));
      return Promise.all(units.map(async (u): Promise<Settled<PublishRow[]>> => {
        try {
          return { ok: true, value: (await runOne([u]))[0]! };
        } catch (e) {
          return { ok: false, error: e };
        }
      }));
    }
  }

  // Keys kept for different lengths of time cannot share a statement; the HTTP API uses one.
  const groups = new Map<number, ReturnType<typeof groupCommit<Unit, PublishRow[]>>>();
  const groupFor = (retentionMs: number) => {
    let group = groups.get(retentionMs);
    if (!group) groups.set(retentionMs, (group = groupCommit<Unit, PublishRow[]>((units) => runGroup(units, retentionMs))));
    return group;
  };

  /** Validates shapes, sizes and depths of the whole batch before anything is written. */
  function prepare(inputs: unknown[], loc: Loc): Prepared[] {
    const createdAt = ctx.now();
    return inputs.map((input, index) => {
      const { payload: given, ...rest } = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
      const payload = given === undefined ? undefined : payloadOf(given, loc(index), ctx.limits.maxPayloadBytes);
      const body = parseInput(messageInSchema, input !== null && typeof input === 'object' ? { ...rest, ...(payload ? { payload: payload.value } : {}) } : input, loc(index));
      return {
        id: newId('msg', createdAt.getTime()),
        createdAt,
        eventType: body.eventType,
        eventId: body.eventId ?? null,
        payload: payload!,
        channels: body.channels ?? null,
        tags: body.tags ?? null,
        payloadExpiresAt: payloadExpiresAt(createdAt, body),
      };
    });
  }

  /**
   * Publishes one unit: validates each payload against its event type as this process knows it,
   * and hands the versions it validated against to the statement, which refuses the unit if one
   * is stale; then it looks again and retries. Inside a caller's transaction (`db`) it runs on
   * their connection, alone; otherwise it joins the next group.
   */
  async function publishUnit(prepared: Prepared[], loc: Loc, app: string, options: PublishOptions, claim?: IdempotencyClaim): Promise<PublishRow[]> {
    const names = [...new Set(prepared.map((p) => p.eventType))];
    for (let attempt = 1; ; attempt++) {
      const known = await eventTypes.lookup(options.db ?? storage, names);
      const fields: FieldError[] = [];
      const refusedBy = new Set<string>();
      prepared.forEach((p, index) => {
        const eventType = known.get(p.eventType)?.eventType;
        const problem = eventType && validators.validate(eventType, p.payload.value);
        if (!problem) return;
        fields.push({ loc: [...loc(index), 'payload'], msg: `does not match the schema of ${p.eventType}: ${problem}`, type: 'schema' });
        if (!known.get(p.eventType)!.fresh) refusedBy.add(p.eventType);
      });
      if (refusedBy.size > 0) {
        // Refused by a remembered schema, which may since have been relaxed elsewhere: look again first.
        eventTypes.forget(refusedBy);
        continue;
      }
      if (fields.length) throw new HookyardError('validation', `${fields[0]!.loc.join('.')}: ${fields[0]!.msg}`, { fields });
      const key = claim ? { scope: claim.scope, key: claim.key, fingerprint: claim.fingerprint, withContent: claim.withContent } : null;
      const items: PublishItem[] = prepared.map((p) => ({
        unit: 1,
        app,
        id: p.id,
        eventType: p.eventType,
        eventId: p.eventId,
        payload: p.payload.text,
        channels: p.channels,
        tags: p.tags,
        createdAt: p.createdAt,
        eventTypeVersion: known.get(p.eventType)?.version ?? null,
        endpoint: options.endpoint ?? null,
        key,
        payloadExpiresAt: p.payloadExpiresAt,
      }));
      const rows = options.db
        ? await messagePublish(options.db, items, settings(claim?.retentionMs))
        : await groupFor(claim?.retentionMs ?? 0).submit({ size: items.length, bytes: items.reduce((n, i) => n + i.payload.length, 0), items });
      const stale = prepared.filter((_, i) => rows[i]!.outcome === 'stale').map((p) => p.eventType);
      if (stale.length === 0) return rows;
      eventTypes.forget(stale);
      if (attempt >= STALE_TRIES) throw new HookyardError('conflict', 'the event type changed while the message was being published; try again');
    }
  }

  /** The unit's results, or the error that refused it. */
  function resultsOf(prepared: Prepared[], rows: PublishRow[]): PublishResult[] {
    if (rows.some((r) => r.outcome === 'no_app')) throw notFound('application');
    if (rows.some((r) => r.outcome === 'no_endpoint')) throw notFound('endpoint');
    return prepared.map((p, i): PublishResult => {
      const row = rows[i]!;
      if (row.outcome === 'created') {
        const message: Message = {
          id: p.id,
          appId: row.appId!,
          eventType: p.eventType,
          eventId: p.eventId,
          payload: p.payload.value,
          payloadText: p.payload.text,
          channels: p.channels,
          tags: p.tags,
          timestamp: p.createdAt,
        };
        return { message, created: true, deliveries: row.deliveries };
      }
      if (row.outcome === 'existing' && row.message) return { message: row.message, created: false, deliveries: 0 };
      throw new Error(`publish: unexpected outcome ${row.outcome}`);
    });
  }

  return {
    /** Publishes one message; with `options.db` it joins the caller's transaction. */
    async publish(appIdOrUid: string, input: MessageIn, options: PublishOptions = {}): Promise<PublishResult> {
      const loc = () => ['body'];
      const prepared = prepare([input], loc);
      return resultsOf(prepared, await publishUnit(prepared, loc, appIdOrUid, options))[0]!;
    },

    /** Publishes many messages in one transaction; all or nothing. */
    async publishBatch(appIdOrUid: string, inputs: MessageIn[], options: PublishOptions = {}): Promise<PublishResult[]> {
      parseInput(z.array(z.unknown()).min(1).max(BATCH_MAX), inputs);
      const loc = (index: number) => ['body', index];
      const prepared = prepare(inputs, loc);
      return resultsOf(prepared, await publishUnit(prepared, loc, appIdOrUid, options));
    },

    /**
     * Publishes one message under an Idempotency-Key, in the same single statement: the key is
     * checked, and recorded with the message, atomically. Used by the HTTP API for
     * `Idempotency-Key`; refusals of the message itself (404, 422) are thrown as by `publish`,
     * with the key left untouched.
     */
    async publishOnce(appIdOrUid: string, input: MessageIn, claim: IdempotencyClaim, options: PublishOptions = {}): Promise<PublishOnceResult> {
      const loc = () => ['body'];
      const prepared = prepare([input], loc);
      const rows = await publishUnit(prepared, loc, appIdOrUid, options, claim);
      const row = rows[0]!;
      switch (row.outcome) {
        case 'key_busy':
          return { kind: 'in-progress' };
        case 'key_reused':
          return { kind: 'key-reused' };
        case 'replayed':
          if (row.id === null) return { kind: 'replayed-response', status: row.replayStatus!, body: row.replayBody };
          return { kind: 'replayed', message: row.message ?? undefined, withContent: row.replayWithContent ?? true };
        default:
          return { kind: 'published', result: resultsOf(prepared, rows)[0]! };
      }
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

    /**
     * Deletes a message's payload (Svix's expunge-content): reads show `{"expired":true}` from
     * then on, and its deliveries still waiting (pending, or in flight under a lease) are
     * cancelled, since there is nothing left to send. An attempt in flight may still arrive; its
     * result is recorded but changes nothing. Resend and recover skip it.
     */
    async expungeContent(appIdOrUid: string, idOrEventId: string): Promise<void> {
      await storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, appIdOrUid);
        const message = await messageGet(tx, app.id, idOrEventId);
        if (!message) throw notFound('message');
        await messagePayloadExpunge(tx, [message.id]);
        await deliveryCancelForMessages(tx, [message.id]);
      });
    },

    /** Svix's precheck: would a message of this event type (and channels) go to any endpoint now? */
    async precheck(appIdOrUid: string, input: MessagePrecheckIn): Promise<{ active: boolean }> {
      const body = parseInput(messagePrecheckInSchema, input);
      const app = await applicationMustGet(storage, appIdOrUid);
      return { active: await messagePrecheck(storage, app.id, body.eventType, body.channels ?? null) };
    },
  };
}
