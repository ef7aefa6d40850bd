/** Why an attempt got no response; stored in `attempt.error_code`. */
export type ErrorClass = 'dns' | 'refused' | 'reset' | 'timeout' | 'tls' | 'blocked' | 'other';

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/;

/** Maps an error from undici, node:net, node:dns or the guard to a class, looking through `cause` chains. */
export function errorClassify(error: unknown): ErrorClass {
  for (let e = error as { code?: string; name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = e.code ?? '';
    const name = e.name ?? '';
    if (code === 'HOOKYARD_BLOCKED') return 'blocked';
    if (name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'reset';
    if (TLS_CODES.test(code)) return 'tls';
  }
  return 'other';
}
