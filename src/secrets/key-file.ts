import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HookyardError } from '../errors.js';
import { KEY_BYTES, parseSecretKey } from './seal.js';

/**
 * Embedded mode keeps its encryption key beside the database, readable only by
 * the owner, and creates it on first start. (PostgreSQL mode must be given a
 * key: the database may outlive any one machine's files.)
 */
export const secretKeyFile = (dataDir: string) => join(dataDir, 'secret.key');
/** A rotation writes the new key here first; the rename after the database commit makes it current. */
export const stagedKeyFile = (dataDir: string) => join(dataDir, 'secret.key.new');

export async function secretKeyLoadOrCreate(dataDir: string): Promise<Buffer> {
  const file = secretKeyFile(dataDir);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    try {
      return parseSecretKey(text);
    } catch (cause) {
      throw new HookyardError('secret_key', `HOOKYARD_DATA_DIR (--data-dir): ${file} does not hold a ${KEY_BYTES}-byte key; restore it from a backup`, { cause });
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // 'wx' fails if another process created the file first; then use theirs.
  try {
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseSecretKey(await readFile(file, 'utf8'));
  }
}

/** The staged key of a rotation that did not finish, if there is one. */
export async function stagedKeyRead(dataDir: string): Promise<Buffer | undefined> {
  try {
    return parseSecretKey(await readFile(stagedKeyFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes the next key to disk (flushed) before the database is re-encrypted under it. */
export async function stagedKeyWrite(dataDir: string, key: Buffer): Promise<void> {
  await unlink(stagedKeyFile(dataDir)).catch(() => {});
  const handle = await open(stagedKeyFile(dataDir), 'wx', 0o600);
  try {
    await handle.writeFile(key.toString('base64') + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the staged key the folder's key. */
export async function stagedKeyCommit(dataDir: string): Promise<void> {
  await rename(stagedKeyFile(dataDir), secretKeyFile(dataDir));
}

export const stagedKeyDiscard = (dataDir: string) => unlink(stagedKeyFile(dataDir)).catch(() => {});
