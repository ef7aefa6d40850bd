// A source's ingest endpoints (Svix's Ingest API, /ingest/api/v1/source/{id}/endpoint): where the
// requests it accepts are forwarded. They are the endpoints of the source's hidden application
// (SourceOut.appId), so their attempts are listed with the ordinary attempt routes.
import { useState } from 'preact/hooks';
import { del, get, post, put, query, seg, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import type { EndpointOut, SourceOut } from '../types';
import { Attempts } from './Attempts';
import { endpointUpdateBody } from './EndpointForm';
import { Secret } from './Secret';
import { Loading, Pager, Problem } from './common';

export function SourceEndpoints({ source }: { source: SourceOut }) {
  const base = `/ingest/api/v1/source/${seg(source.id)}/endpoint`;
  const [iterator, setIterator] = useState<string | null>(null);
  const list = useLoad(() => get<ListResponse<EndpointOut>>(`${base}${query({ limit: 50, iterator })}`), [base, iterator]);
  const [url, setUrl] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const create = useAction();
  const add = (e: Event) => {
    e.preventDefault();
    void create.run(async () => {
      const ep = await post<EndpointOut>(base, { url });
      setUrl('');
      setOpen(ep.id);
      list.reload();
      return `Added ${ep.url}: requests this source accepts from now on are forwarded to it, signed with its own secret.`;
    });
  };
  return (
    <div class="source-endpoints">
      <p class="muted">Requests this source accepts are forwarded, signed (Standard Webhooks), to each enabled endpoint here, with retries like any delivery.</p>
      <form class="inline-form" onSubmit={add} aria-label="New ingest endpoint">
        <div class="field">
          <label for="ingest-endpoint-url">Forward to URL</label>
          <input id="ingest-endpoint-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://example.com/from-provider" />
        </div>
        <button type="submit" class="primary" disabled={create.busy}>
          Add ingest endpoint
        </button>
      </form>
      <Problem error={create.error || list.error} />
      {create.done && <p role="status">{create.done}</p>}
      <Loading when={list.loading && !list.data} />
      {list.data && list.data.data.length === 0 && <p class="muted">No ingest endpoints: accepted requests are recorded, and forwarded nowhere.</p>}
      {list.data?.data.map((ep) => (
        <IngestEndpoint key={ep.id} base={`${base}/${seg(ep.id)}`} appId={typeof source.appId === 'string' ? source.appId : null} endpoint={ep} open={open === ep.id} onToggle={() => setOpen(open === ep.id ? null : ep.id)} onChange={list.reload} />
      ))}
      <Pager page={list.data} iterator={iterator} onPage={setIterator} />
    </div>
  );
}

function IngestEndpoint({ base, appId, endpoint: ep, open, onToggle, onChange }: { base: string; appId: string | null; endpoint: EndpointOut; open: boolean; onToggle: () => void; onChange: () => void }) {
  const action = useAction();
  const setDisabled = (disabled: boolean) =>
    action.run(async () => {
      // The Ingest API has PUT only: the endpoint's own settings go back with `disabled` changed.
      await put(base, { ...endpointUpdateBody(ep), disabled });
      onChange();
      return disabled ? 'Disabled: nothing is forwarded to it until it is enabled.' : 'Enabled.';
    });
  const remove = () => {
    if (!confirm(`Delete the ingest endpoint ${ep.url}? Requests are no longer forwarded to it.`)) return;
    void action.run(async () => {
      await del(base);
      onChange();
    });
  };
  return (
    <div class="card ingest-endpoint" data-endpoint={ep.id}>
      <div class="toolbar">
        <code class="url">{ep.url}</code>
        <span class={`status ${ep.disabled ? 'status-fail' : 'status-success'}`}>{ep.disabled ? 'disabled' : 'enabled'}</span>
        <button type="button" onClick={() => setDisabled(!ep.disabled)} disabled={action.busy}>
          {ep.disabled ? 'Enable' : 'Disable'}
        </button>
        <button type="button" class="danger" onClick={remove} disabled={action.busy}>
          Delete
        </button>
        <button type="button" aria-expanded={open} onClick={onToggle}>
          {open ? 'Hide secret and attempts' : 'Secret and attempts'}
        </button>
      </div>
      {ep.disabledReason && <p class="warning-text">Disabled by Hookyard: {ep.disabledReason}</p>}
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
      {open && (
        <>
          <Secret base={base} idPrefix={`ingest-${ep.id}`} />
          <h3>Recent attempts</h3>
          {appId ? <Attempts appId={appId} path={`/api/v1/app/${seg(appId)}/attempt/endpoint/${seg(ep.id)}`} caption={`Attempts to ${ep.url}`} /> : <p class="muted">This server does not say which application holds the source's endpoints.</p>}
        </>
      )}
    </div>
  );
}
