import type { Context } from '../context.js';
import { requestLogDeleteExpired } from '../inbound/request-log-sql.js';
import { deliveryCancelForMessages } from '../delivery/sql.js';
import { messagePayloadExpireDue } from '../message/sql.js';
import { taskDeleteEnded } from '../task/sql.js';
import { endpointSecretDeleteExpired, idempotencyKeyDeleteExpired, messageDeleteExpired } from './retention.js';

export interface CleanerOptions {
  /** Messages (with their deliveries and attempts) older than this are deleted. */
  retentionMs: number;
  /** How long an Idempotency-Key replays its first response. */
  idempotencyRetentionMs: number;
  /** Rows per delete statement. */
  batchSize?: number;
}

export interface CleanResult {
  messages: number;
  /** Payloads removed because the retention their publisher asked for (payloadRetentionPeriod/Hours) ran out. */
  payloads: number;
  secrets: number;
  idempotencyKeys: number;
  /** Rows of the log of received webhooks (src/inbound/), kept as long as messages. */
  inboundRequests: number;
  /** Background tasks (replay, recover) that ended longer ago than messages are kept. */
  tasks: number;
}

/**
 * One pass of the retention cleaner (messages, payloads whose own retention ran out, expired
 * secrets, idempotency keys, the inbound request log, background tasks that ended). A message's eventId stays reserved for
 * as long as the message is kept, which is what "idempotent within the
 * retention window" means. Safe to run from many processes at once: two
 * cleaners deleting the same rows just find fewer.
 */
export async function cleanOnce(ctx: Pick<Context, 'storage' | 'now'>, { retentionMs, idempotencyRetentionMs, batchSize = 5000 }: CleanerOptions): Promise<CleanResult> {
  const now = ctx.now();
  const before = new Date(now.getTime() - retentionMs);
  let messages = 0;
  for (;;) {
    const n = await messageDeleteExpired(ctx.storage, before, batchSize);
    messages += n;
    if (n < batchSize) break;
  }
  let payloads = 0;
  for (;;) {
    // A payload and the deliveries that could still send it go together.
    const { taken, emptied } = await ctx.storage.transaction(async (tx) => {
      const due = await messagePayloadExpireDue(tx, now, batchSize);
      await deliveryCancelForMessages(tx, due.emptied);
      return due;
    });
    payloads += emptied.length;
    if (taken < batchSize) break;
  }
  let inboundRequests = 0;
  for (;;) {
    const n = await requestLogDeleteExpired(ctx.storage, before, batchSize);
    inboundRequests += n;
    if (n < batchSize) break;
  }
  const secrets = await endpointSecretDeleteExpired(ctx.storage, now);
  const idempotencyKeys = await idempotencyKeyDeleteExpired(ctx.storage, new Date(now.getTime() - idempotencyRetentionMs));
  // Few rows (one per replay or recover an operator started): one statement, no batches.
  const tasks = await taskDeleteEnded(ctx.storage, before);
  return { messages, payloads, secrets, idempotencyKeys, inboundRequests, tasks };
}
