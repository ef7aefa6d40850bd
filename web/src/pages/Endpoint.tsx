import { useState } from 'preact/hooks';
import { ApiError, del, get, isMissing, patch, post, seg, type ListResponse } from '../api';
import { useLive } from '../live';
import { useAction, useLoad } from '../load';
import { Attempts } from '../parts/Attempts';
import { EndpointForm } from '../parts/EndpointForm';
import { RecentAttempts } from '../parts/RecentAttempts';
import { Secret } from '../parts/Secret';
import { TaskProgress } from '../parts/Task';
import { Problem, Time, headersParse, localToIso } from '../parts/common';
import { href, navigate } from '../route';
import type { EndpointHealth, EndpointOut, EndpointStats, EventTypeOut, TaskOut } from '../types';

/** One endpoint: settings, secret, test event, recovery, health and its recent deliveries. */
export function Endpoint({ appId, endpointId }: { appId: string; endpointId: string }) {
  const base = `/api/v1/app/${seg(appId)}/endpoint/${seg(endpointId)}`;
  const endpoint = useLoad(() => get<EndpointOut>(base), [base]);
  const [editing, setEditing] = useState(false);
  const save = useAction();
  const toggle = useAction();
  const remove = useAction();

  const submitEdit = (body: Record<string, unknown>) =>
    save.run(async () => {
      await patch(base, body);
      setEditing(false);
      endpoint.reload();
      return 'Saved.';
    });
  const setDisabled = (disabled: boolean) =>
    toggle.run(async () => {
      await patch(base, { disabled });
      endpoint.reload();
      return disabled ? 'Endpoint disabled: nothing is sent to it until it is enabled.' : 'Endpoint enabled.';
    });
  const deleteEndpoint = () => {
    if (!confirm('Delete this endpoint? Its pending deliveries are dropped.')) return;
    void remove.run(async () => {
      await del(base);
      navigate(href('apps', appId));
    });
  };

  if (endpoint.error instanceof ApiError && endpoint.error.status === 404) return <Problem error="No such endpoint." />;
  const ep = endpoint.data;
  return (
    <section aria-labelledby="ep-title">
      <p>
        <a href={href('apps', appId)}>← Application</a>
      </p>
      <h1 id="ep-title">{ep?.url ?? endpointId}</h1>
      <Problem error={endpoint.error} />
      {ep && (
        <>
          {ep.disabled && (
            <p class={ep.disabledReason ? 'banner warning' : 'banner'} role="alert">
              This endpoint is disabled{ep.disabledReason ? ` by Hookyard: ${ep.disabledReason}` : ''}. Messages are not sent to it until it is enabled.
            </p>
          )}
          <dl class="facts">
            <dt>ID</dt>
            <dd>
              <code>{ep.id}</code>
            </dd>
            {ep.uid && (
              <>
                <dt>UID</dt>
                <dd>
                  <code>{ep.uid}</code>
                </dd>
              </>
            )}
            <dt>Description</dt>
            <dd>{ep.description || <span class="muted">none</span>}</dd>
            <dt>Event types</dt>
            <dd>{ep.filterTypes?.join(', ') ?? 'all'}</dd>
            <dt>Channels</dt>
            <dd>{ep.channels?.join(', ') ?? 'all'}</dd>
            <dt>Rate limit</dt>
            <dd>{ep.rateLimit ? `${ep.rateLimit} per second` : 'none'}</dd>
            <dt>Updated</dt>
            <dd>
              <Time at={ep.updatedAt} />
            </dd>
          </dl>
          <div class="actions">
            <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              {editing ? 'Cancel edit' : 'Edit'}
            </button>
            <button type="button" onClick={() => setDisabled(!ep.disabled)} disabled={toggle.busy}>
              {ep.disabled ? 'Enable' : 'Disable'}
            </button>
            <button type="button" class="danger" onClick={deleteEndpoint}>
              Delete
            </button>
          </div>
          <Problem error={toggle.error || remove.error} />
          {(toggle.done || save.done) && <p role="status">{toggle.done || save.done}</p>}
          {editing && <EndpointForm endpoint={ep} onSubmit={submitEdit} busy={save.busy} error={save.error} submitLabel="Save" />}
        </>
      )}
      <div class="grid">
        <Secret base={base} />
        <Headers base={base} />
        <SendTest base={base} />
        <Recover base={base} />
        <Health base={base} endpoint={ep} />
      </div>
      <h2>Recent deliveries</h2>
      <Attempts appId={appId} path={`/api/v1/app/${seg(appId)}/attempt/endpoint/${seg(endpointId)}`} caption="Attempts to this endpoint" />
    </section>
  );
}

