import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { Outage } from './outage.js';
import { HookyardError } from '../errors.js';
import { folderLockAcquire } from './folder-lock.js';
import type { Storage } from './port.js';
import { openPostgres } from './postgres.js';
import { openPglite } from './pglite.js';
import type { DatabaseTimeouts } from './settings.js';

export interface StorageOptions {
  /** postgres://... — when set, PostgreSQL; otherwise embedded PGlite. */
  databaseUrl?: string;
  /** A direct (session) URL for LISTEN, when `databaseUrl` goes through a transaction-mode pooler. */
  listenDatabaseUrl?: string;
  /** Hookyard's data folder (the database lives in its `pgdata/`); omitted means in-memory. */
  dataDir?: string;
  poolSize?: number;
  /** PostgreSQL's connections in pg_stat_activity. */
  applicationName?: string;
  timeouts?: Partial<DatabaseTimeouts>;
  log?: Logger;
  outage?: Outage;
}

export async function openStorage({ databaseUrl, listenDatabaseUrl, dataDir, poolSize, applicationName, timeouts, log, outage }: StorageOptions): Promise<Storage> {
  if (databaseUrl) {
    return openPostgres({
      connectionString: databaseUrl,
      ...(listenDatabaseUrl ? { listenConnectionString: listenDatabaseUrl } : {}),
      ...(poolSize ? { max: poolSize } : {}),
      ...(applicationName ? { applicationName } : {}),
      ...(timeouts ? { timeouts } : {}),
      ...(log ? { log } : {}),
      ...(outage ? { outage } : {}),
    });
  }
  if (!dataDir) return openPglite();
  // The data folder also holds the secret key, so the database gets a subfolder of its own.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // One process at a time (see folder-lock.ts); the lock goes when the storage closes.
  const lock = await folderLockAcquire(dataDir);
  let storage: Storage;
  try {
    storage = await openPglite({ dataDir: join(dataDir, 'pgdata') });
  } catch (cause) {
    await lock.release();
    // PGlite reports a damaged folder as a bare WebAssembly `RuntimeError: Aborted()`.
    const what = cause instanceof Error && cause.name === 'RuntimeError' ? 'PGlite aborted' : String((cause as Error)?.message ?? cause);
    throw new HookyardError(
      'startup',
      `HOOKYARD_DATA_DIR (--data-dir): the embedded database in ${join(dataDir, 'pgdata')} could not be opened (${what}); the folder may be damaged or from another PGlite version: restore it from a backup, or use another folder`,
      { cause },
    );
  }
  return {
    ...storage,
    async close() {
      try {
        await storage.close();
      } finally {
        await lock.release();
      }
    },
  };
}
