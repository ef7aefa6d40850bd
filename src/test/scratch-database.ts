import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A throwaway database on a PostgreSQL server, for a test file or a benchmark run. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates `<prefix>_<random>` on the server `adminUrl` points at; the name is ours, never input.
 * `icuLocale` gives the database a linguistic default collation (as many installations have),
 * for tests of what must not depend on it.
 */
export async function scratchDatabaseCreate(adminUrl: string, prefix: 'hookyard_test' | 'hookyard_bench', { icuLocale }: { icuLocale?: 'en-US' } = {}): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const locale = icuLocale ? ` template template0 locale_provider icu icu_locale '${icuLocale}'` : '';
  await adminQuery(adminUrl, `create database ${name}${locale}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
  };
}
