import type { Dispatcher } from 'undici';
import type { Attempt } from '../attempt/model.js';
import { headerIsReserved, headerIsSensitive } from '../endpoint/model.js';
import { headerNamesOf } from '../endpoint/send-options.js';
import { newId } from '../ids/id.js';
import { send } from '../outbound/send.js';
import { signatureHeaders } from '../signing/format.js';
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
  /** The dispatcher for an endpoint's TLS settings (a custom CA, verification off); `agent` when absent. */
  agentFor?: (claimed: Claimed) => Dispatcher;
  settings: AttemptSettings;
  now: () => Date;
  random: () => number;
}

/**
 * The body as sent: the payload's exact text, or for a `form` endpoint the
 * form encoding of it in a `payload` field, as GitHub sends form webhooks.
 * Signatures are over this, the bytes the receiver gets.
 */
export function requestBody(claimed: Claimed): { body: string; contentType: string } {
  if (claimed.sendOptions?.bodyFormat === 'form') {
    return { body: new URLSearchParams({ payload: claimed.payload }).toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  // A received webhook whose body is not JSON (src/inbound/) keeps its own type.
  return { body: claimed.payload, contentType: claimed.contentType ?? 'application/json' };
}

/**
 * The request headers of one attempt: custom headers, then ours (which win):
 * the signature headers of the endpoint's format, under its header names.
 * Null when none of the secrets can sign in that format.
 */
export function requestHeaders(claimed: Claimed, secrets: string[], timestamp: number, body = requestBody(claimed)): Record<string, string> | null {
  const options = claimed.sendOptions ?? {};
  const signed = signatureHeaders(options.signatureFormat ?? 'standard', headerNamesOf(options), secrets, {
    id: claimed.messageId,
    timestamp,
    body: body.body,
    eventType: claimed.eventType ?? null,
  });
  if (!signed) return null;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(claimed.headers ?? {})) {
    // Input validation refuses these already; rows written by older code are filtered here too.
    if (!headerIsReserved(name)) headers[name.toLowerCase()] = value;
  }
  headers['content-type'] = body.contentType;
  headers['user-agent'] = USER_AGENT;
  return Object.assign(headers, signed);
}

/**
 * The headers as stored in the attempt: custom headers that are sensitive (by
 * name or marked by the endpoint's owner) hidden. `ours` are the signature
 * headers, kept (a signature is no secret, and shows what was sent) even when
 * their configured name looks like a credential (`x-signature`).
 */
export function redactHeaders(headers: Record<string, string>, marked: readonly string[] = [], ours: ReadonlySet<string> = new Set()): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, !ours.has(name) && !headerIsReserved(name) && headerIsSensitive(name, marked) ? '[redacted]' : value]));
}

function signatureHeaderNames(claimed: Claimed): Set<string> {
  const names = headerNamesOf(claimed.sendOptions ?? {});
  return new Set([names.id, names.timestamp, names.signature, names.event].filter((n): n is string => n !== null));
}

/**
 * One try of one delivery: sign, POST, record, decide. Never throws; every
 * result, including a refused address, becomes an attempt row.
 */
export async function attemptRun(claimed: Claimed, secrets: string[], deps: AttemptDeps): Promise<Completion> {
  const { settings } = deps;
  const startedAt = deps.now();
  const body = requestBody(claimed);
  const headers = requestHeaders(claimed, secrets, Math.floor(startedAt.getTime() / 1000), body);
  if (!headers) return attemptUnsigned(claimed, `no secret of ${claimed.endpointId} can sign in the ${claimed.sendOptions?.signatureFormat} format (an ed25519 key signs Standard Webhooks only)`, deps);
  const result = await send(
    { url: claimed.url, headers, body: body.body },
    { agent: deps.agentFor?.(claimed) ?? deps.agent, timeoutMs: settings.attemptTimeoutMs, maxResponseBytes: settings.maxResponseBytes, requireHttps: settings.requireHttps },
  );
  const outcome = outcomeOf(result, deps.now(), settings.retryAfter);
  const step = nextStep(outcome, claimed.attemptCount, claimed.oneShot, settings.retry, deps.random);
  const response = result.kind === 'response' ? result : undefined;
  const completion = completionOf(claimed, step, {
    id: newId('atmpt', startedAt.getTime()),
    deliveryId: claimed.id,
    messageId: claimed.messageId,
    endpointId: claimed.endpointId,
    attemptNumber: claimed.attemptCount,
    trigger: claimed.trigger,
    url: claimed.url,
    requestHeaders: redactHeaders(headers, claimed.sensitiveHeaders, signatureHeaderNames(claimed)),
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
    id: newId('atmpt', at.getTime()),
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
