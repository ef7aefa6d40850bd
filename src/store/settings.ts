/**
 * How PostgreSQL connections are sized and bounded, with the defaults that
 * `src/config/` and the adapter share. PGlite runs in this process and has
 * none of these: there is no connection to lose.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in the pool (ms). */
  connectMs: number;
  /**
   * Longest statement (ms), enforced by the server; 0 = none. The client also gives up on a
   * statement that has had no answer `CLIENT_MARGIN_MS` after that, and drops its connection:
   * that is what bounds a statement when the network, not the server, is what stalls.
   */
  statementMs: number;
  /** A transaction left idle this long is ended by the server, releasing its locks (ms); 0 = none. */
  idleInTransactionMs: number;
}

export const DATABASE_DEFAULTS = {
  /** Connections per pool: the API's under `--role all` and `--role api`, the worker's under `--role worker`. */
  poolSize: 10,
  /** Under `--role all`, the delivery worker's own pool, so publish load cannot starve delivery. */
  workerPoolSize: 4,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 10_000,
} as const;

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = {
  connectMs: DATABASE_DEFAULTS.connectTimeoutMs,
  statementMs: DATABASE_DEFAULTS.statementTimeoutMs,
  idleInTransactionMs: DATABASE_DEFAULTS.idleInTransactionTimeoutMs,
};

/** How much longer than the server's statement timeout the client waits for an answer (ms). */
export const CLIENT_MARGIN_MS = 2_000;
