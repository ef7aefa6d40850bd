import { applicationInsert, applicationSourceSet } from '../application/sql.js';
import type { Context } from '../context.js';
import type { EndpointService } from '../endpoint/service.js';
import { HookyardError, isUniqueViolation, notFound } from '../errors.js';
import { newId } from '../ids/id.js';
import type { Page, PageQuery } from '../store/page.js';
import type { Queryable } from '../store/port.js';
import { parseInput } from '../validate.js';
import { payloadMappingParse } from './mapping.js';
import { inboundRecorder, type AcceptedEvent, type RecordOutcome } from './record.js';
import { sourceInSchema, type Source, type SourceIn, type SourceStats } from './model.js';
import { sourceConfigParse, sourceTypes } from './verify/index.js';
import { sourceByTokenHash, sourceDelete, sourceGet, sourceInsert, sourceList, sourceStats, sourceTokenSet, sourceUpdate, type SourceFields, type SourceRow } from './sql.js';
import { sourceTokenGenerate, sourceTokenHash } from './token.js';

export type SourceService = ReturnType<typeof sourceService>;

/** A source as the library hands it out: with its receiving key, which the API turns into `ingestUrl`. */
export interface SourceWithToken extends Source {
  token: string;
  /** The key's hash, as the database finds the source by it. */
  tokenHash: string;
  /** The row's version (updated_at in µs): the record statement refuses a request verified against another one. */
  version: string;
}

/** Sent (empty) when a source changes, so that every process drops its cached sources. */
export const SOURCE_CHANNEL = 'hookyard_inbound_source';

// How long the receive path may use a source it looked up. A change clears every process's cache:
// this one's at once, others' when the notification arrives (milliseconds), or at the latest
// after CACHE_MS should it be lost. Until then a stale entry can only refuse: the statement that
// records an event checks the key, the enabled flag and the version (migration 021), so a request
// verified against old settings is looked at again, and none is forwarded with an old key.
const CACHE_MS = 1_000; // ms
const CACHE_MAX = 10_000;

