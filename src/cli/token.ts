import { tokenCreate, tokenList, tokenRevoke } from '../auth/token.js';
import type { Config } from '../config/config.js';
import { HookyardError } from '../errors.js';
import { openHookyard } from '../hookyard.js';
import { hookyardOptions } from './serve.js';

/** `hookyard token create <name> | list | revoke <id-or-prefix>` */
export async function tokenCommand(config: Config, [action, arg]: string[]): Promise<number> {
  const hookyard = await openHookyard(hookyardOptions(config));
  try {
    switch (action) {
      case 'create': {
        const { token, record } = await tokenCreate(hookyard.storage, arg ?? 'token');
        console.log(`created ${record.id} (${record.name}). The token is shown only this once:\n\n  ${token}\n`);
        return 0;
      }
      case 'list': {
        const tokens = await tokenList(hookyard.storage);
        if (tokens.length === 0) console.log('no tokens');
        for (const t of tokens) {
          console.log(`${t.id}  ${t.prefix}…  ${t.name}  created ${t.createdAt.toISOString()}${t.revokedAt ? `  revoked ${t.revokedAt.toISOString()}` : ''}`);
        }
        return 0;
      }
      case 'revoke': {
        if (!arg) throw new HookyardError('config', 'usage: hookyard token revoke <id or prefix>');
        const t = await tokenRevoke(hookyard.storage, arg);
        console.log(`revoked ${t.id} (${t.name})`);
        return 0;
      }
      default:
        throw new HookyardError('config', 'usage: hookyard token create [name] | list | revoke <id or prefix>');
    }
  } finally {
    await hookyard.close();
  }
}
