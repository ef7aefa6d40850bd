import { useState } from 'preact/hooks';
import { ApiError, del, get, isMissing, post, put, query, seg, type ListResponse } from '../api';
import { sameId, useLiveReload } from '../live';
import { useAction, useLoad } from '../load';
import { Copy, Json, Loading, Pager, Problem, Time, listParse } from '../parts/common';
import { href, navigate } from '../route';
import { ForwardedMessage } from '../parts/ForwardedMessage';
import { SourceEndpoints } from '../parts/SourceEndpoints';
import { sampleSign } from '../sign';
import type { SourceOut } from '../types';
import { SECRET_SOURCE_TYPES } from '../../../src/inbound/verify/console-types';

interface RequestOut {
  id: string;
  receivedAt: string;
  outcome: 'accepted' | 'duplicate' | 'handshake' | 'rejected';
  reason: string | null;
  status: number;
  clientIp: string | null;
  userAgent: string | null;
  headers: Record<string, string>;
  size: number;
  durationMs: number;
  count: number;
  messageId: string | null;
  eventType: string | null;
}

/** One source: its receiving URL and key, verification, limits, statistics, request log and a test tool. */
export function Source({ sourceId }: { sourceId: string }) {
  const base = `/ingest/api/v1/source/${seg(sourceId)}`;
  const source = useLoad(() => get<SourceOut>(base), [base]);
  const [logTick, setLogTick] = useState(0);
  const remove = useAction();
  if (source.error instanceof ApiError && source.error.status === 404) return <Problem error="No such source." />;
  const s = source.data;
  const deleteSource = () => {
    if (!confirm(`Delete source ${s?.name ?? sourceId}? Its receiving URL stops working.`)) return;
    void remove.run(async () => {
      await del(base);
      navigate(href('sources'));
    });
  };
  return (
    <section aria-labelledby="source-title">
      <p>
        <a href={href('sources')}>← Sources</a>
      </p>
      <h1 id="source-title">{s?.name ?? sourceId}</h1>
      <Problem error={source.error || remove.error} />
      {s && (
        <>
          {s.disabled === true && (
            <p class="banner warning" role="alert">
              This source is disabled: requests to it are answered 403 (and logged).
            </p>
          )}
          <div class="grid">
            <ReceivingUrl base={base} source={s} onChange={source.reload} />
            <Settings base={base} source={s} onChange={source.reload} />
            <Stats base={base} tick={logTick} />
            <TestTool source={s} onSent={() => setLogTick((t) => t + 1)} />
          </div>
          <button type="button" class="danger" onClick={deleteSource}>
            Delete source
          </button>
        </>
      )}
      {s && (
        <>
          <h2>Forwarding (ingest endpoints)</h2>
          <SourceEndpoints source={s} />
        </>
      )}
      <h2>Request log</h2>
      <RequestLog base={base} sourceId={s?.id ?? sourceId} tick={logTick} />
    </section>
  );
}

function ReceivingUrl({ base, source, onChange }: { base: string; source: SourceOut; onChange: () => void }) {
  const [shown, setShown] = useState(false);
  const action = useAction();
  const url = source.ingestUrl ?? '';
  // The key is the URL's last segment: whoever has it can post to this source.
  const masked = url.replace(/[^/]+$/, (key) => '•'.repeat(Math.min(key.length, 24)));
  const regenerate = () => {
    if (!confirm('Regenerate the receiving URL? The current one stops working at once, so the provider must be given the new one.')) return;
    void action.run(async () => {
      await post(`${base}/token/rotate`, {});
      onChange();
      return 'A new receiving URL was made; the old one answers 404.';
    });
  };
  const setDisabled = (disabled: boolean) =>
    action.run(async () => {
      await post(`${base}/${disabled ? 'disable' : 'enable'}`, {});
      onChange();
    });
  return (
    <div class="card">
      <h2>Receiving URL</h2>
      <p>
        <code class="secret" id="ingest-url">
          {shown ? url : masked}
        </code>
      </p>
      {shown && <p class="warning-text">Keep this URL secret: its last part is the source's key, and anyone who has it can send requests here.</p>}
      <div class="actions">
        <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown}>
          {shown ? 'Hide key' : 'Show key'}
        </button>
        <Copy text={url} label="Copy URL" />
        <button type="button" onClick={regenerate} disabled={action.busy}>
          Regenerate
        </button>
      </div>
      {'disabled' in source && (
        <label class="check">
          <input type="checkbox" role="switch" checked={!source.disabled} disabled={action.busy} onChange={(e) => setDisabled(!e.currentTarget.checked)} /> Enabled
        </label>
      )}
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
    </div>
  );
}

