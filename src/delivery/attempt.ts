import { randomFillSync } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Attempt } from '../attempt/model.js';
import { headerIsReserved, headerIsSensitive } from '../endpoint/model.js';
import { newId } from '../ids/id.js';
import { send } from '../outbound/send.js';
import { sign } from '../signing/sign.js';
import type { Claimed, Completion } from './model.js';
import { nextStep, outcomeOf, type NextStep } from './outcome.js';
import type { RetryAfterBounds, RetryPolicy } from './schedule.js';

export const USER_AGENT = 'Hookyard-Webhooks/0.1 (+https://www.standardwebhooks.com/)';

export interface AttemptSettings {
  retry: RetryPolicy;
  retryAfter: RetryAfterBounds;
  attemptTimeoutMs: number;
  maxResponseBytes: number;
  requireHttps: boolean;
}

export interface AttemptDeps {
  agent: Dispatcher;
  settings: AttemptSettings;
  now: () => Date;
  random: () => number;
}

// Attempt ids need 14 random bytes each; drawing them from a pool refilled 1,024 ids at a
// time saves a synchronous crypto call per attempt on the hot path.
const pool = Buffer.alloc(14 * 1024);
let poolAt = pool.length;
function pooledRandom(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/** The request headers of one attempt: custom headers, then ours (which win). */
export function requestHeaders(claimed: Claimed, secrets: string[], timestamp: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(claimed.headers ?? {})) {
    // Input validation refuses these already; rows written by older code are filtered here too.
    if (!headerIsReserved(name)) headers[name.toLowerCase()] = value;
  }
  headers['content-type'] = claimed.contentType ?? 'application/json';
  headers['user-agent'] = USER_AGENT;
  headers['webhook-id'] = claimed.messageId;
  headers['webhook-timestamp'] = String(timestamp);
  headers['webhook-signature'] = sign(secrets, { id: claimed.messageId, timestamp, body: claimed.payload });
  return headers;
}

/** The headers as stored in the attempt: custom headers that are sensitive (by name or marked by the endpoint's owner) hidden. */
export function redactHeaders(headers: Record<string, string>, marked: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, !headerIsReserved(name) && headerIsSensitive(name, marked) ? '[redacted]' : value]));
}

/**
 * One try of one delivery: sign, POST, record, decide. Never throws; every
 * result, including a refused address, becomes an attempt row.
 */
export async function attemptRun(claimed: Claimed, secrets: string[], deps: AttemptDeps): Promise<Completion> {
  const { settings } = deps;
  const startedAt = deps.now();
  const headers = requestHeaders(claimed, secrets, Math.floor(startedAt.getTime() / 1000));
  const result = await send(
    { url: claimed.url, headers, body: claimed.payload },
    { agent: deps.agent, timeoutMs: settings.attemptTimeoutMs, maxResponseBytes: settings.maxResponseBytes, requireHttps: settings.requireHttps },
  );
  const outcome = outcomeOf(result, deps.now(), settings.retryAfter);
  const step = nextStep(outcome, claimed.attemptCount, claimed.oneShot, settings.retry, deps.random);
  const response = result.kind === 'response' ? result : undefined;
  const completion = completionOf(claimed, step, {
    id: newId('atmpt', startedAt.getTime(), pooledRandom),
    deliveryId: claimed.id,
    messageId: claimed.messageId,
    endpointId: claimed.endpointId,
    attemptNumber: claimed.attemptCount,
    trigger: claimed.trigger,
    url: claimed.url,
    requestHeaders: redactHeaders(headers, claimed.sensitiveHeaders),
    responseStatus: response?.status ?? null,
    responseHeaders: response?.headers ?? null,
    responseBody: response?.body ?? null,
    responseTruncated: response?.truncated ?? false,
    errorCode: result.kind === 'error' ? result.errorClass : null,
    errorMessage: result.kind === 'error' ? result.message.replaceAll('\0', '') : null,
    succeeded: outcome.kind === 'succeeded',
    durationMs: result.durationMs,
    createdAt: startedAt,
  });
  if (step.state === 'failed' && step.gone) {
    completion.disableEndpoint = { endpointId: claimed.endpointId, reason: `the endpoint answered 410 Gone at ${startedAt.toISOString()}` };
  }
  return completion;
}

/**
 * A delivery that cannot be signed (its endpoint's secret will not open, e.g.
 * under a different HOOKYARD_SECRET_KEY): nothing is sent, and the attempt
 * fails at once with the reason, retried on the schedule like any failure, so
 * it neither sits in `sending` until its lease runs out nor goes out unsigned.
 */
export function attemptUnsigned(claimed: Claimed, reason: string, deps: Pick<AttemptDeps, 'settings' | 'now' | 'random'>): Completion {
  const at = deps.now();
  const step = nextStep({ kind: 'no_response', errorClass: 'secret' }, claimed.attemptCount, claimed.oneShot, deps.settings.retry, deps.random);
  return completionOf(claimed, step, {
    id: newId('atmpt', at.getTime(), pooledRandom),
    deliveryId: claimed.id,
    messageId: claimed.messageId,
    endpointId: claimed.endpointId,
    attemptNumber: claimed.attemptCount,
    trigger: claimed.trigger,
    url: claimed.url,
    requestHeaders: {},
    responseStatus: null,
    responseHeaders: null,
    responseBody: null,
    responseTruncated: false,
    errorCode: 'secret',
    errorMessage: `secret: not sent, the signing secret cannot be opened (${reason})`,
    succeeded: false,
    durationMs: 0,
    createdAt: at,
  });
}

function completionOf(claimed: Claimed, step: NextStep, attempt: Attempt): Completion {
  return {
    deliveryId: claimed.id,
    claimedCount: claimed.attemptCount,
    attemptCount: claimed.attemptCount,
    state: step.state,
    delayMs: step.state === 'pending' ? step.delayMs : null,
    attempt,
  };
}

/** A claimed delivery whose endpoint was disabled after fan-out: cancelled, no attempt, not counted. */
export function attemptSkip(claimed: Claimed): Completion {
  return { deliveryId: claimed.id, claimedCount: claimed.attemptCount, attemptCount: claimed.attemptCount - 1, state: 'cancelled', delayMs: null, attempt: null };
}
