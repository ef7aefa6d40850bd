import type { Principal } from '../auth/principal.js';
import type { Session } from '../console/session.js';
import type { Logger } from '../log.js';
import type { IdempotencyRequest } from './idempotency.js';

/** What middleware leaves on each request's context. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** The request body's bytes, read once (body.ts). */
    body: Buffer | undefined;
    /** The id of the API token that authenticated the request. */
    tokenId: string;
    /** The token's scope, application and expiry, and whether it came by header or session. */
    principal: Principal;
    /** The console session, when the request came with its cookie. */
    session: Session | undefined;
    /** An Idempotency-Key handed to a route that records it itself (publish). */
    idempotency: IdempotencyRequest | undefined;
    /** Set by such a route once its statement has checked or recorded the key. */
    idempotencyHandled: boolean | undefined;
  };
}
