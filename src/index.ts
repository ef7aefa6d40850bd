/** Hookyard as a library: open it on a storage, manage resources, publish messages. */
export { openHookyard, type Hookyard, type HookyardOptions } from './hookyard.js';
export { HookyardError, type ErrorCode, type FieldError } from './errors.js';
export type { Storage, Queryable } from './store/port.js';
export { openPostgres } from './store/postgres.js';
export { openPglite } from './store/pglite.js';
export { migrate } from './store/migrate.js';
export type { Page, PageQuery } from './store/page.js';
export type { Application, ApplicationIn, ApplicationPatch } from './application/model.js';
export type { EventType, EventTypeIn } from './event-type/model.js';
export type { Endpoint, EndpointIn, EndpointUpdate, EndpointPatch } from './endpoint/model.js';
export type { Message, MessageIn, PublishOptions, PublishResult } from './message/model.js';
export { DELIVERY_STATES, type DeliveryState } from './delivery/state.js';
export { startWorker, type Worker, type WorkerOptions } from './delivery/worker.js';
export { workerOptionsFromConfig } from './config/options.js';
export type { DeliveryService } from './delivery/service.js';
export { sign, verify, type SignInput, type VerifyResult } from './signing/sign.js';
