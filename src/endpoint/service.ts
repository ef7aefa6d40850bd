import { applicationMustGet } from '../application/sql.js';
import type { Context } from '../context.js';
import { HookyardError, isUniqueViolation, notFound, validationError } from '../errors.js';
import { ALLOW_SETTING, urlAddressRefusal, type Cidr } from '../outbound/address.js';
import { newId } from '../ids/id.js';
import { signingSecretGenerate, signingSecretNormalize } from '../secrets/signing-secret.js';
import { ED25519_SECRET_PREFIX, ed25519PublicKey, ed25519SecretGenerate, ed25519SecretNormalize } from '../signing/ed25519.js';
import type { Page, PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import { parseInput } from '../validate.js';
import {
  endpointInSchema,
  endpointPatchSchema,
  endpointUpdateSchema,
  headersPatchSchema,
  headerIsSensitive,
  headersSchema,
  secretRotateSchema,
  sensitiveNamesSchema,
  type Endpoint,
  type EndpointIn,
  type EndpointPatch,
  type EndpointUpdate,
  type SecretRotateIn,
} from './model.js';
import {
  endpointControlsSet,
  endpointDelete,
  endpointGet,
  endpointHeadersGet,
  endpointHeadersRead,
  endpointHeadersSet,
  endpointInsert,
  endpointList,
  endpointSecretInsert,
  endpointSecretRetire,
  endpointSecretsActive,
  endpointUpdate,
  type EndpointFields,
} from './sql.js';
import { sendOptionsMerge, type SendOptions } from './send-options.js';

export type EndpointService = ReturnType<typeof endpointService>;

/**
 * The marks to keep: earlier ones and new ones, lowercased, for headers the
 * endpoint has. Marking a header it does not have is refused, so a typo does
 * not leave a credential unmarked unnoticed.
 */
function marksOf(headers: Record<string, string>, earlier: string[], added: string[]): string[] {
  const present = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  const names = parseInput(sensitiveNamesSchema, added, ['body', 'sensitive']).map((n) => n.toLowerCase());
  const missing = names.findIndex((n) => !present.has(n));
  if (missing >= 0) throw validationError('names a header the endpoint does not have', ['body', 'sensitive', missing]);
  return [...new Set([...earlier, ...names])].filter((n) => present.has(n)).sort();
}

export interface EndpointServiceOptions {
  /** The SSRF guard's allowlist: URLs on literal addresses it admits are accepted. */
  allow?: Cidr[];
}

export function endpointService(ctx: Context, { allow = [] }: EndpointServiceOptions = {}) {
  const { storage, sealer } = ctx;

  /** Refuses now a URL that every delivery would refuse, rather than failing every attempt later. */
  function checkUrl(url: string | undefined): void {
    if (url === undefined) return;
    const refusal = urlAddressRefusal(url, allow);
    if (refusal) {
      const example = refusal.includes('loopback') ? ', e.g. 127.0.0.0/8,::1/128' : '';
      throw validationError(`${refusal}, which the SSRF guard refuses; allow it with ${ALLOW_SETTING}${example}`, ['body', 'url'], 'blocked_address');
    }
  }

  async function mustGet(db: Queryable, appIdOrUid: string, endpointIdOrUid: string): Promise<Endpoint> {
    const app = await applicationMustGet(db, appIdOrUid);
    const endpoint = await endpointGet(db, app.id, endpointIdOrUid);
    if (!endpoint) throw notFound('endpoint');
    return endpoint;
  }

  function conflict(error: unknown): never {
    if (isUniqueViolation(error)) throw new HookyardError('conflict', 'an endpoint with this uid already exists in the application', { cause: error });
    throw error;
  }

  function fieldsOf(body: EndpointUpdate, earlier: SendOptions = {}): EndpointFields {
    return {
      uid: body.uid ?? null,
      url: body.url,
      description: body.description ?? '',
      version: body.version ?? 1,
      filterTypes: body.filterTypes ?? null,
      channels: body.channels ?? null,
      disabled: body.disabled ?? false,
      rateLimit: body.rateLimit ?? null,
      metadata: body.metadata ?? {},
      sendOptions: sendOptionsMerge(earlier, body),
    };
  }

  /** A caller's secret in canonical form, or a new one of the asked type; `whsk_` is an ed25519 key. */
  function secretOf(given: string | null | undefined, type: 'hmac' | 'ed25519' | undefined, loc: (string | number)[]): string {
    if (!given) return type === 'ed25519' ? ed25519SecretGenerate() : signingSecretGenerate();
    const secret = given.startsWith(ED25519_SECRET_PREFIX) ? ed25519SecretNormalize(given, loc) : signingSecretNormalize(given, loc);
    if (type && (type === 'ed25519') !== secret.startsWith(ED25519_SECRET_PREFIX)) {
      throw validationError(`secretType ${type} does not match the secret given`, [...loc.slice(0, -1), 'secretType']);
    }
    return secret;
  }

  /** GitHub, Stripe and plain signatures are HMACs: an ed25519 key cannot make them. */
  function checkSecretFits(options: SendOptions, secret: string, loc: (string | number)[]): void {
    if (options.signatureFormat && secret.startsWith(ED25519_SECRET_PREFIX)) {
      throw validationError(`the ${options.signatureFormat} format signs with an HMAC secret (whsec_), not an ed25519 key; use signatureFormat standard for ed25519`, loc);
    }
  }

  /** Hookyard's delivery controls (rateLimit is one of Svix's fields, in fieldsOf). A PUT resets them to the defaults. */
  function controlsOf(body: EndpointUpdate): Pick<Endpoint, 'maxInFlight' | 'fifo'> {
    return { maxInFlight: body.maxInFlight ?? null, fifo: body.fifo ?? false };
  }

  async function currentSecret(db: Queryable, endpointId: string): Promise<string> {
    const [newest] = await endpointSecretsActive(db, [endpointId], ctx.now());
    if (!newest) throw notFound('endpoint secret');
    return sealer.open(Buffer.from(newest.sealed), endpointId);
  }

  return {
    async create(appIdOrUid: string, input: EndpointIn): Promise<Endpoint> {
      const body = parseInput(endpointInSchema, input);
      checkUrl(body.url);
      const secret = secretOf(body.secret, body.secretType, ['body', 'secret']);
      const fields = fieldsOf(body);
      checkSecretFits(fields.sendOptions, secret, ['body', 'signatureFormat']);
      return storage.transaction(async (tx) => {
        const app = await applicationMustGet(tx, appIdOrUid);
        const id = newId('ep', ctx.now().getTime());
        await endpointInsert(tx, id, app.id, fields, body.headers ?? {}).catch(conflict);
        await endpointSecretInsert(tx, id, sealer.seal(secret, id));
        return (await endpointControlsSet(tx, id, controlsOf(body)))!;
      });
    },

    get: (appIdOrUid: string, endpointIdOrUid: string) => mustGet(storage, appIdOrUid, endpointIdOrUid),

    async list(appIdOrUid: string, query: PageQuery = {}): Promise<Page<Endpoint>> {
      const app = await applicationMustGet(storage, appIdOrUid);
      return endpointList(storage, app.id, query);
    },

    async update(appIdOrUid: string, endpointIdOrUid: string, input: EndpointUpdate): Promise<Endpoint> {
      const body = parseInput(endpointUpdateSchema, input);
      checkUrl(body.url);
      return storage.transaction(async (tx) => {
        const endpoint = await mustGet(tx, appIdOrUid, endpointIdOrUid);
        const fields = fieldsOf(body, endpoint.sendOptions);
        if (fields.sendOptions.signatureFormat) checkSecretFits(fields.sendOptions, await currentSecret(tx, endpoint.id), ['body', 'signatureFormat']);
        await endpointUpdate(tx, endpoint.id, fields).catch(conflict);
        return (await endpointControlsSet(tx, endpoint.id, controlsOf(body)))!;
      });
    },

    async patch(appIdOrUid: string, endpointIdOrUid: string, input: EndpointPatch): Promise<Endpoint> {
      const body = parseInput(endpointPatchSchema, input);
      checkUrl(body.url);
      return storage.transaction(async (tx) => {
        const e = await mustGet(tx, appIdOrUid, endpointIdOrUid);
        const keep = <K extends keyof EndpointFields>(key: K): EndpointFields[K] =>
          (body[key as keyof typeof body] === undefined ? e[key] : body[key as keyof typeof body]) as EndpointFields[K];
        const fields: EndpointFields = {
          uid: keep('uid'),
          url: keep('url'),
          description: body.description ?? e.description,
          version: body.version ?? e.version,
          filterTypes: keep('filterTypes'),
          channels: keep('channels'),
          disabled: body.disabled ?? e.disabled,
          rateLimit: keep('rateLimit'),
          metadata: body.metadata ?? e.metadata,
          sendOptions: sendOptionsMerge(e.sendOptions, body),
        };
        if (fields.sendOptions.signatureFormat) checkSecretFits(fields.sendOptions, await currentSecret(tx, e.id), ['body', 'signatureFormat']);
        await endpointUpdate(tx, e.id, fields).catch(conflict);
        return (await endpointControlsSet(tx, e.id, { maxInFlight: body.maxInFlight === undefined ? e.maxInFlight : body.maxInFlight, fifo: body.fifo ?? e.fifo }))!;
      });
    },

    async delete(appIdOrUid: string, endpointIdOrUid: string): Promise<void> {
      const endpoint = await mustGet(storage, appIdOrUid, endpointIdOrUid);
      if (!(await endpointDelete(storage, endpoint.id))) throw notFound('endpoint');
    },

    /**
     * The current signing secret, decrypted (Svix's `GET .../secret`); for an
     * ed25519 key, its public key (`whpk_`), as Svix answers: the private key
     * never leaves Hookyard.
     */
    async secretGet(appIdOrUid: string, endpointIdOrUid: string): Promise<{ key: string }> {
      const endpoint = await mustGet(storage, appIdOrUid, endpointIdOrUid);
      const secret = await currentSecret(storage, endpoint.id);
      return { key: secret.startsWith(ED25519_SECRET_PREFIX) ? ed25519PublicKey(secret) : secret };
    },

    /**
     * Replaces the signing secret; the old one keeps co-signing for the grace
     * window: `gracePeriodSeconds` (Svix's), else the server's default.
     */
    async secretRotate(appIdOrUid: string, endpointIdOrUid: string, input: SecretRotateIn = {}): Promise<void> {
      const body = parseInput(secretRotateSchema, input);
      const secret = secretOf(body.key, body.secretType, ['body', 'key']);
      const graceMs = body.gracePeriodSeconds == null ? ctx.limits.secretGraceMs : body.gracePeriodSeconds * 1000;
      await storage.transaction(async (tx) => {
        const endpoint = await mustGet(tx, appIdOrUid, endpointIdOrUid);
        checkSecretFits(endpoint.sendOptions, secret, ['body', 'key']);
        await endpointSecretRetire(tx, endpoint.id, new Date(ctx.now().getTime() + graceMs));
        await endpointSecretInsert(tx, endpoint.id, sealer.seal(secret, endpoint.id));
      });
    },

    /** The custom headers with their values, sensitive ones included: for the library, which is trusted. */
    async headersGet(appIdOrUid: string, endpointIdOrUid: string): Promise<Record<string, string>> {
      const endpoint = await mustGet(storage, appIdOrUid, endpointIdOrUid);
      return endpointHeadersGet(storage, endpoint.id);
    },

    /** Svix's EndpointHeadersOut: sensitive headers are named in `sensitive` and their values left out. */
    async headersOut(appIdOrUid: string, endpointIdOrUid: string): Promise<{ headers: Record<string, string>; sensitive: string[] }> {
      const endpoint = await mustGet(storage, appIdOrUid, endpointIdOrUid);
      const { headers, marked } = await endpointHeadersRead(storage, endpoint.id);
      const out: { headers: Record<string, string>; sensitive: string[] } = { headers: {}, sensitive: [] };
      for (const [name, value] of Object.entries(headers)) {
        if (headerIsSensitive(name, marked)) out.sensitive.push(name);
        else out.headers[name] = value;
      }
      out.sensitive.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
      return out;
    },

    /** Replaces the headers; `sensitive` marks some of them (a Hookyard extension), and replaces earlier marks. */
    async headersUpdate(appIdOrUid: string, endpointIdOrUid: string, headers: Record<string, string>, sensitive: string[] = []): Promise<void> {
      const body = parseInput(headersSchema, headers, ['body', 'headers']);
      const endpoint = await mustGet(storage, appIdOrUid, endpointIdOrUid);
      await endpointHeadersSet(storage, endpoint.id, body, marksOf(body, [], sensitive));
    },

    /** Merges headers in; a null value removes that header. `sensitive` adds marks; a mark goes only with its header. */
    async headersPatch(appIdOrUid: string, endpointIdOrUid: string, headers: Record<string, string | null>, sensitive: string[] = []): Promise<void> {
      const body = parseInput(headersPatchSchema, headers, ['body', 'headers']);
      await storage.transaction(async (tx) => {
        const endpoint = await mustGet(tx, appIdOrUid, endpointIdOrUid);
        const { headers: merged, marked } = await endpointHeadersRead(tx, endpoint.id);
        for (const [name, value] of Object.entries(body)) {
          for (const existing of Object.keys(merged)) if (existing.toLowerCase() === name.toLowerCase()) delete merged[existing];
          if (value !== null) merged[name] = value;
        }
        const valid = parseInput(headersSchema, merged, ['body', 'headers']);
        await endpointHeadersSet(tx, endpoint.id, valid, marksOf(valid, marked, sensitive));
      });
    },
  };
}
