// What an endpoint's attempts say right now, beside its delivery counters: those count deliveries
// by where they stand, so an endpoint whose every attempt fails but whose deliveries are still
// retrying shows "0 failed". The last attempt and the failed attempts of the last 24 hours say it.
import { get, query, type ListResponse } from '../api';
import { useLive } from '../live';
import { useLoad } from '../load';
import type { AttemptOut } from '../types';
import { Status, Time } from './common';

const DAY_MS = 24 * 3600_000;
const COUNT_MAX = 250; // one page: "250 or more" is all an operator needs to know

/** `path` is the endpoint's attempt list (/api/v1/app/{app}/attempt/endpoint/{endpoint}); rendered inside a <dl>. */
export function RecentAttempts({ path }: { path: string }) {
  const recent = useLoad(async () => {
    const [last, failed] = await Promise.all([
      get<ListResponse<AttemptOut>>(`${path}${query({ limit: 1 })}`),
      get<ListResponse<AttemptOut>>(`${path}${query({ limit: COUNT_MAX, status: 2, after: new Date(Date.now() - DAY_MS).toISOString(), with_content: false })}`),
    ]);
    return { last: last.data[0], failed: failed.data.length, more: !failed.done };
  }, [path]);
  useLive((e) => e.type === 'attempt' && recent.reload());
  const r = recent.data;
  // Rows of the Health card's <dl>, so they line up with its other facts.
  if (recent.error)
    return (
      <>
        <dt>Recent attempts</dt>
        <dd class="failure">{recent.error.message}</dd>
      </>
    );
  if (!r) return null;
  return (
    <>
      <dt>Last attempt</dt>
      <dd>
        {r.last ? (
          <>
            <Status status={r.last.status} /> {r.last.responseStatusCode ? `HTTP ${r.last.responseStatusCode}` : (r.last.errorClass ?? 'no response')}, <Time at={r.last.timestamp} />
          </>
        ) : (
          <span class="muted">none yet</span>
        )}
      </dd>
      <dt>Failed attempts, last 24 h</dt>
      <dd id="failed-attempts-24h">
        {r.failed}
        {r.more && ' or more'}
      </dd>
    </>
  );
}
