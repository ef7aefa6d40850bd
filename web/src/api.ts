// The console's only way to the server: the public API (/api/v1, /ingest/api/v1) and the
// console endpoints (/console/api), with the session cookie the browser sends by itself and the
// CSRF token on every change. The token the user signed in with is never kept in the browser.

export interface Session {
  csrfToken: string;
  scope: 'admin' | 'api' | 'app';
  appId: string | null;
  expiresAt: string;
}

export interface ListResponse<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/** A refused request, with Svix's error body turned into one readable line. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
const expiredListeners = new Set<() => void>();

/** Called when any request answers 401: the session ended (expired, or signed out elsewhere). */
export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/** Tells the page the session ended (the event stream's `end`, or any 401). */
export function sessionExpired(): void {
  expiredListeners.forEach((l) => l());
}

function errorText(status: number, body: unknown): { code: string; message: string } {
  if (body && typeof body === 'object') {
    const { code, detail } = body as { code?: unknown; detail?: unknown };
    if (Array.isArray(detail)) {
      const lines = detail.map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).filter((l) => l !== 'body').join('.')}: ${d.msg ?? 'invalid'}`);
      return { code: 'validation', message: lines.join('; ') };
    }
    if (typeof detail === 'string') return { code: typeof code === 'string' ? code : String(status), message: detail };
  }
  return { code: String(status), message: `the server answered ${status}` };
}

export async function request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (method !== 'GET' && method !== 'HEAD') (init.headers as Record<string, string>)['x-csrf-token'] = csrfToken;
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const { code, message } = errorText(res.status, json);
    // A 401 from the session route itself is just "not signed in", not an expiry.
    if (res.status === 401 && !path.startsWith('/console/api/session')) sessionExpired();
    throw new ApiError(res.status, code, message);
  }
  return json as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
export const del = (path: string) => request<void>('DELETE', path);

/** Encodes a path segment (ids and uids may hold characters that mean something in a URL). */
export const seg = (value: string) => encodeURIComponent(value);

/** A query string from the set values only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function sessionGet(): Promise<Session | null> {
  try {
    const session = await get<Session>('/console/api/session');
    csrfToken = session.csrfToken;
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function sessionCreate(token: string): Promise<Session> {
  const session = await post<Session>('/console/api/session', { token });
  csrfToken = session.csrfToken;
  return session;
}

export async function sessionDelete(): Promise<void> {
  try {
    await del('/console/api/session');
  } finally {
    csrfToken = '';
  }
}

/** Whether the server answers a route at all: pages for features not on this server hide. */
export function isMissing(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return (error.status === 404 && error.message === 'no such route') || error.status === 405 || error.status === 501;
}
