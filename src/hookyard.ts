import { taskService, type TaskService } from './task/service.js';
import { randomBytes } from 'node:crypto';
import { applicationService, type ApplicationService } from './application/service.js';
import { attemptService, type AttemptService } from './attempt/service.js';
import { DEFAULTS } from './config/defaults.js';
import type { Context } from './context.js';
import type { WorkerOptions } from './delivery/options.js';
import { deliveryService, type DeliveryService } from './delivery/service.js';
import { createWorker, type Worker } from './delivery/worker.js';
import { endpointService, type EndpointService } from './endpoint/service.js';
import { endpointHealthSettingSet } from './endpoint/sql.js';
import { HookyardError } from './errors.js';
import { payloadValidators } from './event-type/payload-schema.js';
import { eventTypeService, type EventTypeService } from './event-type/service.js';
import { sourceService, type SourceService } from './inbound/service.js';
import { messageService, type MessageService } from './message/service.js';
import { operationalService, type OperationalService } from './operational/service.js';
import { secretKeyVerify } from './secrets/key-check.js';
import { secretKeyLoadOrCreate } from './secrets/key-file.js';
import { createSealer, KEY_BYTES, parseSecretKey } from './secrets/seal.js';
import { rollups, type Rollups } from './console/rollups.js';
import { consoleSignals } from './console/signals.js';
import { createLogger, type Logger } from './log.js';
import { cidrList, type Cidr } from './outbound/address.js';
import { migrate } from './store/migrate.js';
import { openStorage } from './store/open.js';
import { outageTracker } from './store/outage.js';
import type { Storage } from './store/port.js';
import type { DatabaseTimeouts } from './store/settings.js';

export interface HookyardOptions {
  /** A storage you opened yourself; otherwise one is opened from `databaseUrl` or `dataDir`. */
  storage?: Storage;
  /** postgres://... — run on PostgreSQL. */
  databaseUrl?: string;
  /** Embedded PGlite data folder. Omit both this and `databaseUrl` for an in-memory database. */
  dataDir?: string;
  poolSize?: number;
  /**
   * PostgreSQL connections for the delivery worker alone, so that publish load cannot starve
   * delivery when both run in one process: `hookyard.startWorker()` runs on them.
   * 0 (the default) shares the main pool.
   */
  workerPoolSize?: number;
  /** A direct (session) URL for LISTEN, when `databaseUrl` goes through a transaction-mode pooler. */
  listenDatabaseUrl?: string;
  /** Connect, statement and idle-in-transaction limits (PostgreSQL); see store/settings.ts for the defaults. */
  databaseTimeouts?: Partial<DatabaseTimeouts>;
  /** Where the storage logs outages and LISTEN trouble; silent when omitted. */
  log?: Logger;
  /** 32 bytes (or base64/hex text) that encrypt signing secrets at rest. */
  secretKey?: Buffer | string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  maxPayloadBytes?: number; // bytes
  secretGraceMs?: number; // ms
  /**
   * Disable an endpoint after this many deliveries in a row fail for good (default 50, see
   * src/config/defaults.ts); an endpoint's `failureThreshold` overrides it. The database applies it
   * as results are written, so it is stored there: every process opened with it writes it, and
   * all processes on one database should be given the same value.
   */
  endpointFailureThreshold?: number;
  /**
   * CIDRs the SSRF guard lets through (e.g. '127.0.0.0/8,::1/128'), as given to the worker.
   * Endpoint URLs on a literal address the guard would always refuse are refused at creation
   * unless this admits them.
   */
  allowCidrs?: string | Cidr[];
  /** How often the dashboard's counters are written (ms); see src/console/rollups.ts. */
  rollupFlushMs?: number;
  now?: () => Date;
}

export interface Hookyard {
  readonly storage: Storage;
  readonly applications: ApplicationService;
  readonly eventTypes: EventTypeService;
  readonly endpoints: EndpointService;
  readonly messages: MessageService;
  /** Manual resend of one delivery, and recovery of an endpoint's failed deliveries. */
  readonly deliveries: DeliveryService;
  /** Background tasks: replay-missing and recover in steps (Svix's background-task routes). */
  readonly tasks: TaskService;
  /** The read side of delivery: attempts, where a message went, endpoint stats. */
  readonly attempts: AttemptService;
  /** The dashboard's per-minute counters (src/console/rollups.ts): `rollups.add(metric, key, n)`. */
  readonly rollups: Rollups;
  /** Operational webhook endpoints (Svix's `operationalWebhookEndpoint`); the events come from the database. */
  readonly operational: OperationalService;
  /** Receiving webhooks: sources (Svix's Ingest API), their ingest endpoints, recording and forwarding. */
  readonly sources: SourceService;
  /** Starts a delivery worker on this Hookyard; stop it before `close()`. */
  startWorker(options?: WorkerOptions, log?: Logger): Worker;
  /** Subscribes to "deliveries were created in this process"; the worker uses it to wake at once. */
  onDeliveriesCreated(listener: () => void): () => void;
  close(): Promise<void>;
}

