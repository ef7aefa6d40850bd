import { useState } from 'preact/hooks';
import { ApiError, del, get, post, query, seg, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import { EndpointForm } from '../parts/EndpointForm';
import { Copy, Loading, Pager, Problem, Time } from '../parts/common';
import { href, navigate } from '../route';
import type { ApplicationOut, EndpointOut } from '../types';

/** One application: its endpoints, a form for a new one, and (console only) a portal link. */
export function Application({ appId, portal = false }: { appId: string; portal?: boolean }) {
  const app = useLoad(() => get<ApplicationOut>(`/api/v1/app/${seg(appId)}`), [appId]);
  const [iterator, setIterator] = useState<string | null>(null);
  const endpoints = useLoad(() => get<ListResponse<EndpointOut>>(`/api/v1/app/${seg(appId)}/endpoint${query({ limit: 50, iterator })}`), [appId, iterator]);
  const create = useAction();
  const [adding, setAdding] = useState(false);
  const access = useAction();
  const [portalUrl, setPortalUrl] = useState('');
  const remove = useAction();

  const createEndpoint = (body: Record<string, unknown>) =>
    create.run(async () => {
      const ep = await post<EndpointOut>(`/api/v1/app/${seg(appId)}/endpoint`, body);
      navigate(href('apps', appId, 'endpoints', ep.id));
    });
  const openPortal = () =>
    access.run(async () => {
      const out = await post<{ url: string; token: string }>(`/api/v1/auth/app-portal-access/${seg(appId)}`, {});
      setPortalUrl(out.url);
    });
  const deleteApp = () => {
    if (!confirm(`Delete application ${app.data?.name ?? appId} with all its endpoints and messages?`)) return;
    void remove.run(async () => {
      await del(`/api/v1/app/${seg(appId)}`);
      navigate(href('apps'));
    });
  };

  if (app.error instanceof ApiError && app.error.status === 404) return <Problem error="No such application." />;
  return (
    <section aria-labelledby="app-title">
      <h1 id="app-title">{app.data?.name ?? appId}</h1>
      {app.data && (
        <p class="muted">
          <code>{app.data.id}</code> {app.data.uid && <>· uid <code>{app.data.uid}</code></>} · created <Time at={app.data.createdAt} />
        </p>
      )}
      <div class="actions">
        <a class="button" href={href('apps', appId, 'messages')}>
          Messages
        </a>
        {!portal && (
          <>
            <button type="button" onClick={openPortal} disabled={access.busy}>
              App portal link
            </button>
            <button type="button" class="danger" onClick={deleteApp}>
              Delete application
            </button>
          </>
        )}
      </div>
      <Problem error={access.error || remove.error} />
      {portalUrl && (
        <p class="notice" role="status">
          Portal link for this application (short-lived; whoever has it can manage this application's endpoints): <a href={portalUrl} target="_blank" rel="noreferrer" id="portal-url">{portalUrl}</a> <Copy text={portalUrl} />
        </p>
      )}

      <h2>Endpoints</h2>
      <Problem error={endpoints.error} />
      <Loading when={endpoints.loading && !endpoints.data} />
      {endpoints.data && (
        <table>
          <caption class="visually-hidden">Endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">State</th>
              <th scope="col">Event types</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.data.map((ep) => (
              <tr key={ep.id}>
                <td>
                  <a href={href('apps', appId, 'endpoints', ep.id)}>{ep.url}</a>
                  {ep.description && <div class="muted">{ep.description}</div>}
                </td>
                <td>{ep.disabled ? <span class="status status-fail">disabled</span> : <span class="status status-success">enabled</span>}</td>
                <td>{ep.filterTypes?.join(', ') ?? <span class="muted">all</span>}</td>
                <td>
                  <Time at={ep.createdAt} />
                </td>
              </tr>
            ))}
            {endpoints.data.data.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No endpoints yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={endpoints.data} iterator={iterator} onPage={setIterator} />
      {adding ? (
        <>
          <h2>New endpoint</h2>
          <EndpointForm onSubmit={createEndpoint} busy={create.busy} error={create.error} submitLabel="Create endpoint" />
        </>
      ) : (
        <button type="button" class="primary" onClick={() => setAdding(true)}>
          Add endpoint
        </button>
      )}
    </section>
  );
}
