import type { Queryable } from '../store/port.js';

/** Every live token, as hash → id: what the authenticator holds in memory. */
export async function tokenHashesLive(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; hash: string }>('select id, hash from hookyard.api_token where revoked_at is null');
  return new Map(rows.map((r) => [r.hash, r.id]));
}
