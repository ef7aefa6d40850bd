import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY_BYTES, parseSecretKey } from './seal.js';

/**
 * Embedded mode keeps its encryption key beside the database, readable only by
 * the owner, and creates it on first start. (PostgreSQL mode must be given a
 * key: the database may outlive any one machine's files.)
 */
export async function secretKeyLoadOrCreate(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, 'secret.key');
  try {
    return parseSecretKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
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
