import { randomBytes } from 'node:crypto';
import { openHookyard, type Hookyard } from '../dist/hookyard.js';
import { openPostgres } from '../dist/store/postgres.js';
import { scratchDatabaseCreate } from '../dist/test/scratch-database.js';
import type { BenchContext } from './main.js';

// The bench's receivers listen on loopback.
const BENCH_ALLOW = '127.0.0.0/8';

/** A Hookyard on a fresh database of each kind asked for; PostgreSQL is skipped (and said so) when unreachable. */
export interface BenchTarget {
  kind: 'pglite' | 'postgres';
  hookyard: Hookyard;
  drop: () => Promise<void>;
  /** For PostgreSQL: what another process needs to open the same Hookyard. */
  shared?: { databaseUrl: string; secretKey: Buffer };
}

export async function benchTargets({ databaseUrl, storages }: BenchContext): Promise<BenchTarget[]> {
  const targets: BenchTarget[] = [];
  const key = randomBytes(32);
  if (storages.has('pglite')) targets.push({ kind: 'pglite', hookyard: await openHookyard({ secretKey: key, allowCidrs: BENCH_ALLOW }), drop: async () => {} });
  if (!databaseUrl || !storages.has('postgres')) return targets;
  let scratch;
  try {
    scratch = await scratchDatabaseCreate(databaseUrl, 'hookyard_bench');
  } catch (error) {
    console.log(`  (postgres skipped: ${(error as Error).message})`);
    return targets;
  }
  const storage = await openPostgres({ connectionString: scratch.url, max: 10 });
  targets.push({
    kind: 'postgres',
    hookyard: await openHookyard({ storage, secretKey: key, allowCidrs: BENCH_ALLOW }),
    shared: { databaseUrl: scratch.url, secretKey: key },
    async drop() {
      await storage.close();
      await scratch.drop();
    },
  });
  return targets;
}

export function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}
