import pg from 'pg';
import { createLogger, type Logger } from '../log.js';
import { createNotifier, type Notifier } from './notifier.js';
import { outageTracker, type Outage } from './outage.js';
import type { ListenOptions, Queryable, QueryResult, Storage, TransactionOptions, Unlisten } from './port.js';
import { CLIENT_MARGIN_MS, DATABASE_DEFAULTS, DEFAULT_TIMEOUTS, type DatabaseTimeouts } from './settings.js';
import { databaseUnavailable, unavailableWrap } from './unavailable.js';

// Counts and delivery ids are int8; both adapters hand them back as numbers
// (they stay far below 2^53) so no code above the port sees a driver difference.
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PostgresOptions {
  connectionString: string;
  /** The LISTEN connection's URL, when `connectionString` goes through a transaction-mode pooler (default: the same). */
  listenConnectionString?: string;
  /** Pool size. */
  max?: number;
  /** Shown in pg_stat_activity; the LISTEN connection gets `<name>-listen`. */
  applicationName?: string;
  timeouts?: Partial<DatabaseTimeouts>;
  /** For outage and LISTEN lines; silent when omitted. */
  log?: Logger;
  /** Shared by every storage of a process, so an outage is logged once, not once per pool. */
  outage?: Outage;
}

export async function openPostgres(options: PostgresOptions): Promise<Storage> {
  const { connectionString, listenConnectionString = connectionString, max = DATABASE_DEFAULTS.poolSize, applicationName = 'hookyard' } = options;
  const log = options.log ?? createLogger('silent');
  const outage = options.outage ?? outageTracker(log);
  const timeouts: DatabaseTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // keepAlive lets the kernel notice an idle connection whose peer vanished.
  const connection: pg.ClientConfig = { types, keepAlive: true, connectionTimeoutMillis: timeouts.connectMs };
  // Sent as startup parameters, so they hold for every statement on the connection at no cost
  // per statement. `query_timeout` is the client's own limit, for when the network stalls and the
  // server's limit never gets a chance to answer; on it the pool drops the connection.
  const bounds: pg.ClientConfig = {
    ...(timeouts.statementMs > 0 ? { statement_timeout: timeouts.statementMs, query_timeout: timeouts.statementMs + CLIENT_MARGIN_MS } : {}),
    ...(timeouts.idleInTransactionMs > 0 ? { idle_in_transaction_session_timeout: timeouts.idleInTransactionMs } : {}),
  };
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, ...connection, ...bounds });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node
  // would end the process. The pool forgets that client; the next statement gets a new one.
  pool.on('error', (error) => log.debug({ err: error }, 'an idle database connection was lost'));
  try {
    const probe = await pool.connect();
    probe.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw unavailableWrap(error);
  }

  /** Reports a failure to the outage tracker and returns what the caller should see. */
  function failed(error: unknown): unknown {
    outage.failed(error);
    return unavailableWrap(error);
  }

  async function run<T>(client: pg.ClientBase, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    await client.query('begin');
    const result = await fn(client as unknown as Queryable);
    await client.query('commit');
    return result;
  }

  /** Migrations: a connection of their own, with none of the statement bounds. */
  async function transactionUnbounded<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const sentAt = performance.now();
    const client = new pg.Client({ connectionString, application_name: applicationName, ...connection });
    client.on('error', () => {}); // a lost connection fails the statement in flight, which is reported
    try {
      await client.connect();
    } catch (error) {
      throw failed(error);
    }
    try {
      const result = await run(client, fn);
      outage.succeeded(sentAt);
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw failed(error);
    } finally {
      await client.end().catch(() => {});
    }
  }

  let notifier: Notifier | undefined;
  const listenClient = () => new pg.Client({ connectionString: listenConnectionString, application_name: `${applicationName}-listen`, ...connection });

  return {
    kind: 'postgres',
    capabilities: { embedded: false, autovacuum: true },
    // Statements go unnamed, planned per call. Named (prepared) ones were tried: a generic plan
    // cached while the delivery table was small made the claim twice as costly once it had grown.
    query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      const sentAt = performance.now();
      return (pool.query(text, params as unknown[]) as unknown as Promise<QueryResult<R>>).then(
        (result) => {
          outage.succeeded(sentAt);
          return result;
        },
        (error: unknown) => {
          throw failed(error);
        },
      );
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      if (options.timeouts === false) return transactionUnbounded(fn);
      const sentAt = performance.now();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw failed(error);
      }
      // A checked-out client has no listener of the pool's, so a connection lost while we hold it
      // (a restart, pg_terminate_backend) would be an unhandled 'error' that ends the process. The
      // statement in flight fails by itself; this notes that the connection is gone, so that it is
      // destroyed rather than given back to the pool.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost ??= error;
      };
      client.on('error', onError);
      try {
        const result = await run(client, fn);
        outage.succeeded(sentAt);
        return result;
      } catch (error) {
        if (lost === undefined && databaseUnavailable(error)) lost = error instanceof Error ? error : new Error(String(error));
        if (lost === undefined) {
          await client.query('rollback').catch((e: unknown) => {
            lost = e instanceof Error ? e : new Error(String(e));
          });
        }
        throw failed(error);
      } finally {
        client.off('error', onError);
        client.release(lost);
      }
    },
    async listen(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<Unlisten> {
      notifier ??= createNotifier({ newClient: listenClient, log, outage });
      return notifier.listen(channel, onNotify, options);
    },
    async close() {
      await notifier?.close();
      await pool.end();
    },
  };
}
