// Hash routing (#/apps/acme/endpoints/ep_1): the server only has to serve index.html, and a
// reload or a shared link lands on the same page.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments, decoded: '#/apps/acme' → ['apps', 'acme']. */
  parts: string[];
  params: URLSearchParams;
}

export function routeParse(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

/** Builds a link: href('apps', appId) → '#/apps/app_1'. */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(link: string): void {
  location.hash = link.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeParse(location.hash));
  useEffect(() => {
    const update = () => setRoute(routeParse(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
