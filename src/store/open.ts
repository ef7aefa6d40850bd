import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage } from './port.js';
import { openPostgres } from './postgres.js';
import { openPglite } from './pglite.js';

export interface StorageOptions {
  /** postgres://... — when set, PostgreSQL; otherwise embedded PGlite. */
  databaseUrl?: string;
  /** Hookyard's data folder (the database lives in its `pgdata/`); omitted means in-memory. */
  dataDir?: string;
  poolSize?: number;
}

export async function openStorage({ databaseUrl, dataDir, poolSize }: StorageOptions): Promise<Storage> {
  if (databaseUrl) return openPostgres({ connectionString: databaseUrl, ...(poolSize ? { max: poolSize } : {}) });
  if (!dataDir) return openPglite();
  // The data folder also holds the secret key, so the database gets a subfolder of its own.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  return openPglite({ dataDir: join(dataDir, 'pgdata') });
}
