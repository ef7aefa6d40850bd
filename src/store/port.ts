/**
 * The storage port. Everything above this file talks to the database through
 * these three verbs, so PostgreSQL (`pg`) and PGlite are interchangeable, and a
 * caller's own `pg` client (inside the caller's transaction) fits `Queryable`.
 */
export interface QueryResult<R> {
  rows: R[];
  /** Rows changed by INSERT/UPDATE/DELETE, when the driver reports it. */
  rowCount?: number | null;
}

/** Anything that runs one parameterised statement: a pool, a transaction, a caller's `pg.Client`. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export type Unlisten = () => Promise<void>;

export interface ListenOptions {
  /**
   * Called each time the subscription is live again after a gap (a lost connection, a database
   * restart, or a database that was away when `listen` was called). Notifications sent during
   * the gap are lost, so this is the moment to look for work. PGlite never has a gap.
   */
  onReconnect?: () => void;
}

export interface TransactionOptions {
  /**
   * `false` runs without the statement and idle-in-transaction timeouts, on a connection of its
   * own: for migrations, whose statements may rebuild large indexes. Default true.
   */
  timeouts?: boolean;
}

/**
 * Errors that mean the database is away (down, restarting, unreachable, a statement timed out)
 * reach callers as `HookyardError` with code `database_unavailable` (see unavailable.ts); every
 * other database error comes through as the driver raised it.
 */
/** What the code above the port may rely on, instead of asking which database it is. */
export interface StorageCapabilities {
  /** The database lives in this process (PGlite): no other process can reach it. */
  embedded: boolean;
  /** The server vacuums and analyzes tables by itself (PostgreSQL's autovacuum); PGlite does not. */
  autovacuum: boolean;
}

export interface Storage extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  readonly capabilities: StorageCapabilities;
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel`; resolves once the subscription is live or, when the
   * database cannot be reached, once the first try has failed. Either way it is kept alive from
   * then on (reconnecting as needed) until unlistened or closed; see `onReconnect`.
   */
  listen(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<Unlisten>;
  close(): Promise<void>;
}
