import { useState } from 'preact/hooks';
import { del, get, isMissing, patch, post, query, seg, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import { Loading, Pager, Problem, Time, listParse } from '../parts/common';
import type { OperationalEndpointOut } from '../types';

const BASE = '/api/v1/operational-webhook/endpoint';
const EVENTS = ['endpoint.disabled', 'endpoint.enabled', 'endpoint.created', 'endpoint.updated', 'endpoint.deleted', 'message.attempt.exhausted', 'message.attempt.failing', 'message.attempt.recovered'];

/** Operational webhooks: Hookyard tells your own endpoints about endpoints failing, being disabled, … */
export function OperationalWebhooks() {
  const [iterator, setIterator] = useState<string | null>(null);
  const list = useLoad(() => get<ListResponse<OperationalEndpointOut>>(`${BASE}${query({ limit: 50, iterator })}`), [iterator]);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('');
  const create = useAction();
  const action = useAction();
  const [secret, setSecret] = useState<{ id: string; key: string } | null>(null);
  if (isMissing(list.error))
    return (
      <section>
        <h1>Operational webhooks</h1>
        <p class="notice">This server sends no operational webhooks yet.</p>
      </section>
    );
  const submit = (e: Event) => {
    e.preventDefault();
    void create.run(async () => {
      const filterTypes = listParse(types);
      await post(BASE, { url, ...(filterTypes ? { filterTypes } : {}) });
      setUrl('');
      list.reload();
    });
  };
  const reveal = (id: string) =>
    action.run(async () => {
      setSecret({ id, key: (await get<{ key: string }>(`${BASE}/${seg(id)}/secret`)).key });
    });
  const toggle = (ep: OperationalEndpointOut) =>
    action.run(async () => {
      await patch(`${BASE}/${seg(ep.id)}`, { disabled: !ep.disabled });
      list.reload();
    });
  const remove = (ep: OperationalEndpointOut) => {
    if (!confirm(`Delete operational webhook endpoint ${ep.url}?`)) return;
    void action.run(async () => {
      await del(`${BASE}/${seg(ep.id)}`);
      list.reload();
    });
  };
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Operational webhooks</h1>
      <p class="muted">Endpoints of yours that Hookyard notifies about its own events: {EVENTS.join(', ')}.</p>
      <form class="card inline-form" onSubmit={submit} aria-label="New operational webhook endpoint">
        <div class="field">
          <label for="ops-url">URL</label>
          <input id="ops-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="ops-types">Event types (comma-separated, empty: all)</label>
          <input id="ops-types" value={types} onInput={(e) => setTypes(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={create.busy}>
          Add endpoint
        </button>
        <Problem error={create.error} />
      </form>
      <Problem error={list.error || action.error} />
      <Loading when={list.loading && !list.data} />
      {list.data && (
        <table>
          <caption class="visually-hidden">Operational webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Event types</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((ep) => (
              <tr key={ep.id}>
                <td>
                  {ep.url}
                  {ep.disabled && <span class="tag">disabled</span>}
                  {secret?.id === ep.id && (
                    <p class="warning-text">
                      Secret (keep it safe): <code class="secret">{secret.key}</code>
                    </p>
                  )}
                </td>
                <td>{ep.filterTypes?.join(', ') ?? 'all'}</td>
                <td>
                  <Time at={ep.createdAt} />
                </td>
                <td class="actions">
                  <button type="button" class="small" onClick={() => (secret?.id === ep.id ? setSecret(null) : reveal(ep.id))}>
                    {secret?.id === ep.id ? 'Hide secret' : 'Reveal secret'}
                  </button>
                  <button type="button" class="small" onClick={() => toggle(ep)}>
                    {ep.disabled ? 'Enable' : 'Disable'}
                  </button>
                  <button type="button" class="small danger" onClick={() => remove(ep)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {list.data.data.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  None yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={list.data} iterator={iterator} onPage={setIterator} />
    </section>
  );
}
