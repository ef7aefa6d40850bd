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
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; resolves once the subscription is live. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten>;
  close(): Promise<void>;
}
