import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { HookyardError } from '../errors.js';
import { secretKeyVerify } from '../secrets/key-check.js';
import { secretKeyFile, secretKeyLoadOrCreate, stagedKeyCommit, stagedKeyDiscard, stagedKeyWrite } from '../secrets/key-file.js';
import { hookyardSessionsOther, secretKeyRotate } from '../secrets/rotate.js';
import { KEY_BYTES, parseSecretKey } from '../secrets/seal.js';
import { migrate } from '../store/migrate.js';
import { storageOpen } from './open.js';

const USAGE = 'usage: hookyard secret-key rotate [--new-secret-key KEY] [--force]';

function newKeyFrom(config: Config, keyInFolder: boolean): Buffer {
  if (config.newSecretKey) {
    try {
      return parseSecretKey(config.newSecretKey);
    } catch (cause) {
      throw new HookyardError('config', `HOOKYARD_NEW_SECRET_KEY (--new-secret-key): must be ${KEY_BYTES} bytes, as base64 or hex; for example: openssl rand -base64 32`, { cause });
    }
  }
  // The folder keeps its own key, so it may make the next one; a key given in the environment must be replaced by the operator.
  if (keyInFolder) return randomBytes(KEY_BYTES);
  throw new HookyardError('config', 'HOOKYARD_NEW_SECRET_KEY (--new-secret-key): required when the current key is given in HOOKYARD_SECRET_KEY; make one with: openssl rand -base64 32');
}

/**
 * `hookyard secret-key rotate`: re-encrypts every stored secret under a new
 * key, in one transaction, and records the new key's fingerprint. Every other
 * Hookyard process must be stopped first, or it would go on sealing with the
 * old key: embedded mode's folder lock enforces that, and on PostgreSQL the
 * command refuses while other Hookyard sessions are connected (unless --force).
 * In embedded mode without HOOKYARD_SECRET_KEY, the folder's secret.key is
 * replaced: the new key is written beside it first and renamed over it once the
 * database has committed (a start in between finishes the rename).
 */
export async function secretKeyCommand(config: Config, [action]: string[], { force = false } = {}): Promise<number> {
  if (action !== 'rotate') throw new HookyardError('config', USAGE);
  const keyInFolder = !config.databaseUrl && !config.secretKey;
  const newKey = newKeyFrom(config, keyInFolder);
  if (!keyInFolder && !config.secretKey) {
    throw new HookyardError('config', 'HOOKYARD_SECRET_KEY (--secret-key): required: the current key, which the stored secrets are sealed with');
  }
  const storage = await storageOpen(config, 'hookyard secret-key rotate');
  try {
    await migrate(storage);
    const given = keyInFolder ? await secretKeyLoadOrCreate(config.dataDir) : parseSecretKey(config.secretKey!);
    const oldKey = await secretKeyVerify(storage, given, keyInFolder ? { dataDir: config.dataDir } : {});
    if (storage.kind === 'postgres' && !force) {
      const others = await hookyardSessionsOther(storage);
      if (others.length) {
        const from = [...new Set(others.map((o) => o.client ?? 'a local socket'))].join(', ');
        throw new HookyardError('secret_key', `${others.length} other Hookyard connection(s) to this database are open (from ${from}); stop every Hookyard process first, since one still running would go on sealing with the old key (or pass --force)`);
      }
    }
    if (keyInFolder) await stagedKeyWrite(config.dataDir, newKey);
    let result;
    try {
      result = await secretKeyRotate(storage, oldKey, newKey);
    } catch (error) {
      if (keyInFolder) await stagedKeyDiscard(config.dataDir);
      throw error;
    }
    if (keyInFolder) await stagedKeyCommit(config.dataDir);
    console.log(`re-encrypted ${result.resealed} secret(s): key ${result.from} → ${result.to}`);
    console.log(keyInFolder ? `${secretKeyFile(config.dataDir)} now holds the new key` : 'now start every Hookyard process with the new key as HOOKYARD_SECRET_KEY');
    return 0;
  } finally {
    await storage.close();
  }
}
