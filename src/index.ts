/** Hookyard as a library: open it on a storage, manage resources, publish messages. */
export { openHookyard, type Hookyard, type HookyardOptions } from './hookyard.js';
export { HookyardError, type ErrorCode, type FieldError } from './errors.js';
export type { Storage, Queryable, ListenOptions, TransactionOptions } from './store/port.js';
export { openPostgres, type PostgresOptions } from './store/postgres.js';
export type { DatabaseTimeouts } from './store/settings.js';
export { openPglite } from './store/pglite.js';
export { migrate } from './store/migrate.js';
export type { Page, PageQuery } from './store/page.js';
export type { Application, ApplicationIn, ApplicationPatch } from './application/model.js';
export type { EventType, EventTypeIn } from './event-type/model.js';
export type { Endpoint, EndpointIn, EndpointUpdate, EndpointPatch } from './endpoint/model.js';
export { jsonText, JsonText, PAYLOAD_MAX_DEPTH, type IdempotencyClaim, type Message, type MessageIn, type PublishOnceResult, type PublishOptions, type PublishResult } from './message/model.js';
export { DELIVERY_STATES, type DeliveryState } from './delivery/state.js';
export { startWorker, type Worker, type WorkerOptions } from './delivery/worker.js';
export { workerOptionsFromConfig } from './delivery/options.js';
export type { DeliveryService } from './delivery/service.js';
export { sign, verify, type SignInput, type VerifyResult } from './signing/sign.js';