function Headers({ base }: { base: string }) {
  const headers = useLoad(() => get<{ headers: Record<string, string>; sensitive: string[] }>(`${base}/headers`), [base]);
  const [text, setText] = useState<string | null>(null);
  const action = useAction();
  const shown = headers.data ? [...Object.entries(headers.data.headers).map(([k, v]) => `${k}: ${v}`), ...headers.data.sensitive.map((k) => `${k}: (sensitive, not shown)`)] : [];
  const save = () =>
    action.run(async () => {
      const wanted = headersParse(text ?? '');
      // Sensitive values are never read back, so lines still saying "(sensitive …)" are left as they are.
      for (const [k, v] of Object.entries(wanted)) if (v.startsWith('(sensitive')) delete wanted[k];
      const removed = Object.keys(headers.data?.headers ?? {}).filter((k) => !(k in wanted));
      await patch(`${base}/headers`, { headers: wanted, ...(removed.length ? { deleteHeaders: removed } : {}) });
      setText(null);
      headers.reload();
      return 'Headers saved.';
    });
  return (
    <div class="card">
      <h2>Custom headers</h2>
      <Problem error={headers.error} />
      {text === null ? (
        <>
          {shown.length ? <pre class="code">{shown.join('\n')}</pre> : <p class="muted">None.</p>}
          <button type="button" onClick={() => setText(shown.join('\n'))} disabled={!headers.data}>
            Edit headers
          </button>
        </>
      ) : (
        <>
          <label for="headers-text">One "Name: value" a line</label>
          <textarea id="headers-text" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="button" class="primary" onClick={save} disabled={action.busy}>
            Save headers
          </button>{' '}
          <button type="button" onClick={() => setText(null)}>
            Cancel
          </button>
        </>
      )}
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
    </div>
  );
}

function SendTest({ base }: { base: string }) {
  const types = useLoad(() => get<ListResponse<EventTypeOut>>('/api/v1/event-type?limit=250'), []);
  const [eventType, setEventType] = useState('svix.ping');
  const action = useAction();
  const send = () =>
    action.run(async () => {
      const msg = await post<{ id: string }>(`${base}/send-example`, { eventType });
      return `Sent test message ${msg.id}; its attempt appears below.`;
    });
  return (
    <div class="card">
      <h2>Send a test event</h2>
      <label for="test-type">Event type</label>
      <select id="test-type" value={eventType} onChange={(e) => setEventType(e.currentTarget.value)}>
        <option value="svix.ping">svix.ping</option>
        {types.data?.data.map((t) => (
          <option key={t.name} value={t.name}>
            {t.name}
          </option>
        ))}
      </select>
      <button type="button" class="primary" onClick={send} disabled={action.busy}>
        Send test event
      </button>
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
    </div>
  );
}

