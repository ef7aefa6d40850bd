/**
 * A browser's side of the console, as far as the server can tell: it keeps
 * the session cookie it was given and sends it back, and sends the CSRF
 * header only when told to. fetch itself keeps no cookies.
 */
export interface Browser {
  cookie: string | undefined;
  setCookies: string[];
  request(method: string, path: string, options?: { body?: unknown; csrf?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; json: unknown; text: string }>;
}

export function browser(baseUrl: string): Browser {
  const b: Browser = {
    cookie: undefined,
    setCookies: [],
    async request(method, path, { body, csrf, headers = {} } = {}) {
      const res = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(b.cookie ? { cookie: b.cookie } : {}),
          ...(csrf ? { 'x-csrf-token': csrf } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
      });
      b.setCookies = res.headers.getSetCookie();
      for (const line of b.setCookies) {
        const [pair] = line.split(';');
        const [name, value] = pair!.split('=');
        if (name !== 'hookyard_session') continue;
        b.cookie = value && !/max-age=0/i.test(line) ? `${name}=${value}` : undefined;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
  };
  return b;
}
