/**
 * Who a request acts for, once its token (or its session's token) is known.
 * `app` is an app portal token: bound to one application, with Svix's
 * capabilities, and short-lived (src/auth/portal-token.ts).
 */
export const PORTAL_CAPABILITIES = ['ViewBase', 'ViewEndpointSecret', 'ManageEndpointSecret', 'ManageTransformations', 'CreateAttempts', 'ManageEndpoint'] as const;
export type PortalCapability = (typeof PORTAL_CAPABILITIES)[number];

export type PrincipalScope = 'admin' | 'api' | 'app';

export interface LiveToken {
  id: string;
  scope: PrincipalScope;
  /** Set for scope `app` only. */
  appId: string | null;
  /** Scope `app`: what the token may do; null = every capability. */
  capabilities: PortalCapability[] | null;
  expiresAt: Date | null;
}

export interface Principal extends LiveToken {
  /** How the token came: an Authorization header, or a console session's cookie. */
  via: 'bearer' | 'session';
}

/** Is `token` still valid at `now` (ms)? Revocation is the live set's business, expiry is checked here. */
export const tokenUnexpired = (token: LiveToken, now: number): boolean => token.expiresAt === null || token.expiresAt.getTime() > now;

/** Does an app token hold this capability? (`ManageEndpoint` implies the secret ones, as in Svix.) */
export function capabilityHeld(token: LiveToken, wanted: PortalCapability): boolean {
  if (token.scope !== 'app') return true;
  const held = token.capabilities ?? PORTAL_CAPABILITIES;
  if (held.includes(wanted)) return true;
  if (wanted === 'ViewEndpointSecret') return held.includes('ManageEndpointSecret') || held.includes('ManageEndpoint');
  if (wanted === 'ManageEndpointSecret') return held.includes('ManageEndpoint');
  return false;
}
