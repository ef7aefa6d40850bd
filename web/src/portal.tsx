// The app portal: a customer's view of one application, opened from an appPortalAccess URL
// (…/portal/#token=…). The token is exchanged for a session at once and dropped from the address
// bar; every page then works on the session's application only (the server enforces that too).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSessionExpired, sessionCreate, sessionDelete, sessionGet, type Session } from './api';
import { liveClose } from './live';
import { Problem } from './parts/common';
import { Application } from './pages/Application';
import { Endpoint } from './pages/Endpoint';
import { EventTypes } from './pages/EventTypes';
import { Message } from './pages/Message';
import { Messages } from './pages/Messages';
import { href, useRoute, type Route } from './route';
import './styles.css';

interface Theme {
  primaryColor?: string;
  logo?: string;
}

/** The theme from the portal URL (…#token=…&primaryColor=%23aa3300&logo=https://…), kept for the tab. */
function themeRead(params: URLSearchParams): Theme {
  const stored = JSON.parse(sessionStorage.getItem('hookyard-portal-theme') ?? '{}') as Theme;
  const theme: Theme = { ...stored };
  const color = params.get('primaryColor');
  if (color && /^#[0-9a-fA-F]{3,8}$/.test(color)) theme.primaryColor = color;
  const logo = params.get('logo');
  if (logo && /^https?:\/\//.test(logo)) theme.logo = logo;
  sessionStorage.setItem('hookyard-portal-theme', JSON.stringify(theme));
  return theme;
}

function Page({ route, appId }: { route: Route; appId: string }) {
  const [first, , sub, subId] = route.parts;
  if (first === 'event-types') return <EventTypes readOnly />;
  if (sub === 'endpoints' && subId) return <Endpoint appId={appId} endpointId={subId} />;
  if (sub === 'messages' && subId) return <Message appId={appId} msgId={subId} />;
  if (sub === 'messages') return <Messages appId={appId} />;
  return <Application appId={appId} portal />;
}

function Portal() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [theme, setTheme] = useState<Theme>({});
  const route = useRoute();
  useEffect(() => {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    setTheme(themeRead(params));
    const token = params.get('token');
    const start = token ? sessionCreate(token) : sessionGet();
    start.then((s) => {
      setSession(s);
      if (s?.appId) history.replaceState(null, '', `${location.pathname}${href('apps', s.appId)}`);
    }, setError);
    return onSessionExpired(() => {
      liveClose();
      setSession(null);
    });
  }, []);
  useEffect(() => {
    if (theme.primaryColor) document.documentElement.style.setProperty('--accent', theme.primaryColor);
  }, [theme]);
  const signOut = async () => {
    liveClose();
    await sessionDelete().catch(() => undefined);
    setSession(null);
  };
  if (error) return <Problem error={error} />;
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null || !session.appId)
    return (
      <main id="main" class="sign-in">
        <h1>Webhooks</h1>
        <p>This portal link has expired or was signed out. Ask for a new link.</p>
      </main>
    );
  const appId = session.appId;
  const current = route.parts[0] === 'event-types' ? 'event-types' : route.parts[2] === 'messages' ? 'messages' : 'endpoints';
  const nav: [string, string, string][] = [
    ['endpoints', 'Endpoints', href('apps', appId)],
    ['messages', 'Messages', href('apps', appId, 'messages')],
    ['event-types', 'Event types', href('event-types')],
  ];
  return (
    <>
      <header class="top">
        <span class="brand">
          {theme.logo && <img src={theme.logo} alt="" />}
          Webhooks
        </span>
        <nav aria-label="Portal">
          <ul>
            {nav.map(([key, label, link]) => (
              <li key={key}>
                <a href={link} aria-current={current === key ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" />
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {/* Keyed by the path, as in the console: no state carries over from one endpoint or message to another. */}
        <Page key={route.parts.join('/')} route={route} appId={appId} />
      </main>
    </>
  );
}

render(<Portal />, document.getElementById('root')!);
