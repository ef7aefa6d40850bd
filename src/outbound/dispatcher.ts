import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { ALLOW_SETTING, addressCheck, type Cidr } from './address.js';

export interface DispatcherOptions {
  /** CIDRs reachable despite the guard (development, tests); empty by default. */
  allow?: Cidr[];
  connectTimeoutMs?: number; // ms
  /** Connections kept per origin. */
  connectionsPerOrigin?: number;
  keepAliveMs?: number; // ms
  /** TLS for this agent's connections: a CA bundle (PEM) to trust instead of the system's, or verification off. */
  tls?: { ca?: string; rejectUnauthorized?: boolean };
}

/** The error the guard raises; classified as `blocked`. Its message says what to set to allow it. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'HOOKYARD_BLOCKED';
  constructor(reason: string) {
    super(`blocked: ${reason}; allow it with ${ALLOW_SETTING}`);
  }
}

/**
 * An undici Agent whose every connection goes through the SSRF guard: the
 * host is resolved once here, every address is checked, and the socket is
 * opened to the checked address (TLS still verifies the original name), so a
 * second DNS answer cannot swap in an internal address (DNS rebinding).
 */
export function outboundAgent({ allow = [], connectTimeoutMs = 5_000, connectionsPerOrigin = 32, keepAliveMs = 30_000, tls = {} }: DispatcherOptions = {}): Agent {
  // The TLS options go to the connector under the guard, so a custom CA or verification off never bypasses the address check.
  const base = buildConnector({ timeout: connectTimeoutMs, ...tls });
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    resolveChecked(host, allow).then(
      (address) => {
        const servername = isIP(host) ? undefined : (options.servername ?? host);
        base({ ...options, hostname: address, ...(servername ? { servername } : {}) }, (error, socket) => {
          // undici's timeout error does not say which timeout; the attempt's reason should.
          if (error && (error as { code?: string }).code === 'UND_ERR_CONNECT_TIMEOUT') Object.assign(error, { connectTimeoutMs });
          if (error) callback(error, null);
          else callback(null, socket!);
        });
      },
      (error: Error) => callback(error, null),
    );
  };
  return new Agent({ connect, connections: connectionsPerOrigin, keepAliveTimeout: keepAliveMs, keepAliveMaxTimeout: keepAliveMs });
}

/** Resolves `host` and returns an address to connect to, if every address it has passes the check. */
export async function resolveChecked(host: string, allow: Cidr[]): Promise<string> {
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  // Any internal answer refuses the whole name: a mixed answer is a classic rebinding set-up.
  for (const address of addresses) {
    const verdict = addressCheck(address, allow);
    if (!verdict.allowed) throw new BlockedAddressError(address === host ? verdict.reason : `${host} resolves to a refused address: ${verdict.reason}`);
  }
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND', hostname: host });
  return addresses[0]!;
}
