import { HookyardError } from '../errors.js';
import type { Queryable, Storage } from '../store/port.js';
import { fingerprintGet, fingerprintShort, fingerprintUpdate, secretKeyFingerprint } from './key-check.js';
import { createSealer } from './seal.js';

/**
 * Every column that holds values sealed with the secret key. A rotation must
 * re-seal all of them in one transaction, so this list is the one place that
 * names them (rotate.test.ts checks it against every bytea column of the
 * schema). `context` is the column bound as associated data when sealing.
 */
export interface SealedColumn {
  table: string;
  /** The row's primary key, and its SQL type. */
  key: string;
  keyType: 'bigint' | 'text';
  context: string;
  column: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'endpoint_secret', key: 'id', keyType: 'bigint', context: 'endpoint_id', column: 'sealed' },
  // Sources (src/inbound/): the receiving key, and the config's secret fields.
  { table: 'inbound_source', key: 'id', keyType: 'text', context: 'id', column: 'token_sealed' },
  { table: 'inbound_source', key: 'id', keyType: 'text', context: 'id', column: 'config_sealed' },
];

const BATCH = 500; // rows re-sealed per UPDATE

interface SealedRow {
  key: string;
  context: string;
  sealed: Buffer | Uint8Array;
}

// Identifiers come from the constant list above, never from input.
async function resealColumn(tx: Queryable, c: SealedColumn, open: (sealed: Buffer, context: string) => string, seal: (plain: string, context: string) => Buffer): Promise<number> {
  // EXCLUSIVE: readers go on with the old values until commit; writers wait, so no row is missed.
  await tx.query(`lock table hookyard.${c.table} in exclusive mode`);
  const { rows } = await tx.query<SealedRow>(
    `select ${c.key}::text as key, ${c.context}::text as context, ${c.column} as sealed from hookyard.${c.table} where ${c.column} is not null order by ${c.key}`,
  );
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const keys = batch.map((r) => r.key);
    const values = batch.map((r) => seal(open(Buffer.from(r.sealed), r.context), r.context).toString('hex'));
    await tx.query(
      `update hookyard.${c.table} t set ${c.column} = decode(v.sealed, 'hex')
         from (select unnest($1::text[])::${c.keyType} as key, unnest($2::text[]) as sealed) v
        where t.${c.key} = v.key`,
      [keys, values],
    );
  }
  return rows.length;
}

export interface RotateResult {
  resealed: number;
  from: string;
  to: string;
}

/**
 * Re-seals every stored secret under `newKey` and records its fingerprint, in
 * one transaction: it all changes or nothing does. A value that the old key
 * cannot open stops the rotation and names its row.
 */
export async function secretKeyRotate(storage: Storage, oldKey: Buffer, newKey: Buffer): Promise<RotateResult> {
  const from = secretKeyFingerprint(oldKey);
  const to = secretKeyFingerprint(newKey);
  if (from === to) throw new HookyardError('config', 'HOOKYARD_NEW_SECRET_KEY (--new-secret-key): the new key is the current key');
  const oldSealer = createSealer(oldKey);
  const newSealer = createSealer(newKey);
  return storage.transaction(async (tx) => {
    // The row lock makes two rotations take turns; the second finds the fingerprint changed.
    const current = await fingerprintGet(tx, { forUpdate: true });
    if (current !== undefined && current !== from) {
      throw new HookyardError('secret_key', `HOOKYARD_SECRET_KEY (--secret-key): the current key (fingerprint ${fingerprintShort(from)}) is not the database's (fingerprint ${fingerprintShort(current)})`);
    }
    let resealed = 0;
    for (const c of SEALED_COLUMNS) resealed += await resealColumn(tx, c, oldSealer.open, newSealer.seal);
    await fingerprintUpdate(tx, to);
    return { resealed, from: fingerprintShort(from), to: fingerprintShort(to) };
  });
}

/**
 * Other Hookyard sessions on this PostgreSQL database. They would go on
 * sealing with the old key after a rotation, so `secret-key rotate` refuses
 * while any is connected. (Sessions are told apart by application_name.)
 */
export async function hookyardSessionsOther(db: Queryable): Promise<{ pid: number; client: string | null; since: Date }[]> {
  const { rows } = await db.query<{ pid: number; client: string | null; since: Date }>(
    `select pid, client_addr::text as client, backend_start as since from pg_stat_activity
      where datname = current_database() and application_name = 'hookyard' and pid <> pg_backend_pid()`,
  );
  return rows;
}
