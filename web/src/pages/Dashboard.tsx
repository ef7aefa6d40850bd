import { useMemo, useState } from 'preact/hooks';
import { get, isMissing, query } from '../api';
import { useLoad } from '../load';
import { Chart, type Series } from '../parts/Chart';
import { Loading, Problem, Time, isoToLocal, localToIso } from '../parts/common';
import { href } from '../route';
import { statsRead, type StatsView } from '../stats';

const RANGES: [string, number][] = [
  ['Last hour', 3600],
  ['Last 24 hours', 24 * 3600],
  ['Last 7 days', 7 * 24 * 3600],
];

/** The 24-hour (or chosen range) picture from the server's per-minute rollups. */
export function Dashboard() {
  const [seconds, setSeconds] = useState(24 * 3600);
  const [custom, setCustom] = useState<{ since: string; until: string } | null>(null);
  const [draft, setDraft] = useState({ since: isoToLocal(new Date(Date.now() - 24 * 3600_000).toISOString()), until: isoToLocal(new Date().toISOString()) });
  const [tick, setTick] = useState(0);
  const range = useMemo(() => {
    if (custom) return { since: localToIso(custom.since)!, until: localToIso(custom.until)! };
    const until = new Date();
    return { since: new Date(until.getTime() - seconds * 1000).toISOString(), until: until.toISOString() };
  }, [seconds, custom, tick]);
  const stats = useLoad(async () => {
    const started = performance.now();
    const raw = await get<unknown>(`/console/api/stats${query(range)}`);
    return { view: statsRead(raw), ms: Math.round(performance.now() - started) };
  }, [range.since, range.until]);
  const view = stats.data?.view;
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <div class="toolbar" role="group" aria-label="Range">
        {RANGES.map(([label, s]) => (
          <button key={s} type="button" aria-pressed={!custom && seconds === s} class={!custom && seconds === s ? 'primary' : ''} onClick={() => (setCustom(null), setSeconds(s))}>
            {label}
          </button>
        ))}
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </div>
      <form
        class="inline-form"
        aria-label="Custom range"
        onSubmit={(e) => {
          e.preventDefault();
          setCustom(draft);
        }}
      >
        <div class="field">
          <label for="dash-since">From</label>
          <input id="dash-since" type="datetime-local" value={draft.since} onInput={(e) => setDraft({ ...draft, since: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="dash-until">To</label>
          <input id="dash-until" type="datetime-local" value={draft.until} onInput={(e) => setDraft({ ...draft, until: e.currentTarget.value })} />
        </div>
        <button type="submit" aria-pressed={!!custom}>
          Show range
        </button>
      </form>
      {isMissing(stats.error) ? <p class="notice">This server keeps no statistics yet.</p> : <Problem error={stats.error} />}
      <Loading when={stats.loading && !stats.data} />
      {stats.data && (
        <p class="muted">
          {new Date(range.since).toLocaleString()} – {new Date(range.until).toLocaleString()} · loaded in {stats.data.ms} ms
        </p>
      )}
      {view && <DashboardView view={view} />}
    </section>
  );
}

function DashboardView({ view }: { view: StatsView }) {
  const autoDisabled = view.endpoints.filter((e) => e.disabled && e.disabledReason);
  return (
    <>
      {autoDisabled.length > 0 && (
        <p class="banner warning" role="alert">
          {autoDisabled.length} endpoint{autoDisabled.length > 1 ? 's were' : ' was'} disabled by Hookyard after failing:{' '}
          {autoDisabled.map((e, i) => (
            <span key={e.id}>
              {i > 0 && ', '}
              {e.appId ? <a href={href('apps', e.appId, 'endpoints', e.id)}>{e.url ?? e.id}</a> : (e.url ?? e.id)}
            </span>
          ))}
          .
        </p>
      )}
      <ul class="counters" aria-label="Totals">
        {view.figures.map((f) => (
          <li key={f.label}>
            <strong class="figure">{f.value}</strong> {f.label}
          </li>
        ))}
      </ul>
      <div class="charts">
        {view.charts.map((c) => (
          <Chart key={c.title} title={c.title} times={c.times} series={c.series as Series[]} unit={c.unit} />
        ))}
      </div>
      {view.endpoints.length > 0 && (
        <>
          <h2>Failing and disabled endpoints</h2>
          <table>
            <caption class="visually-hidden">Endpoints failing now or disabled</caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Endpoint</th>
                <th scope="col">State</th>
                <th scope="col">Since</th>
                <th scope="col">Failed for good in a row</th>
                <th scope="col">Last failed attempt</th>
              </tr>
            </thead>
            <tbody>
              {view.endpoints.map((e) => (
                <tr key={e.id} class="troubled-endpoint">
                  <td>{e.appId ? <a href={href('apps', e.appId)}>{e.appName ?? e.appId}</a> : '—'}</td>
                  <td>{e.appId ? <a href={href('apps', e.appId, 'endpoints', e.id)}>{e.url ?? e.id}</a> : (e.url ?? e.id)}</td>
                  <td>{e.disabled ? <span class="status status-fail">disabled{e.disabledReason ? `: ${e.disabledReason}` : ''}</span> : <span class="status status-pending">failing</span>}</td>
                  <td>
                    <Time at={e.since ?? null} />
                  </td>
                  <td>{e.failures ?? '—'}</td>
                  <td>
                    <Time at={e.lastFailureAt ?? null} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {view.tokens.length > 0 && (
        <>
          <h2>API requests per token</h2>
          {/* The total's error rate also counts requests that named no valid token (401s); these rows cannot. */}
          <p class="muted">Requests that signed in with a token; those refused before one was known (401) count only in the API error rate above.</p>
          <table>
            <caption class="visually-hidden">API requests per token</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Requests</th>
                <th scope="col">Errors</th>
                <th scope="col">Error rate</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {view.tokens.map((t) => (
                <tr key={t.id ?? t.name}>
                  <td>{t.name}</td>
                  <td>{t.requests}</td>
                  <td>{t.errors}</td>
                  <td>{t.requests ? `${Math.round((t.errors / t.requests) * 1000) / 10}%` : '—'}</td>
                  <td>
                    <Time at={t.lastSeenAt ?? null} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
