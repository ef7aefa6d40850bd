import type { Queryable } from '../store/port.js';
import type { LiveToken, PortalCapability, PrincipalScope } from './principal.js';

interface LiveRow {
  id: string;
  hash: string;
  scope: PrincipalScope;
  app_id: string | null;
  capabilities: PortalCapability[] | null;
  expires_at: Date | null;
}

const COLUMNS = 'id, hash, scope, app_id, capabilities, expires_at';
const toLive = (r: LiveRow): LiveToken => ({ id: r.id, scope: r.scope, appId: r.app_id, capabilities: r.capabilities, expiresAt: r.expires_at });

/** Every live token, as hash → token: what the authenticator holds in memory. Expired portal tokens are left out. */
export async function tokenHashesLive(db: Queryable): Promise<Map<string, LiveToken>> {
  const { rows } = await db.query<LiveRow>(`select ${COLUMNS} from hookyard.api_token where revoked_at is null and (expires_at is null or expires_at > now())`);
  return new Map(rows.map((r) => [r.hash, toLive(r)]));
}

/** One live token by the hash of what was presented (sign-in, which must see a token made a moment ago in another process). */
export async function tokenLiveByHash(db: Queryable, hash: string): Promise<LiveToken | undefined> {
  const { rows } = await db.query<LiveRow>(`select ${COLUMNS} from hookyard.api_token where hash = $1 and revoked_at is null and (expires_at is null or expires_at > now())`, [hash]);
  return rows[0] && toLive(rows[0]);
}

/** One live token by id (a session's token). */
export async function tokenLiveById(db: Queryable, id: string): Promise<LiveToken | undefined> {
  const { rows } = await db.query<LiveRow>(`select ${COLUMNS} from hookyard.api_token where id = $1 and revoked_at is null and (expires_at is null or expires_at > now())`, [id]);
  return rows[0] && toLive(rows[0]);
}
