// The operator console: sign-in, then a page per route with a navigation bar.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSessionExpired, sessionDelete, sessionGet, type Session } from './api';
import { liveClose } from './live';
import { Problem } from './parts/common';
import { Application } from './pages/Application';
import { Applications } from './pages/Applications';
import { Dashboard } from './pages/Dashboard';
import { Endpoint } from './pages/Endpoint';
import { EventTypes } from './pages/EventTypes';
import { Message } from './pages/Message';
import { Messages } from './pages/Messages';
import { OperationalWebhooks } from './pages/OperationalWebhooks';
import { SignIn } from './pages/SignIn';
import { Source } from './pages/Source';
import { Sources } from './pages/Sources';
import { Tokens } from './pages/Tokens';
import { href, useRoute, type Route } from './route';
import './styles.css';

const NAV: [string, string][] = [
  ['dashboard', 'Dashboard'],
  ['apps', 'Applications'],
  ['event-types', 'Event types'],
  ['sources', 'Sources'],
  ['operational-webhooks', 'Operational webhooks'],
  ['tokens', 'API tokens'],
];

function Page({ route }: { route: Route }) {
  const [first = 'dashboard', id, sub, subId] = route.parts;
  if (first === 'dashboard') return <Dashboard />;
  if (first === 'event-types') return <EventTypes />;
  if (first === 'sources' && id) return <Source sourceId={id} />;
  if (first === 'sources') return <Sources />;
  if (first === 'operational-webhooks') return <OperationalWebhooks />;
  if (first === 'tokens') return <Tokens />;
  if (first === 'apps' && id && sub === 'endpoints' && subId) return <Endpoint appId={id} endpointId={subId} />;
  if (first === 'apps' && id && sub === 'messages' && subId) return <Message appId={id} msgId={subId} />;
  if (first === 'apps' && id && sub === 'messages') return <Messages appId={id} />;
  if (first === 'apps' && id) return <Application appId={id} />;
  if (first === 'apps') return <Applications />;
  return <Problem error="No such page." />;
}

function Console() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const route = useRoute();
  useEffect(() => {
    sessionGet().then(setSession, setError);
    return onSessionExpired(() => {
      liveClose();
      setSession(null);
    });
  }, []);
  const signOut = async () => {
    liveClose();
    await sessionDelete().catch(() => undefined);
    setSession(null);
  };
  if (error) return <Problem error={error} />;
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  const current = route.parts[0] ?? 'dashboard';
  // Token management is for admin tokens only (the server refuses the others anyway).
  const nav = NAV.filter(([path]) => path !== 'tokens' || session.scope === 'admin');
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Hookyard</span>
        <nav aria-label="Console">
          <ul>
            {nav.map(([path, label]) => (
              <li key={path}>
                <a href={href(path)} aria-current={current === path ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">{session.scope} token</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {/* Keyed by the path: another application, endpoint, message or source is a fresh page, so no
            state (a "Secret rotated" notice, an open form, a page of results) carries over to it. */}
        <Page key={route.parts.join('/')} route={route} />
      </main>
    </>
  );
}

render(<Console />, document.getElementById('root')!);
