import { useState } from 'preact/hooks';
import { sessionCreate, type Session } from '../api';
import { Problem } from '../parts/common';

/** Sign-in with an API token; the server turns it into a session cookie and forgets nothing else here. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await sessionCreate(token.trim());
      setToken('');
      onSignedIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <h1>Hookyard</h1>
      <form onSubmit={submit} class="card">
        <h2>Sign in</h2>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} placeholder="hy_…" />
        <p class="muted">The token becomes a session of this browser; it is not stored here. <code>npm run hookyard -- token create &lt;name&gt;</code> makes one in a clone of Hookyard (<code>npx hookyard token create &lt;name&gt;</code> where it is installed as a package); the first start prints one.</p>
        <Problem error={error} />
        <button type="submit" class="primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
