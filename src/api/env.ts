import type { Logger } from '../log.js';

/** What middleware leaves on each request's context. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** The id of the API token that authenticated the request. */
    tokenId: string;
  };
}