function Recover({ base }: { base: string }) {
  const [since, setSince] = useState('');
  const [task, setTask] = useState<TaskOut | null>(null);
  const action = useAction();
  const [replayMissing, setReplayMissing] = useState(true);
  const run = (what: 'recover' | 'replay-missing') =>
    action.run(async () => {
      const body = { since: localToIso(since) ?? new Date(Date.now() - 24 * 3600_000).toISOString() };
      try {
        // Recover re-sends deliveries that failed for good; those still retrying are not its business, so say how many there are.
        const before = what === 'recover' ? await get<EndpointStats>(`${base}/stats?since=${encodeURIComponent(body.since)}`).catch(() => null) : null;
        setTask(await post<TaskOut>(`${base}/${what}`, body));
        if (before) return recoverSummary(before);
      } catch (error) {
        if (what === 'replay-missing' && isMissing(error)) {
          setReplayMissing(false);
          return 'This server does not replay missing messages.';
        }
        throw error;
      }
    });
  return (
    <div class="card">
      <h2>Recover or replay</h2>
      <label for="recover-since">Since (empty: the last 24 hours)</label>
      <input id="recover-since" type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      <div class="actions">
        <button type="button" onClick={() => run('recover')} disabled={action.busy}>
          Recover failed
        </button>
        {replayMissing && (
          <button type="button" onClick={() => run('replay-missing')} disabled={action.busy}>
            Replay missing
          </button>
        )}
      </div>
      <p class="muted">Recover re-sends deliveries that failed for good (all retries used); replay sends messages the endpoint never got.</p>
      <TaskProgress task={task} />
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
    </div>
  );
}

function recoverSummary(s: EndpointStats): string {
  const waiting = s.pending + s.sending;
  const failed = `${s.fail} ${s.fail === 1 ? 'delivery' : 'deliveries'} in that time had failed for good${s.fail ? ' and are sent again' : ': nothing to re-send'}`;
  return waiting ? `${failed}; ${waiting} ${waiting === 1 ? 'is' : 'are'} still retrying or pending, and go on their schedule.` : `${failed}.`;
}

/** Counters by status, and the health fields a server with endpoint health answers. */
function Health({ base, endpoint }: { base: string; endpoint: EndpointOut | undefined }) {
  const stats = useLoad(() => get<EndpointStats>(`${base}/stats`), [base]);
  useLive((e) => e.type === 'attempt' && stats.reload());
  const health = useLoad(
    () =>
      get<EndpointHealth>(`${base}/health`).catch((error: unknown) => {
        if (isMissing(error)) return null; // not on this server: the section shows what it can
        throw error;
      }),
    [base],
  );
  const h: EndpointHealth = { ...(endpoint ?? {}), ...(health.data ?? {}) } as EndpointHealth;
  // The counters are of deliveries (a message to this endpoint, with all its retries), not attempts.
  const rows: [string, unknown][] = [
    ['Failing since', h.failingSince],
    ['Deliveries failed for good in a row', h.consecutiveFailures],
    ['Last success', h.lastSuccessAt],
    ['Last failed attempt', h.lastFailureAt],
    ['Disabled at', h.disabledAt],
  ];
  return (
    <div class="card">
      <h2>Health</h2>
      <Problem error={stats.error || health.error} />
      {stats.data && (
        <ul class="counters" aria-label="Deliveries by status">
          <li>
            <strong>{stats.data.success}</strong> succeeded
          </li>
          <li>
            <strong>{stats.data.fail}</strong> failed for good
          </li>
          <li>
            <strong>{stats.data.pending + stats.data.sending}</strong> pending or retrying
          </li>
          <li>
            <strong>{stats.data.canceled}</strong> canceled
          </li>
        </ul>
      )}
      <dl class="facts">
        {rows
          .filter(([, v]) => v !== undefined)
          .map(([label, v]) => (
            <>
              <dt>{label}</dt>
              <dd>{typeof v === 'number' ? v : <Time at={v as string | null} />}</dd>
            </>
          ))}
        {/* base is /api/v1/app/{app}/endpoint/{endpoint} (Endpoint above); its attempts are under /attempt/. */}
        <RecentAttempts path={base.replace('/endpoint/', '/attempt/endpoint/')} />
      </dl>
    </div>
  );
}