async function resolveKey(options: HookyardOptions, embedded: boolean): Promise<Buffer> {
  const { secretKey, dataDir } = options;
  if (secretKey !== undefined) return typeof secretKey === 'string' ? parseSecretKey(secretKey) : secretKey;
  if (embedded && dataDir) return secretKeyLoadOrCreate(dataDir);
  // An in-memory database dies with the process, and so may its key.
  if (embedded && !dataDir) return randomBytes(KEY_BYTES);
  throw new HookyardError(
    'secret_key',
    'a secret key is required with PostgreSQL: set HOOKYARD_SECRET_KEY to 32 random bytes in base64 (for example: openssl rand -base64 32)',
  );
}

/** Opens Hookyard: storage, migrations, and the services of the library API. This is the composition root. */
export async function openHookyard(options: HookyardOptions = {}): Promise<Hookyard> {
  const embedded = options.storage ? options.storage.capabilities.embedded : !options.databaseUrl;
  let key = await resolveKey(options, embedded);
  // One outage tracker for every connection of this Hookyard, so an outage is one log line, not one per pool.
  const storageOptions = {
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.listenDatabaseUrl ? { listenDatabaseUrl: options.listenDatabaseUrl } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.databaseTimeouts ? { timeouts: options.databaseTimeouts } : {}),
    log: options.log ?? createLogger('silent'),
  };
  const outage = outageTracker(storageOptions.log);
  const storage = options.storage ?? (await openStorage({ ...storageOptions, outage, ...(options.poolSize ? { poolSize: options.poolSize } : {}) }));
  const ownsStorage = !options.storage;
  let workerStorage: Storage | undefined;
  try {
    if (options.migrate !== false) await migrate(storage);
    if (options.endpointFailureThreshold !== undefined) await endpointHealthSettingSet(storage, options.endpointFailureThreshold);
    if (ownsStorage && storage.kind === 'postgres' && options.workerPoolSize) {
      workerStorage = await openStorage({ ...storageOptions, outage, poolSize: options.workerPoolSize, applicationName: 'hookyard-worker' });
    }
    // A key other than the one the stored secrets were sealed with is refused here, not at the first secret.
    key = await secretKeyVerify(storage, key, embedded && options.secretKey === undefined && options.dataDir ? { dataDir: options.dataDir } : {});
  } catch (error) {
    if (ownsStorage) await storage.close();
    throw error;
  }

  const listeners = new Set<() => void>();
  const counters = rollups(storage, { ...(options.rollupFlushMs ? { flushMs: options.rollupFlushMs } : {}), ...(options.log ? { log: options.log } : {}) });
  const signals = consoleSignals(counters);
  const ctx: Context = {
    storage,
    sealer: createSealer(key),
    now: options.now ?? (() => new Date()),
    limits: {
      maxPayloadBytes: options.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes,
      secretGraceMs: options.secretGraceMs ?? DEFAULTS.secretGraceMs,
    },
    onDeliveriesCreated: () => listeners.forEach((fn) => fn()),
    onMessagesCreated: signals.onMessagesCreated,
  };
  const validators = payloadValidators();
  const onDeliveriesCreated = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };

  const endpoints = endpointService(ctx, { allow: cidrList(options.allowCidrs) });
  const hookyard: Hookyard = {
    storage,
    applications: applicationService(ctx),
    eventTypes: eventTypeService(ctx, validators),
    endpoints,
    sources: sourceService(ctx, endpoints),
    messages: messageService(ctx, validators),
    deliveries: deliveryService(ctx),
    tasks: taskService(ctx),
    attempts: attemptService(storage),
    rollups: counters,
    operational: operationalService(ctx, { allow: cidrList(options.allowCidrs) }),
    // The composition root: the worker gets the parts of the context it needs, and nothing else does.
    // With `workerPoolSize` it runs on connections of its own, so publish load cannot starve delivery;
    // the in-process wake-ups are shared, so a publish here still wakes it at once.
    startWorker: (workerOptions, log) =>
      createWorker(
        { storage: workerStorage ?? storage, sealer: ctx.sealer, now: ctx.now, onDeliveriesCreated, onCompleted: signals.onCompleted },
        // The worker's SSRF guard admits what endpoint creation admits, unless told otherwise.
        { ...(options.allowCidrs === undefined ? {} : { allowCidrs: options.allowCidrs }), ...workerOptions },
        log,
      ),
    onDeliveriesCreated,
    async close() {
      // The last counters, while the storage is still open; an outage must not stop the close.
      await counters.stop().catch(() => {});
      await workerStorage?.close();
      if (ownsStorage) await storage.close();
    },
  };
  return hookyard;
}

