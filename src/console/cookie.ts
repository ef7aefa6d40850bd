import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import ipaddr from 'ipaddr.js';
import { cidrList, type Cidr } from '../outbound/address.js';

/**
 * The console's session cookie: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), Path=/, and Secure when the browser came
 * over HTTPS. Behind a TLS-terminating proxy the request reaches us as HTTP,
 * so `X-Forwarded-Proto: https` is believed from the trusted proxies only
 * (`trustedProxies`); `secureCookies: 'always'` skips the question.
 */
export const SESSION_COOKIE = 'hookyard_session';

export type SecureCookies = 'auto' | 'always' | 'never';

export interface CookiePolicy {
  secure: SecureCookies;
  trustedProxies: Cidr[];
}

export function cookiePolicy({ secureCookies = 'auto', trustedProxies = '' }: { secureCookies?: SecureCookies; trustedProxies?: string | Cidr[] } = {}): CookiePolicy {
  return { secure: secureCookies, trustedProxies: cidrList(trustedProxies) };
}

/** Did this request come over HTTPS, as far as we can tell? Pure over its URL, headers and peer address. */
export function requestIsHttps(url: string, forwardedProto: string | undefined, peer: string | undefined, trusted: Cidr[]): boolean {
  if (url.startsWith('https:')) return true;
  if (!forwardedProto || !peer || !ipaddr.isValid(peer) || trusted.length === 0) return false;
  const address = ipaddr.process(peer);
  const fromProxy = trusted.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  // The proxy nearest us appends last; with one trusted hop, the first value is what the client used.
  return fromProxy && forwardedProto.split(',')[0]!.trim().toLowerCase() === 'https';
}

export function cookieSecure(policy: CookiePolicy, c: Context, peer: string | undefined): boolean {
  if (policy.secure !== 'auto') return policy.secure === 'always';
  return requestIsHttps(c.req.url, c.req.header('x-forwarded-proto'), peer, policy.trustedProxies);
}

export const sessionCookieGet = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);

export function sessionCookieSet(c: Context, value: string, expiresAt: Date, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Strict', secure, expires: expiresAt });
}

export function sessionCookieClear(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure });
}
