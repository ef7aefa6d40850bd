// A list of delivery attempts (of one endpoint or one message), newest first, each with its
// request and response on demand and a one-click redeliver. New attempts arrive live.
import { useState } from 'preact/hooks';
import { get, post, query, seg, type ListResponse } from '../api';
import { useLive, usePollWhileOffline } from '../live';
import { useAction, useLoad } from '../load';
import { href } from '../route';
import type { AttemptOut, MessageOut } from '../types';
import { Json, Loading, Pager, Problem, Status, Time } from './common';

export function Attempts({ appId, path, caption, showMessage = true }: { appId: string; path: string; caption: string; showMessage?: boolean }) {
  const [iterator, setIterator] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const attempts = useLoad(() => get<ListResponse<AttemptOut>>(`${path}${query({ limit: 25, iterator, status })}`), [path, iterator, status]);
  const [open, setOpen] = useState<string | null>(null);
  const live = useLive((event) => {
    if (event.type !== 'attempt' && event.type !== 'message') return;
    // Only the first page shows new attempts; a later page stays put.
    if (iterator === null) attempts.reload();
  });
  usePollWhileOffline(live, () => iterator === null && attempts.reload());
  return (
    <div class="attempts">
      <div class="toolbar">
        <label for={`${caption}-status`}>Status</label>
        <select id={`${caption}-status`} value={status} onChange={(e) => (setIterator(null), setStatus(e.currentTarget.value))}>
          <option value="">all</option>
          <option value="0">success</option>
          <option value="2">fail</option>
        </select>
        <span class={live ? 'live on' : 'live'} aria-live="polite">
          {live ? '● live' : '○ refreshing every few seconds'}
        </span>
        <button type="button" class="small" onClick={attempts.reload}>
          Refresh
        </button>
      </div>
      <Problem error={attempts.error} />
      <Loading when={attempts.loading && !attempts.data} />
      {attempts.data && (
        <table class="attempt-table">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">HTTP</th>
              <th scope="col">Duration</th>
              {/* A list is of one endpoint (each row's message) or of one message (each row's endpoint). */}
              {showMessage ? <th scope="col">Message</th> : <th scope="col">Endpoint</th>}
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {attempts.data.data.map((a) => (
              <AttemptRow key={a.id} appId={appId} attempt={a} showMessage={showMessage} open={open === a.id} onToggle={() => setOpen(open === a.id ? null : a.id)} />
            ))}
            {attempts.data.data.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No attempts yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={attempts.data} iterator={iterator} onPage={setIterator} />
    </div>
  );
}

function AttemptRow({ appId, attempt: a, showMessage, open, onToggle }: { appId: string; attempt: AttemptOut; showMessage: boolean; open: boolean; onToggle: () => void }) {
  const detailsId = `attempt-${a.id}`;
  return (
    <>
      <tr class="attempt-row" data-attempt={a.id}>
        <td>
          <Time at={a.timestamp} />
          {a.triggerType === 1 && <span class="tag">manual</span>}
        </td>
        <td>
          <Status status={a.status} />
        </td>
        <td>{a.responseStatusCode || <span class="muted">none</span>}</td>
        <td>{a.responseDurationMs} ms</td>
        {showMessage ? (
          <td>
            <a href={href('apps', appId, 'messages', a.msgId)}>
              <code>{a.msgId}</code>
            </a>
          </td>
        ) : (
          <td class="url">
            <a href={href('apps', appId, 'endpoints', a.endpointId)}>{a.url}</a>
          </td>
        )}
        <td>
          <button type="button" class="small" aria-expanded={open} aria-controls={detailsId} onClick={onToggle}>
            {open ? 'Hide' : 'Open'}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId}>
          <td colSpan={6}>
            <AttemptDetails appId={appId} attempt={a} />
          </td>
        </tr>
      )}
    </>
  );
}

function AttemptDetails({ appId, attempt: listed }: { appId: string; attempt: AttemptOut }) {
  // The one-attempt GET adds what lists leave out: the request's and the response's headers.
  const one = useLoad(() => get<AttemptOut>(`/api/v1/app/${seg(appId)}/msg/${seg(listed.msgId)}/attempt/${seg(listed.id)}`), [listed.id]);
  const a = one.data ?? listed;
  // The request body is the message's payload, exactly as published.
  const message = useLoad(() => (listed.requestBody != null ? Promise.resolve(undefined) : get<MessageOut>(`/api/v1/app/${seg(appId)}/msg/${seg(listed.msgId)}`)), [listed.id]);
  const resend = useAction();
  const redeliver = () =>
    resend.run(async () => {
      await post(`/api/v1/app/${seg(appId)}/msg/${seg(a.msgId)}/endpoint/${seg(a.endpointId)}/resend`, {});
      return 'Redelivery queued; its attempt appears above when it is made.';
    });
  return (
    <div class="attempt-details">
      <dl class="facts">
        <dt>Attempt</dt>
        <dd>
          <code>{a.id}</code>
        </dd>
        <dt>URL</dt>
        <dd>
          <code>{a.url}</code>
        </dd>
        <dt>Endpoint</dt>
        <dd>
          <a href={href('apps', appId, 'endpoints', a.endpointId)}>
            <code>{a.endpointId}</code>
          </a>
        </dd>
        <dt>Status</dt>
        <dd>
          <Status status={a.status} /> {a.responseStatusCode ? `HTTP ${a.responseStatusCode}` : 'no response'} in {a.responseDurationMs} ms
        </dd>
        {a.errorMessage && (
          <>
            <dt>Failure reason</dt>
            <dd class="failure">
              {/* The message starts with its class ("timeout after 15000 ms") on this server; a tag would say it twice. */}
              {a.errorClass && !a.errorMessage.startsWith(a.errorClass) && <span class="tag">{a.errorClass}</span>} {a.errorMessage}
            </dd>
          </>
        )}
      </dl>
      <div class="two-columns">
        <div>
          <h3>Request</h3>
          <Loading when={one.loading && !one.data} />
          {a.requestHeaders && <Json label="Request headers" value={Object.entries(a.requestHeaders).map(([k, v]) => `${k}: ${v}`).join('\n') || '(none: nothing was sent)'} />}
          {a.requestBody != null ? <Json label="Request body" value={a.requestBody} /> : message.data ? <Json label="Request body" value={message.data.payload} /> : <Loading when={message.loading} />}
          <Problem error={message.error || one.error} />
        </div>
        <div>
          <h3>Response</h3>
          {a.responseHeaders && <Json label="Response headers" value={Object.entries(a.responseHeaders).map(([k, v]) => `${k}: ${v}`).join('\n')} />}
          <Json label="Response body" value={a.response || '(empty)'} />
          {a.responseTruncated && <p class="muted">Cut at the worker's response size limit.</p>}
        </div>
      </div>
      <button type="button" class="primary" onClick={redeliver} disabled={resend.busy}>
        Redeliver
      </button>
      <Problem error={resend.error} />
      {resend.done && <p role="status">{resend.done}</p>}
    </div>
  );
}
