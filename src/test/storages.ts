import { readFile } from 'node:fs/promises';
import { after, before, describe } from 'node:test';
import { openHookyard, type Hookyard, type HookyardOptions } from '../hookyard.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';
import { openPostgres } from '../store/postgres.js';
import type { Storage } from '../store/port.js';
import { pgliteMigratedImage } from './pglite-image.js';
import { scratchDatabaseCreate } from './scratch-database.js';

/**
 * Storage for tests. Every test file gets its own database: PGlite starts from
 * a migrated image made once per run (scripts/test.mjs), PostgreSQL gets a
 * fresh database on the server named by HOOKYARD_TEST_DATABASE_URL.
 */
export type StorageKind = 'pglite' | 'postgres';

export function storageKinds(): StorageKind[] {
  return process.env.HOOKYARD_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  kind: StorageKind;
  storage: Storage;
  /** The PostgreSQL URL of this test's database (postgres only), for tests that open their own clients. */
  url?: string;
  close(): Promise<void>;
}

let template: Promise<Blob> | undefined;

async function pgliteTemplate(): Promise<Blob> {
  const file = process.env.HOOKYARD_TEST_PGLITE_TEMPLATE;
  if (file) return new Blob([await readFile(file)]);
  // Run outside scripts/test.mjs (a single file by hand): build the image here.
  return pgliteMigratedImage();
}

/** A fresh, migrated database of the given kind. */
export async function testDatabase(kind: StorageKind, { migrated = true } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const storage = migrated ? await openPglite({ loadDataDir: await (template ??= pgliteTemplate()) }) : await openPglite();
    return { kind, storage, close: () => storage.close() };
  }
  const scratch = await scratchDatabaseCreate(process.env.HOOKYARD_TEST_DATABASE_URL!, 'hookyard_test');
  const storage = await openPostgres({ connectionString: scratch.url, max: 10 });
  if (migrated) await migrate(storage);
  return {
    kind,
    storage,
    url: scratch.url,
    async close() {
      await storage.close();
      await scratch.drop();
    },
  };
}

export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

/** Tests deliver to receivers on loopback, so their endpoints may name it. */
export const TEST_ALLOW_CIDRS = '127.0.0.0/8,::1/128';

export interface TestHookyard extends TestDatabase {
  hookyard: Hookyard;
}

/**
 * Runs `body` once per storage kind, each inside its own describe with a
 * fresh Hookyard; `env()` returns it inside tests.
 */
export function describeEachStorage(
  title: string,
  body: (env: () => TestHookyard) => void,
  options: Partial<HookyardOptions> = {},
  kinds: StorageKind[] = storageKinds(),
): void {
  for (const kind of kinds.filter((k) => storageKinds().includes(k))) {
    describe(`${title} [${kind}]`, () => {
      let env: TestHookyard | undefined;
      before(async () => {
        const database = await testDatabase(kind);
        const hookyard = await openHookyard({ storage: database.storage, secretKey: TEST_SECRET_KEY, migrate: false, allowCidrs: TEST_ALLOW_CIDRS, ...options });
        env = { ...database, hookyard };
      });
      after(async () => {
        await env?.hookyard.close();
        await env?.close();
      });
      body(() => env!);
    });
  }
}
