import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';

/**
 * A dump of a freshly migrated PGlite database. Tests load it instead of
 * paying for a cold PGlite start and the migrations in every file.
 */
export async function pgliteMigratedImage(): Promise<Blob> {
  const dir = await mkdtemp(join(tmpdir(), 'hookyard-template-'));
  try {
    // openPglite gives the storage port migrate() needs; PGlite itself does the dump.
    const storage = await openPglite({ dataDir: dir });
    await migrate(storage);
    await storage.close();
    const db = await PGlite.create(dir);
    const dump = await db.dumpDataDir('none');
    await db.close();
    return dump;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
