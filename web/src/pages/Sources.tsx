import { useState } from 'preact/hooks';
import { get, isMissing, post, query, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import { Loading, Pager, Problem, Time } from '../parts/common';
import { href, navigate } from '../route';
import type { SourceOut } from '../types';
import { SECRET_SOURCE_TYPES } from '../../../src/inbound/verify/console-types';

// SECRET_SOURCE_TYPES: the types that take one signing secret in `config.secret`, checked against the server's by its tests.
export const SOURCE_TYPES = ['generic-webhook', ...SECRET_SOURCE_TYPES];

/** Sources receive webhooks from third parties (Svix Ingest API); hidden when the server has none. */
export function Sources() {
  const [iterator, setIterator] = useState<string | null>(null);
  const sources = useLoad(() => get<ListResponse<SourceOut>>(`/ingest/api/v1/source${query({ limit: 50, iterator })}`), [iterator]);
  const [name, setName] = useState('');
  const [type, setType] = useState('github');
  const [secret, setSecret] = useState('');
  const create = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void create.run(async () => {
      const config = SECRET_SOURCE_TYPES.includes(type) ? { secret } : {};
      const source = await post<SourceOut>('/ingest/api/v1/source', { name, type, config });
      navigate(href('sources', source.id));
    });
  };
  if (isMissing(sources.error))
    return (
      <section>
        <h1>Sources</h1>
        <p class="notice">This server does not receive webhooks yet (no Ingest API).</p>
      </section>
    );
  return (
    <section aria-labelledby="sources-title">
      <h1 id="sources-title">Sources</h1>
      <p class="muted">A source is a receiving URL for webhooks from a third party (GitHub, Stripe, …); Hookyard verifies each request and forwards it.</p>
      <form class="card inline-form" onSubmit={submit} aria-label="New source">
        <div class="field">
          <label for="source-name">Name</label>
          <input id="source-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="source-type">Type</label>
          <select id="source-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {SOURCE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        {SECRET_SOURCE_TYPES.includes(type) && (
          <div class="field">
            <label for="source-secret">Signing secret (from the provider)</label>
            <input id="source-secret" type="password" autoComplete="off" required value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
          </div>
        )}
        <button type="submit" class="primary" disabled={create.busy}>
          Create source
        </button>
        <Problem error={create.error} />
      </form>
      <Problem error={sources.error} />
      <Loading when={sources.loading && !sources.data} />
      {sources.data && (
        <table>
          <caption class="visually-hidden">Sources</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {sources.data.data.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={href('sources', s.id)}>{s.name}</a>
                </td>
                <td>{s.type}</td>
                <td>{s.disabled ? <span class="status status-fail">disabled</span> : <span class="status status-success">enabled</span>}</td>
                <td>
                  <Time at={s.createdAt} />
                </td>
              </tr>
            ))}
            {sources.data.data.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No sources yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={sources.data} iterator={iterator} onPage={setIterator} />
    </section>
  );
}
