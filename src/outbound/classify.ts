/** Why an attempt got no response; stored in `attempt.error_code`. */
export type ErrorClass = 'dns' | 'refused' | 'reset' | 'timeout' | 'tls' | 'blocked' | 'other';

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/;

interface DriverError {
  code?: string;
  name?: string;
  message?: string;
  cause?: unknown;
  hostname?: string;
  address?: string;
  port?: number;
  /** Set by the guarded connector on its connect timeouts (ms). */
  connectTimeoutMs?: number;
}

function classOf(e: DriverError): ErrorClass | undefined {
  const code = e.code ?? '';
  const name = e.name ?? '';
  if (code === 'HOOKYARD_BLOCKED') return 'blocked';
  if (name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL' || code === 'ENODATA') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'reset';
  if (TLS_CODES.test(code)) return 'tls';
  return undefined;
}

/** The first error in the `cause` chain that has a class, and that class. */
function classified(error: unknown): { errorClass: ErrorClass; at: DriverError | undefined } {
  for (let e = error as DriverError | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as DriverError | undefined, depth++) {
    const errorClass = classOf(e);
    if (errorClass) return { errorClass, at: e };
  }
  return { errorClass: 'other', at: error as DriverError | undefined };
}

/** Maps an error from undici, node:net, node:dns or the guard to a class, looking through `cause` chains. */
export const errorClassify = (error: unknown): ErrorClass => classified(error).errorClass;

const where = (e: DriverError) => (e.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : 'the endpoint');

/**
 * A short reason a person can act on, starting with the class:
 * `dns: ENOTFOUND acme.example`, `timeout after 15000 ms`,
 * `blocked: 127.0.0.1 is a loopback address; allow it with …`.
 * Built from codes and addresses only: never headers or bodies.
 */
export function errorDescribe(error: unknown, { timeoutMs }: { timeoutMs: number }): { errorClass: ErrorClass; message: string } {
  const { errorClass, at } = classified(error);
  const e = at ?? {};
  const code = e.code ?? '';
  const text = (e.message ?? String(error)).slice(0, 300);
  const message = ((): string => {
    switch (errorClass) {
      case 'blocked':
        return text;
      case 'timeout':
        if (code === 'UND_ERR_CONNECT_TIMEOUT') return `timeout: no connection within ${e.connectTimeoutMs ?? 'the connect timeout'}${e.connectTimeoutMs ? ' ms' : ''}`;
        if (code === 'ETIMEDOUT') return `timeout: connecting to ${where(e)} timed out (ETIMEDOUT)`;
        return `timeout after ${timeoutMs} ms`;
      case 'dns':
        return `dns: ${code} ${e.hostname ?? ''}`.trimEnd();
      case 'refused':
        return `refused: ${where(e)} refused the connection (ECONNREFUSED)`;
      case 'reset':
        return code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED'
          ? `reset: the endpoint closed the connection before a complete response (${text})`
          : `reset: the connection was reset (${code})`;
      case 'tls':
        return `tls: ${code} ${text}`;
      default:
        return `other: ${text}`;
    }
  })();
  return { errorClass, message: message.slice(0, 500) };
}
