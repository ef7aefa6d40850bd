import { HookyardError } from '../errors.js';

/**
 * Start-up mistakes in one line each, naming the setting and what to do, in
 * the style of configuration errors (`HOOKYARD_PORT (--port): …`). Pure: the
 * error and the settings in, a line out (or undefined for an error this does
 * not know, which is a bug and keeps its stack). Never echoes a password.
 */
interface Failure {
  code?: string;
  syscall?: string;
  hostname?: string;
  address?: string;
  port?: number;
  message?: string;
  errors?: Failure[];
}

const DB = 'DATABASE_URL (--database-url)';

/** `user@host:port/db`, from a PostgreSQL URL, without its password. */
export function databaseTarget(databaseUrl: string): { user: string; host: string; port: string; database: string; shown: string } {
  try {
    const u = new URL(databaseUrl);
    const host = decodeURIComponent(u.hostname) || 'localhost';
    const port = u.port || '5432';
    const database = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres';
    const user = decodeURIComponent(u.username);
    return { user, host, port, database, shown: `${user ? `${user}@` : ''}${host}:${port}/${database}` };
  } catch {
    return { user: '', host: '?', port: '?', database: '?', shown: 'the URL' };
  }
}

/** Node's errno codes come on the error, or on each error of an AggregateError (several addresses tried). */
function errno(e: Failure): Failure | undefined {
  if (e.code && /^E[A-Z_]+$/.test(e.code)) return e;
  return e.errors?.find((x) => x.code && /^E[A-Z_]+$/.test(x.code));
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

/** Why the database could not be opened, as one line; undefined when the error is not a connection or server refusal. */
export function databaseErrorLine(error: unknown, databaseUrl: string): string | undefined {
  // The storage reports an unreachable database as database_unavailable; the driver's error is its cause.
  if (error instanceof HookyardError && error.code === 'database_unavailable') error = error.cause;
  if (error instanceof HookyardError || typeof error !== 'object' || error === null) return undefined;
  const e = error as Failure;
  const t = databaseTarget(databaseUrl);
  const at = `${t.host}:${t.port}`;
  const net = errno(e);
  switch (net?.code) {
    case 'ECONNREFUSED':
      return `${DB}: nothing accepts connections at ${at} (connection refused); start PostgreSQL there, or correct the host and port`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `${DB}: the host "${t.host}" cannot be resolved (${net.code}); correct the host name`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${DB}: ${at} cannot be reached (${net.code}); check the address, the network and any firewall`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${DB}: ${at} closed the connection (${net.code}); check that PostgreSQL listens there, and whether it requires TLS (add ?sslmode=require)`;
    default:
      break;
  }
  if (e.code && TLS_CODES.test(e.code)) return `${DB}: TLS with ${at} failed (${e.code}: ${e.message}); check the server's certificate, or the sslmode in the URL`;
  if (e.message === 'The server does not support SSL connections') return `${DB}: ${at} does not offer TLS; remove sslmode from the URL, or enable TLS on the server`;
  if (e.message?.startsWith('Connection terminated')) return `${DB}: ${at} ended the connection while it was being made (${e.message}); check the server's log`;
  if (!e.code || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  // A SQLSTATE: PostgreSQL itself answered.
  switch (e.code) {
    case '3D000':
      return `${DB}: database "${t.database}" does not exist on ${at}; create it (createdb -h ${t.host} -p ${t.port} ${t.database}) or correct its name`;
    case '28P01':
      return `${DB}: password authentication failed for user "${t.user}" at ${at}; correct the user or password`;
    case '28000':
      return `${DB}: ${at} refused the connection: ${e.message}; correct the user, or allow it in the server's pg_hba.conf`;
    case '57P03':
      return `${DB}: PostgreSQL at ${at} is starting up or shutting down; try again shortly`;
    case '53300':
      return `${DB}: PostgreSQL at ${at} has no connection slots left (too many connections); lower HOOKYARD_POOL_SIZE (--pool-size) or raise max_connections`;
    case '42501':
      return `${DB}: user "${t.user}" may not do what Hookyard needs on ${t.database} (${e.message}); grant it CREATE on the database, since Hookyard keeps its tables in a schema of its own`;
    default:
      return `${DB}: PostgreSQL at ${at} answered: ${e.message} (SQLSTATE ${e.code})`;
  }
}

/** Why the API could not listen, as one line. */
export function listenErrorLine(error: unknown, { host, port }: { host: string; port: number }): string | undefined {
  if (error instanceof HookyardError || typeof error !== 'object' || error === null) return undefined;
  const e = errno(error as Failure);
  switch (e?.code) {
    case 'EADDRINUSE':
      return `HOOKYARD_PORT (--port): port ${port} on ${host} is already in use by another program; stop it, or choose another port (0 picks a free one)`;
    case 'EACCES':
      return `HOOKYARD_PORT (--port): not permitted to listen on port ${port}${port < 1024 ? ' (ports below 1024 need privileges)' : ''}; choose another port`;
    case 'EADDRNOTAVAIL':
      return `HOOKYARD_HOST (--host): ${host} is not an address of this machine; use 127.0.0.1, 0.0.0.0 (every interface) or one of its addresses`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `HOOKYARD_HOST (--host): "${host}" cannot be resolved (${e.code}); use an IP address or a name this machine resolves`;
    default:
      return undefined;
  }
}

/** Files in the data folder (the key, the lock) that cannot be read or written. */
export function dataDirErrorLine(error: unknown, dataDir: string): string | undefined {
  const e = error as Failure & { path?: string };
  if (error instanceof HookyardError || !e?.code || !e.path) return undefined;
  const what = { EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left', ENOTDIR: 'not a folder' }[e.code];
  return what ? `HOOKYARD_DATA_DIR (--data-dir): cannot use ${e.path} (${what}); check ${dataDir}, its permissions and its owner` : undefined;
}

/** Rethrows what `line` recognises as a HookyardError carrying that line; anything else unchanged. */
export function explained(error: unknown, line: string | undefined): unknown {
  return line ? new HookyardError('startup', line, { cause: error }) : error;
}
