import { createHash } from 'node:crypto';
import type { Agent } from 'undici';
import type { SendOptions } from '../endpoint/send-options.js';

type Tls = { ca?: string; rejectUnauthorized?: boolean };

/**
 * The worker's dispatchers: the default one, and one per TLS setting that
 * endpoints ask for (each custom CA, verification off), made on first use and
 * cached, since an agent keeps its connections and parsing a CA bundle costs
 * more than a request. Every one is made by `make`, i.e. `outboundAgent`, so
 * each connection passes the SSRF guard whatever its TLS settings.
 */
export class OutboundAgents {
  readonly default: Agent;
  private readonly byTls = new Map<string, Agent>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly make: (tls: Tls) => Agent,
    /** Called once per endpoint (per process) that is sent to with verification off. */
    private readonly warnInsecure: (endpointId: string) => void = () => {},
    /** Agents kept besides the default; past that the least recently made is closed. */
    private readonly max = 64,
  ) {
    this.default = make({});
  }

  for(endpointId: string, options: SendOptions | undefined): Agent {
    if (options?.tlsVerify === false) {
      if (!this.warned.has(endpointId)) {
        this.warned.add(endpointId);
        this.warnInsecure(endpointId);
      }
      return this.cached('insecure', { rejectUnauthorized: false });
    }
    const ca = options?.tlsCaCertificate;
    if (ca === undefined) return this.default;
    return this.cached(`ca:${createHash('sha256').update(ca).digest('hex')}`, { ca });
  }

  private cached(key: string, tls: Tls): Agent {
    let agent = this.byTls.get(key);
    if (!agent) {
      if (this.byTls.size >= this.max) {
        const [oldestKey, oldest] = this.byTls.entries().next().value!;
        this.byTls.delete(oldestKey);
        void oldest.close().catch(() => {});
      }
      agent = this.make(tls);
      this.byTls.set(key, agent);
    }
    return agent;
  }

  /** Cuts every connection now (shutdown past its grace period). */
  async destroy(): Promise<void> {
    await Promise.all([this.default, ...this.byTls.values()].map((a) => a.destroy().catch(() => {})));
  }

  async close(): Promise<void> {
    await Promise.all([this.default, ...this.byTls.values()].map((a) => a.close().catch(() => {})));
  }
}
