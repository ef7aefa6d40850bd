import pg from 'pg';
import type { Queryable, QueryResult, Storage, Unlisten } from './port.js';

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
  /** Pool size; API and worker share it. */
  max?: number;
  applicationName?: string;
}

export async function openPostgres({ connectionString, max = 10, applicationName = 'hookyard' }: PostgresOptions): Promise<Storage> {
  const pool = new pg.Pool({ connectionString, max, types, application_name: applicationName });
  // An idle client that loses its connection emits 'error' on the pool; without
  // a listener Node would crash the process. The next query simply gets a new client.
  pool.on('error', () => {});
  const probe = await pool.connect();
  probe.release();

  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: pg.PoolClient | undefined;

  async function listenConnection(): Promise<pg.PoolClient> {
    if (listenClient) return listenClient;
    const client = await pool.connect();
    client.on('notification', (msg) => {
      for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '');
    });
    listenClient = client;
    return client;
  }

  return {
    kind: 'postgres',
    capabilities: { embedded: false, autovacuum: true },
    // Statements go unnamed, planned per call. Named (prepared) ones were tried: a generic plan
    // cached while the delivery table was small made the claim twice as costly once it had grown.
    query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      return pool.query(text, params as unknown[]) as unknown as Promise<QueryResult<R>>;
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(client as unknown as Queryable);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten> {
      const client = await listenConnection();
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      }
      set.add(onNotify);
      return async () => {
        set.delete(onNotify);
      };
    },
    async close() {
      listenClient?.release();
      listenClient = undefined;
      await pool.end();
    },
  };
}
