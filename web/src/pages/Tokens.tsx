import { useState } from 'preact/hooks';
import { get, post, query, seg, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import { Copy, Loading, Pager, Problem, Time } from '../parts/common';
import type { TokenOut } from '../types';

/** API tokens (admin only): create with a one-time reveal, list with prefix and last use, revoke. */
export function Tokens() {
  const [iterator, setIterator] = useState<string | null>(null);
  const tokens = useLoad(() => get<ListResponse<TokenOut>>(`/api/v1/token${query({ limit: 50, iterator })}`), [iterator]);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'api' | 'admin'>('api');
  const [created, setCreated] = useState<TokenOut | null>(null);
  const create = useAction();
  const revoke = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void create.run(async () => {
      setCreated(await post<TokenOut>('/api/v1/token', { name, scope }));
      setName('');
      tokens.reload();
    });
  };
  const revokeToken = (t: TokenOut) => {
    if (!confirm(`Revoke token "${t.name}" (${t.prefix}…)? Requests with it are refused at once.`)) return;
    void revoke.run(async () => {
      await post(`/api/v1/token/${seg(t.id)}/revoke`, {});
      tokens.reload();
      return `Token ${t.name} revoked.`;
    });
  };
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <form class="card inline-form" onSubmit={submit} aria-label="New token">
        <div class="field">
          <label for="token-name">Name</label>
          <input id="token-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="token-scope">Scope</label>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'api' | 'admin')}>
            <option value="api">api: everything but tokens</option>
            <option value="admin">admin: tokens too</option>
          </select>
        </div>
        <button type="submit" class="primary" disabled={create.busy}>
          Create token
        </button>
        <Problem error={create.error} />
      </form>
      {created?.token && (
        <div class="banner warning" role="alert">
          <p>
            Token <strong>{created.name}</strong>, shown only this once: copy it now and keep it secret.
          </p>
          <p>
            <code class="secret" id="new-token">
              {created.token}
            </code>{' '}
            <Copy text={created.token} label="Copy token" />
          </p>
          <button type="button" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      <Problem error={tokens.error || revoke.error} />
      {revoke.done && <p role="status">{revoke.done}</p>}
      <Loading when={tokens.loading && !tokens.data} />
      {tokens.data && (
        <table>
          <caption class="visually-hidden">API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{t.scope}</td>
                <td>
                  <Time at={t.createdAt} />
                </td>
                <td>{'lastUsedAt' in t ? <Time at={t.lastUsedAt} /> : <span class="muted">not recorded</span>}</td>
                <td>
                  {t.revokedAt ? (
                    <>
                      revoked <Time at={t.revokedAt} />
                    </>
                  ) : (
                    <button type="button" class="small danger" onClick={() => revokeToken(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={tokens.data} iterator={iterator} onPage={setIterator} />
    </section>
  );
}
