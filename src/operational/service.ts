import type { Context } from '../context.js';
import { HookyardError, isUniqueViolation, notFound, validationError } from '../errors.js';
import { newId } from '../ids/id.js';
import { ALLOW_SETTING, urlAddressRefusal, type Cidr } from '../outbound/address.js';
import { signingSecretGenerate, signingSecretNormalize } from '../secrets/signing-secret.js';
import type { Page, PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import { parseInput } from '../validate.js';
import { headerIsSensitive, type Endpoint } from '../endpoint/model.js';
import {
  endpointDelete,
  endpointDisable,
  endpointEnable,
  endpointGet,
  endpointHeadersRead,
  endpointHeadersSet,
  endpointInsert,
  endpointList,
  endpointSecretInsert,
  endpointSecretRetire,
  endpointSecretsActive,
  endpointUpdate,
  type EndpointFields,
} from '../endpoint/sql.js';
import {
  OPERATIONAL_APP_ID,
  operationalEndpointInSchema,
  operationalEndpointUpdateSchema,
  operationalHeadersInSchema,
  operationalSecretInSchema,
  type OperationalEndpointIn,
  type OperationalEndpointUpdate,
} from './model.js';
import { operationalApplicationEnsure } from './sql.js';

export type OperationalService = ReturnType<typeof operationalService>;

/**
 * Svix's operational webhook endpoints (`/api/v1/operational-webhook/endpoint`): endpoints of the
 * internal application, managed here rather than through the endpoint service, which refuses to
 * see that application. Events are emitted by the database (migration 013).
 */
export function operationalService(ctx: Context, { allow = [] }: { allow?: Cidr[] } = {}) {
  const { storage, sealer } = ctx;

  function checkUrl(url: string): void {
    const refusal = urlAddressRefusal(url, allow);
    if (refusal) throw validationError(`${refusal}, which the SSRF guard refuses; allow it with ${ALLOW_SETTING}`, ['body', 'url'], 'blocked_address');
  }

  function conflict(error: unknown): never {
    if (isUniqueViolation(error)) throw new HookyardError('conflict', 'an operational webhook endpoint with this uid already exists', { cause: error });
    throw error;
  }

  function fieldsOf(body: OperationalEndpointUpdate): EndpointFields {
    return {
      uid: body.uid ?? null,
      url: body.url,
      description: body.description ?? '',
      version: 1,
      filterTypes: body.filterTypes ?? null,
      channels: null,
      disabled: body.disabled ?? false,
      rateLimit: body.rateLimit ?? body.throttleRate ?? null,
      metadata: body.metadata ?? {},
      sendOptions: {},
    };
  }

  async function mustGet(db: Queryable, idOrUid: string): Promise<Endpoint> {
    const endpoint = await endpointGet(db, OPERATIONAL_APP_ID, idOrUid);
    if (!endpoint) throw notFound('operational webhook endpoint');
    return endpoint;
  }

  return {
    async list(query: PageQuery = {}): Promise<Page<Endpoint>> {
      return endpointList(storage, OPERATIONAL_APP_ID, query);
    },

    async create(input: OperationalEndpointIn): Promise<Endpoint> {
      const body = parseInput(operationalEndpointInSchema, input);
      checkUrl(body.url);
      const secret = body.secret ? signingSecretNormalize(body.secret) : signingSecretGenerate();
      return storage.transaction(async (tx) => {
        await operationalApplicationEnsure(tx);
        const id = newId('ep', ctx.now().getTime());
        const endpoint = await endpointInsert(tx, id, OPERATIONAL_APP_ID, fieldsOf(body), {}).catch(conflict);
        await endpointSecretInsert(tx, id, sealer.seal(secret, id));
        return endpoint;
      });
    },

    get: (idOrUid: string) => mustGet(storage, idOrUid),

    async update(idOrUid: string, input: OperationalEndpointUpdate): Promise<Endpoint> {
      const body = parseInput(operationalEndpointUpdateSchema, input);
      checkUrl(body.url);
      return storage.transaction(async (tx) => {
        const before = await mustGet(tx, idOrUid);
        const fields = fieldsOf(body);
        // Disabling parks its pending deliveries, enabling makes them due (as for any endpoint).
        if (!before.disabled && fields.disabled) await endpointDisable(tx, before.id, 'disabled through the API', 'manual', ctx.now());
        if (before.disabled && !fields.disabled) await endpointEnable(tx, before.id, ctx.now());
        return (await endpointUpdate(tx, before.id, fields).catch(conflict))!;
      });
    },

    async delete(idOrUid: string): Promise<void> {
      await storage.transaction(async (tx) => {
        const endpoint = await mustGet(tx, idOrUid);
        await endpointDelete(tx, endpoint.id);
      });
    },

    async secretGet(idOrUid: string): Promise<{ key: string }> {
      const endpoint = await mustGet(storage, idOrUid);
      const [newest] = await endpointSecretsActive(storage, [endpoint.id], ctx.now());
      if (!newest) throw notFound('endpoint secret');
      return { key: sealer.open(Buffer.from(newest.sealed), endpoint.id) };
    },

    async secretRotate(idOrUid: string, input: unknown = {}): Promise<void> {
      const body = parseInput(operationalSecretInSchema, input);
      const secret = body.key ? signingSecretNormalize(body.key, ['body', 'key']) : signingSecretGenerate();
      await storage.transaction(async (tx) => {
        const endpoint = await mustGet(tx, idOrUid);
        await endpointSecretRetire(tx, endpoint.id, new Date(ctx.now().getTime() + ctx.limits.secretGraceMs));
        await endpointSecretInsert(tx, endpoint.id, sealer.seal(secret, endpoint.id));
      });
    },

    /** Svix's OperationalWebhookEndpointHeadersOut: sensitive values are left out and named in `sensitive`. */
    async headersGet(idOrUid: string): Promise<{ headers: Record<string, string>; sensitive: string[] }> {
      const endpoint = await mustGet(storage, idOrUid);
      const { headers, marked } = await endpointHeadersRead(storage, endpoint.id);
      const out: { headers: Record<string, string>; sensitive: string[] } = { headers: {}, sensitive: [] };
      for (const [name, value] of Object.entries(headers)) {
        if (headerIsSensitive(name, marked)) out.sensitive.push(name);
        else out.headers[name] = value;
      }
      out.sensitive.sort();
      return out;
    },

    async headersUpdate(idOrUid: string, input: unknown): Promise<void> {
      const body = parseInput(operationalHeadersInSchema, input);
      const endpoint = await mustGet(storage, idOrUid);
      await endpointHeadersSet(storage, endpoint.id, body.headers, []);
    },
  };
}
