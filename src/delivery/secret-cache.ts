import type { Sealer } from '../secrets/seal.js';
import type { Claimed } from './model.js';

/** An endpoint's signing secrets, opened; or why they could not be (never the secret or the key). */
export type OpenedSecrets = { ok: true; secrets: string[] } | { ok: false; reason: string };

/**
 * Opens the signing secrets of claimed deliveries, each at most once.
 *
 * Opened secrets are kept by sealed value: a new or rotated secret has new
 * sealed bytes, so the cache cannot go stale. On top, the result is kept by
 * the claim's array of sealed secrets, which that endpoint's rows in one claim
 * share: one lookup per endpoint per claim, not per delivery. A secret that
 * will not open (a wrong HOOKYARD_SECRET_KEY, a corrupted row) is a result
 * too, so its deliveries can fail their attempt at once, with the reason.
 */
export class SecretCache {
  private readonly opened = new Map<string, string>();
  private readonly byClaim = new WeakMap<string[], OpenedSecrets>();

  constructor(
    private readonly sealer: Sealer,
    /** Opened secrets kept at most; past that the cache starts over. */
    private readonly max = 10_000,
  ) {}

  open(claimed: Claimed): OpenedSecrets {
    let result = this.byClaim.get(claimed.sealedSecrets);
    if (!result) {
      result = this.openAll(claimed);
      this.byClaim.set(claimed.sealedSecrets, result);
    }
    return result;
  }

  private openAll({ endpointId, sealedSecrets }: Claimed): OpenedSecrets {
    if (sealedSecrets.length === 0) return { ok: false, reason: `${endpointId} has no active signing secret` };
    const secrets: string[] = [];
    for (const sealed of sealedSecrets) {
      const key = `${endpointId}:${sealed}`;
      let secret = this.opened.get(key);
      if (secret === undefined) {
        try {
          secret = this.sealer.open(Buffer.from(sealed, 'hex'), endpointId);
        } catch (error) {
          // The sealer's message names the row, never the bytes or the key.
          return { ok: false, reason: error instanceof Error ? error.message : String(error) };
        }
        if (this.opened.size >= this.max) this.opened.clear();
        this.opened.set(key, secret);
      }
      secrets.push(secret);
    }
    return { ok: true, secrets };
  }
}