export function sourceService(ctx: Context, endpoints: EndpointService) {
  const { storage, sealer } = ctx;
  const cache = new Map<string, { source: Promise<SourceWithToken | undefined>; until: number }>();
  const recorder = inboundRecorder(ctx);
  let listening: Promise<unknown> | undefined;

  /** Drops cached sources here, and (after the change commits) in every other process. */
  async function changed(db: Queryable = storage): Promise<void> {
    cache.clear();
    await db.query('select pg_notify($1, $2)', [SOURCE_CHANNEL, '']);
  }

  function open(row: SourceRow): SourceWithToken {
    const secrets = row.config_sealed ? (JSON.parse(sealer.open(Buffer.from(row.config_sealed), row.id)) as Record<string, unknown>) : {};
    return {
      id: row.id,
      uid: row.uid,
      name: row.name,
      type: row.type,
      config: { ...row.config, ...secrets },
      appId: row.app_id,
      disabled: row.disabled,
      maxBodyBytes: row.max_body_bytes,
      rateLimit: row.rate_limit,
      allowedCidrs: row.allow_cidrs,
      mapping: row.mapping,
      metadata: row.metadata,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      token: sealer.open(Buffer.from(row.token_sealed), row.id),
      tokenHash: row.token_hash,
      version: row.version,
    };
  }

  /**
   * The config an update gives, with each secret field it leaves out taken from the source as it
   * is, when the type stays the same. A read never shows a secret, so the SDK's get-then-update
   * sends a config without it; taking that as "no secret" would quietly turn verification off
   * (a GitHub source without a secret accepts unsigned requests). `null` removes a secret. A
   * config left out altogether keeps the whole config, as the extension fields left out do.
   */
  function configKeepingSecrets(body: ReturnType<typeof sourceInSchema.parse>, previous?: SourceWithToken): Record<string, unknown> | undefined {
    const spec = sourceTypes[body.type];
    if (!previous || previous.type !== body.type || !spec) return body.config;
    if (body.config === undefined) return previous.config;
    const config: Record<string, unknown> = { ...body.config };
    for (const name of spec.secretFields) if (!Object.hasOwn(config, name) && previous.config[name] !== undefined) config[name] = previous.config[name];
    return config;
  }

  /** Checks `type` and `config` against the type's own schema and splits out the secret fields. */
  function fieldsOf(id: string, body: ReturnType<typeof sourceInSchema.parse>, previous?: SourceWithToken): SourceFields {
    const { spec, config: parsed } = sourceConfigParse(body.type, configKeepingSecrets(body, previous));
    const config = parsed as Record<string, unknown>;
    const plain: Record<string, unknown> = {};
    const secret: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(config)) (spec.secretFields.includes(name) ? secret : plain)[name] = value;
    return {
      uid: body.uid ?? null,
      name: body.name,
      type: body.type,
      config: plain,
      configSealed: Object.keys(secret).length ? sealer.seal(JSON.stringify(secret), id) : null,
      // Extensions left out (the SDK never sends them) keep their values.
      disabled: body.disabled ?? previous?.disabled ?? false,
      maxBodyBytes: body.maxBodyBytes === undefined ? (previous?.maxBodyBytes ?? null) : body.maxBodyBytes,
      rateLimit: body.rateLimit === undefined ? (previous?.rateLimit ?? null) : body.rateLimit,
      allowedCidrs: body.allowedCidrs === undefined ? (previous?.allowedCidrs ?? null) : body.allowedCidrs,
      mapping: body.mapping === undefined ? (previous?.mapping ?? null) : body.mapping,
      metadata: body.metadata ?? {},
    };
  }

  function conflict(error: unknown): never {
    if (isUniqueViolation(error)) throw new HookyardError('conflict', 'a source with this uid already exists', { cause: error });
    throw error;
  }

  async function mustGet(db: Queryable, idOrUid: string): Promise<SourceWithToken> {
    const row = await sourceGet(db, idOrUid);
    if (!row) throw notFound('source');
    return open(row);
  }

  /** The input's shape; the mapping checked on the raw input, where a `__proto__` field is still visible. */
  function parseSource(input: SourceIn) {
    const body = parseInput(sourceInSchema, input);
    const raw = (input as { mapping?: unknown } | null)?.mapping;
    if (raw != null) payloadMappingParse(raw);
    return body;
  }

  const newToken = (id: string) => {
    const token = sourceTokenGenerate();
    return { hash: sourceTokenHash(token), sealed: sealer.seal(token, id) };
  };

  return {
    async create(input: SourceIn): Promise<SourceWithToken> {
      const body = parseSource(input);
      const id = newId('src', ctx.now().getTime());
      const fields = fieldsOf(id, body);
      const row = await storage.transaction(async (tx) => {
        const appId = newId('app', ctx.now().getTime());
        await applicationInsert(tx, appId, { uid: null, name: `source ${body.name}`.slice(0, 256), metadata: {}, rateLimit: null, parentId: null });
        await applicationSourceSet(tx, appId, id);
        return sourceInsert(tx, id, appId, newToken(id), fields).catch(conflict);
      });
      return open(row);
    },

    get: (idOrUid: string) => mustGet(storage, idOrUid),

    async list(query: PageQuery = {}): Promise<Page<SourceWithToken>> {
      const page = await sourceList(storage, query);
      return { ...page, data: page.data.map(open) };
    },

    /** PUT semantics for Svix's fields; Hookyard's extensions and the config's secrets left out keep their values. */
    async update(idOrUid: string, input: SourceIn): Promise<SourceWithToken> {
      const body = parseSource(input);
      const row = await storage.transaction(async (tx) => {
        const source = await mustGet(tx, idOrUid);
        const updated = (await sourceUpdate(tx, source.id, fieldsOf(source.id, body, source)).catch(conflict))!;
        await changed(tx);
        return updated;
      });
      cache.clear(); // again: a lookup that ran while the transaction did may have cached the old row
      return open(row);
    },

    /** Enables or disables the source (a disabled one answers 403 and logs the request). */
    async setDisabled(idOrUid: string, disabled: boolean): Promise<SourceWithToken> {
      const source = await mustGet(storage, idOrUid);
      return this.update(source.id, { name: source.name, uid: source.uid, type: source.type, config: source.config, metadata: source.metadata, disabled });
    },

    async delete(idOrUid: string): Promise<void> {
      const source = await mustGet(storage, idOrUid);
      if (!(await sourceDelete(storage, source.id))) throw notFound('source');
      await changed();
    },

    /** A new receiving key; the old one is refused (404) from now on. Returns the new key. */
    async rotateToken(idOrUid: string): Promise<string> {
      const source = await mustGet(storage, idOrUid);
      const token = newToken(source.id);
      if (!(await sourceTokenSet(storage, source.id, token))) throw notFound('source');
      await changed();
      return sealer.open(token.sealed, source.id);
    },

    async stats(idOrUid: string): Promise<SourceStats> {
      const source = await mustGet(storage, idOrUid);
      const stats = await sourceStats(storage, source.id);
      if (!stats) throw notFound('source');
      return stats;
    },

    /** The receive path's lookup by key, cached briefly (see CACHE_MS); `fresh` skips the cache. */
    byToken(token: string, { fresh = false } = {}): Promise<SourceWithToken | undefined> {
      listening ??= storage.listen(SOURCE_CHANNEL, () => cache.clear(), { onReconnect: () => cache.clear() }).catch(() => {});
      const t = Date.now();
      const hit = cache.get(token);
      if (hit && hit.until > t && !fresh) return hit.source;
      // The lookup itself is cached, so that the requests in flight when an entry expires wait for
      // one lookup instead of each making its own.
      const source = sourceByTokenHash(storage, sourceTokenHash(token)).then((row) => row && open(row));
      if (cache.size >= CACHE_MAX) cache.clear();
      const entry = { source, until: t + CACHE_MS };
      cache.set(token, entry);
      source.catch(() => cache.get(token) === entry && cache.delete(token)); // a failed lookup is not kept
      return source;
    },

    /** The hidden application of a source: its endpoints are the source's ingest endpoints. */
    async appOf(idOrUid: string): Promise<string> {
      return (await mustGet(storage, idOrUid)).appId;
    },

    /** Records an accepted request and forwards it to the ingest endpoints (record.ts). */
    record: (event: AcceptedEvent): Promise<RecordOutcome> => recorder.record(event),

    endpoints,
    storage,
  };
}
