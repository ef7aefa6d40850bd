import { useState } from 'preact/hooks';
import { get, post, query, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import { Loading, Pager, Problem, Time } from '../parts/common';
import { href, navigate } from '../route';
import type { ApplicationOut } from '../types';

export function Applications() {
  const [iterator, setIterator] = useState<string | null>(null);
  const apps = useLoad(() => get<ListResponse<ApplicationOut>>(`/api/v1/app${query({ limit: 50, iterator })}`), [iterator]);
  const [name, setName] = useState('');
  const [uid, setUid] = useState('');
  const create = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void create.run(async () => {
      const app = await post<ApplicationOut>('/api/v1/app', { name, ...(uid ? { uid } : {}) });
      navigate(href('apps', app.id));
    });
  };
  return (
    <section aria-labelledby="apps-title">
      <h1 id="apps-title">Applications</h1>
      <p class="muted">One application per customer of yours; each has its endpoints and messages.</p>
      <form class="card inline-form" onSubmit={submit} aria-label="New application">
        <div class="field">
          <label for="app-name">Name</label>
          <input id="app-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="app-uid">UID (optional)</label>
          <input id="app-uid" value={uid} onInput={(e) => setUid(e.currentTarget.value)} pattern="[a-zA-Z0-9\-_.]+" />
        </div>
        <button type="submit" class="primary" disabled={create.busy}>
          Create application
        </button>
        <Problem error={create.error} />
      </form>
      <Problem error={apps.error} />
      <Loading when={apps.loading && !apps.data} />
      {apps.data && (
        <table>
          <caption class="visually-hidden">Applications</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">UID</th>
              <th scope="col">ID</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {apps.data.data.map((app) => (
              <tr key={app.id}>
                <td>
                  <a href={href('apps', app.id)}>{app.name}</a>
                </td>
                <td>{app.uid ?? <span class="muted">—</span>}</td>
                <td>
                  <code>{app.id}</code>
                </td>
                <td>
                  <Time at={app.createdAt} />
                </td>
              </tr>
            ))}
            {apps.data.data.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No applications yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={apps.data} iterator={iterator} onPage={setIterator} />
    </section>
  );
}