function Settings({ base, source, onChange }: { base: string; source: SourceOut; onChange: () => void }) {
  const hasSecret = SECRET_SOURCE_TYPES.includes(source.type);
  const [secret, setSecret] = useState('');
  const [rateLimit, setRateLimit] = useState(source.rateLimit == null ? '' : String(source.rateLimit));
  const [maxBodyBytes, setMaxBodyBytes] = useState(source.maxBodyBytes == null ? '' : String(source.maxBodyBytes));
  const [cidrs, setCidrs] = useState(((source.allowedCidrs as string[] | null) ?? []).join(', '));
  const action = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const config = { ...(source.config ?? {}), ...(hasSecret && secret ? { secret } : {}) };
      const body: Record<string, unknown> = { name: source.name, type: source.type, config, uid: source.uid ?? null, metadata: source.metadata ?? {} };
      // Hookyard's extensions, sent only when the server has them.
      if ('rateLimit' in source) body.rateLimit = rateLimit === '' ? null : Number(rateLimit);
      if ('maxBodyBytes' in source) body.maxBodyBytes = maxBodyBytes === '' ? null : Number(maxBodyBytes);
      if ('allowedCidrs' in source) body.allowedCidrs = listParse(cidrs);
      await put(base, body);
      setSecret('');
      onChange();
      return 'Saved.';
    });
  };
  return (
    <form class="card form" onSubmit={save} aria-label="Source settings">
      <h2>Verification and limits</h2>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{source.type}</dd>
        {Object.entries(source.config ?? {}).map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>
              <code>{JSON.stringify(v)}</code>
            </dd>
          </>
        ))}
      </dl>
      {hasSecret && (
        <div class="field">
          <label for="source-new-secret">New signing secret (write-only; empty keeps the current one)</label>
          <input id="source-new-secret" type="password" autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </div>
      )}
      {'rateLimit' in source && (
        <div class="field">
          <label for="source-rate">Rate limit (requests per minute, empty: server default)</label>
          <input id="source-rate" type="number" min={1} value={rateLimit} onInput={(e) => setRateLimit(e.currentTarget.value)} />
        </div>
      )}
      {'maxBodyBytes' in source && (
        <div class="field">
          <label for="source-size">Size limit (bytes, empty: server default)</label>
          <input id="source-size" type="number" min={1} value={maxBodyBytes} onInput={(e) => setMaxBodyBytes(e.currentTarget.value)} />
        </div>
      )}
      {'allowedCidrs' in source && (
        <div class="field">
          <label for="source-cidrs">IP allowlist (CIDRs, comma-separated; empty: any)</label>
          <input id="source-cidrs" value={cidrs} onInput={(e) => setCidrs(e.currentTarget.value)} />
        </div>
      )}
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
      <button type="submit" class="primary" disabled={action.busy}>
        Save settings
      </button>
    </form>
  );
}

function Stats({ base, tick }: { base: string; tick: number }) {
  const stats = useLoad(() => get<{ eventsReceived: number; lastEventAt: string | null }>(`${base}/stats`).catch((e: unknown) => (isMissing(e) ? null : Promise.reject(e))), [base, tick]);
  if (stats.data === null) return null;
  return (
    <div class="card">
      <h2>Statistics</h2>
      <Problem error={stats.error} />
      {stats.data && (
        <ul class="counters">
          <li>
            <strong id="events-received">{stats.data.eventsReceived}</strong> events received
          </li>
          <li>
            <strong>
              <Time at={stats.data.lastEventAt} />
            </strong>{' '}
            last event
          </li>
        </ul>
      )}
    </div>
  );
}

