import { DISPLAY_CHARS, tokenCreate, tokenList, tokenRevoke, type ApiToken, type TokenScope } from '../auth/token.js';
import type { Config } from '../config/config.js';
import { HookyardError, type ErrorCode } from '../errors.js';
import { folderLockOwner, type LockOwner } from '../store/folder-lock.js';
import type { Queryable } from '../store/port.js';
import { hookyardOpen } from './open.js';

const USAGE = 'usage: hookyard token create [name] [--admin] | list | revoke <id, prefix or name>';

/** What `hookyard token` does, whether on the database or through a running server. */
interface TokenOps {
  create(name: string, scope: TokenScope): Promise<{ token: string; record: ApiToken }>;
  list(): Promise<ApiToken[]>;
  revoke(selector: string): Promise<ApiToken>;
}

const direct = (db: Queryable): TokenOps => ({
  create: (name, scope) => tokenCreate(db, name, scope),
  list: () => tokenList(db),
  revoke: (selector) => tokenRevoke(db, selector, { byToken: true }),
});

// A whole token is sent to the server as its display prefix, so it never travels in a URL.
const asSelector = (s: string) => (/^hy_[A-Za-z0-9_-]{40,}$/.test(s) ? s.slice(0, DISPLAY_CHARS) : s);

interface TokenJson {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt?: string | null;
}
const fromJson = (t: TokenJson): ApiToken => ({ ...t, createdAt: new Date(t.createdAt), revokedAt: t.revokedAt ? new Date(t.revokedAt) : null, lastUsedAt: t.lastUsedAt ? new Date(t.lastUsedAt) : null });

const CODES: Record<number, ErrorCode> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'validation' };

/**
 * Through the API of the server that holds the embedded data folder, with the
 * control token it left in the lock file: the server's own process writes,
 * and its lookup cache forgets a revoked token at once.
 */
function remote(owner: LockOwner): TokenOps {
  const control = owner.control!;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(control.url + path, {
        method,
        headers: { authorization: `Bearer ${control.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (cause) {
      throw new HookyardError('startup', `the server holding the data folder (process ${owner.pid}) does not answer at ${control.url}: ${(cause as Error).message}`, { cause });
    }
    const json = (await res.json().catch(() => ({}))) as { detail?: string | { loc: unknown[]; msg: string }[] };
    if (res.ok) return json as T;
    const detail = Array.isArray(json.detail) ? json.detail.map((d) => `${d.loc.slice(1).join('.')}: ${d.msg}`).join('; ') : (json.detail ?? `status ${res.status}`);
    throw new HookyardError(CODES[res.status] ?? 'startup', detail);
  }
  return {
    async create(name, scope) {
      const { token, ...record } = await call<TokenJson & { token: string }>('POST', '/api/v1/token', { name, scope });
      return { token, record: fromJson(record) };
    },
    list: async () => (await call<{ data: TokenJson[] }>('GET', '/api/v1/token')).data.map(fromJson),
    revoke: async (selector) => fromJson(await call<TokenJson>('POST', `/api/v1/token/${encodeURIComponent(asSelector(selector))}/revoke`)),
  };
}

async function run(ops: TokenOps, action: string, arg: string | undefined, admin: boolean): Promise<number> {
  switch (action) {
    case 'create': {
      const { token, record } = await ops.create(arg ?? 'token', admin ? 'admin' : 'api');
      console.log(`created ${record.id} (${record.name}, ${record.scope}). The token is shown only this once:\n\n  ${token}\n`);
      return 0;
    }
    case 'list': {
      const tokens = await ops.list();
      if (tokens.length === 0) console.log('no tokens');
      for (const t of tokens) {
        console.log(`${t.id}  ${t.prefix}…  ${t.name}  ${t.scope}  created ${t.createdAt.toISOString()}${t.revokedAt ? `  revoked ${t.revokedAt.toISOString()}` : ''}`);
      }
      return 0;
    }
    default: {
      const t = await ops.revoke(arg!);
      console.log(`revoked ${t.id} (${t.name})`);
      return 0;
    }
  }
}

/** `hookyard token create [name] [--admin] | list | revoke <id, prefix or name>` */
export async function tokenCommand(config: Config, [action, arg]: string[], { admin = false } = {}): Promise<number> {
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new HookyardError('config', USAGE);
  if (action === 'revoke' && !arg) throw new HookyardError('config', 'usage: hookyard token revoke <id, prefix or name>');
  // A server holding the embedded folder is asked; opening the folder a second time is refused.
  const owner = config.databaseUrl ? undefined : await folderLockOwner(config.dataDir);
  if (owner?.control) {
    console.error(`hookyard: ${config.dataDir} is held by process ${owner.pid} (${owner.command}); going through its API at ${owner.control.url}`);
    return run(remote(owner), action, arg, admin);
  }
  const hookyard = await hookyardOpen(config);
  try {
    return await run(direct(hookyard.storage), action, arg, admin);
  } finally {
    await hookyard.close();
  }
}
