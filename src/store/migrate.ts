import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { HookyardError } from '../errors.js';
import type { Storage } from './port.js';

// src/store and dist/store are both two levels below the package root.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Any fixed 64-bit number; every Hookyard process uses the same one.
const MIGRATION_LOCK = 7_205_759_403_792_793;

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

let cached: Promise<Migration[]> | undefined;

/** The migrations shipped with this code, in order. Files are `NNN_name.sql`. */
export function migrationsLoad(): Promise<Migration[]> {
  cached ??= (async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
    return Promise.all(
      files.map(async (file) => ({
        id: Number(file.slice(0, 3)),
        name: file.slice(4, -4),
        sql: await readFile(MIGRATIONS_DIR + file, 'utf8'),
      })),
    );
  })();
  return cached;
}

export interface MigrateResult {
  applied: string[];
  version: number;
}

/**
 * Brings the schema up to date. The whole run is one transaction holding an
 * advisory lock, so processes that start together apply each migration once
 * and a failed migration leaves nothing behind. It runs without the statement
 * timeout: a migration may rebuild a large table's indexes.
 */
export async function migrate(storage: Storage): Promise<MigrateResult> {
  const migrations = await migrationsLoad();
  const latest = migrations.at(-1)?.id ?? 0;
  return storage.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query('create schema if not exists hookyard');
    await tx.query(`create table if not exists hookyard.migration (
      id integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await tx.query<{ id: number }>('select id from hookyard.migration order by id');
    const done = new Set(rows.map((r) => r.id));
    const newest = rows.at(-1)?.id ?? 0;
    if (newest > latest) {
      throw new HookyardError(
        'database_too_new',
        `the database schema is at migration ${newest}, but this Hookyard knows only up to ${latest}; upgrade Hookyard before using this database`,
      );
    }
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.query(m.sql);
      await tx.query('insert into hookyard.migration (id, name) values ($1, $2)', [m.id, m.name]);
      applied.push(`${String(m.id).padStart(3, '0')}_${m.name}`);
    }
    return { applied, version: latest };
  }, { timeouts: false });
}
