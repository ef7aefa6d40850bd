import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { openPostgres } from '../store/postgres.js';

/** A Hookyard on a fresh database of each kind; PostgreSQL is skipped (and said so) when unreachable. */
export async function benchTargets(databaseUrl: string | undefined): Promise<{ kind: string; hookyard: Hookyard; drop: () => Promise<void> }[]> {
  const targets = [];
  const key = randomBytes(32);
  targets.push({ kind: 'pglite', hookyard: await openHookyard({ secretKey: key }), drop: async () => {} });
  if (!databaseUrl) return targets;
  const name = `hookyard_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (error) {
    console.log(`  (postgres skipped: ${(error as Error).message})`);
    return targets;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const storage = await openPostgres({ connectionString: url.toString(), max: 10 });
  targets.push({
    kind: 'postgres',
    hookyard: await openHookyard({ storage, secretKey: key }),
    async drop() {
      await storage.close();
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  });
  return targets;
}

export function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}