function TestTool({ source, onSent }: { source: SourceOut; onSent: () => void }) {
  const needsSecret = SECRET_SOURCE_TYPES.includes(source.type);
  const [secret, setSecret] = useState('');
  const [body, setBody] = useState('{"test": true, "source": "hookyard console"}');
  const [result, setResult] = useState('');
  const action = useAction();
  const send = () =>
    action.run(async () => {
      const id = `msg_test_${Date.now()}`;
      const headers = await sampleSign(source.type, secret, body, new Date(), id);
      if (!headers) throw new Error(`This tool cannot sign for ${source.type}; send a request with the provider's own test button.`);
      const res = await fetch(source.ingestUrl ?? '', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, credentials: 'omit' });
      setResult(`${res.status} ${res.statusText}: ${(await res.text()).slice(0, 500)}`);
      onSent();
    });
  return (
    <div class="card">
      <h2>Test tool</h2>
      <p class="muted">Sends a sample request to the receiving URL, signed as {source.type} would sign it.</p>
      {needsSecret && (
        <div class="field">
          <label for="test-secret">Signing secret to sign with (stays in this page)</label>
          <input id="test-secret" type="password" autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </div>
      )}
      <div class="field">
        <label for="test-body">Body</label>
        <textarea id="test-body" rows={3} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </div>
      <button type="button" class="primary" onClick={send} disabled={action.busy || (needsSecret && !secret)}>
        Send signed sample
      </button>
      <Problem error={action.error} />
      {result && (
        <p role="status" id="test-result">
          Answer: {result}
        </p>
      )}
    </div>
  );
}

function RequestLog({ base, sourceId, tick }: { base: string; sourceId: string; tick: number }) {
  const [iterator, setIterator] = useState<string | null>(null);
  const [outcome, setOutcome] = useState('');
  const [liveTick, setLiveTick] = useState(0);
  const log = useLoad(
    () => get<ListResponse<RequestOut>>(`${base}/request${query({ limit: 25, iterator, outcome })}`).catch((e: unknown) => (isMissing(e) ? null : Promise.reject(e))),
    [base, iterator, outcome, tick, liveTick],
  );
  // The log grows as requests arrive (accepted or rejected, in any process); a later page stays put.
  useLiveReload('source-request', (i) => sameId(i.sourceId, sourceId), () => iterator === null && setLiveTick((t) => t + 1));
  const [open, setOpen] = useState<string | null>(null);
  if (log.data === null) return <p class="muted">This server keeps no request log.</p>;
  return (
    <div>
      <div class="toolbar">
        <label for="log-outcome">Outcome</label>
        <select id="log-outcome" value={outcome} onChange={(e) => (setIterator(null), setOutcome(e.currentTarget.value))}>
          <option value="">all</option>
          <option value="accepted">accepted</option>
          <option value="rejected">rejected</option>
          <option value="duplicate">duplicate</option>
          <option value="handshake">handshake</option>
        </select>
        <button type="button" class="small" onClick={log.reload}>
          Refresh
        </button>
      </div>
      <Problem error={log.error} />
      <Loading when={log.loading && !log.data} />
      {log.data && (
        <table>
          <caption class="visually-hidden">Requests received</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
              <th scope="col">HTTP</th>
              <th scope="col">From</th>
              <th scope="col">Size</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {log.data.data.map((r) => (
              <>
                <tr key={r.id} class="request-row" data-outcome={r.outcome}>
                  <td>
                    <Time at={r.receivedAt} />
                  </td>
                  <td>
                    <span class={`status ${r.outcome === 'rejected' ? 'status-fail' : 'status-success'}`}>{r.outcome}</span>
                    {r.count > 1 && <span class="tag">×{r.count}</span>}
                  </td>
                  {/* Accepted without a check (no secret, or a type that checks nothing): a warning, not a failure. */}
                  <td class={r.reason === 'unverified' ? 'warning-text' : r.reason ? 'failure' : ''}>{r.reason ?? <span class="muted">—</span>}</td>
                  <td>{r.status}</td>
                  <td>{r.clientIp ?? '—'}</td>
                  <td>{r.size} B</td>
                  <td>
                    <button type="button" class="small" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? null : r.id)}>
                      {open === r.id ? 'Hide' : 'Open'}
                    </button>
                  </td>
                </tr>
                {open === r.id && (
                  <tr>
                    <td colSpan={7}>
                      <dl class="facts">
                        <dt>Event type</dt>
                        <dd>{r.eventType ?? '—'}</dd>
                        {r.messageId ? (
                          <ForwardedMessage sourceBase={base} messageId={r.messageId} />
                        ) : (
                          <>
                            <dt>Message</dt>
                            <dd>—</dd>
                          </>
                        )}
                        <dt>User agent</dt>
                        <dd>{r.userAgent ?? '—'}</dd>
                        <dt>Duration</dt>
                        <dd>{r.durationMs} ms</dd>
                      </dl>
                      <Json label="Request headers" value={Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')} />
                    </td>
                  </tr>
                )}
              </>
            ))}
            {log.data.data.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No requests yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={log.data ?? undefined} iterator={iterator} onPage={setIterator} />
    </div>
  );
}
