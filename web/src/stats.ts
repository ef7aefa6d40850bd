// Turns /console/api/stats into what the dashboard draws. The reader is tolerant on purpose: a
// per-minute series may come as rows ([{minute, a, b}]) or as columns ({minutes: [], a: [], b: []}),
// and a section a server does not have (inbound before sources exist) is simply not drawn.

export interface StatsChart {
  title: string;
  times: number[]; // unix seconds, as uPlot wants
  series: { label: string; values: (number | null)[] }[];
  unit: string;
}

export interface StatsEndpoint {
  id: string;
  appId?: string;
  appName?: string;
  url?: string;
  /** Failing since (the first failed attempt after the last success), or disabled since. */
  since?: string | null;
  disabled: boolean;
  disabledReason?: string | null;
  failures?: number;
  lastFailureAt?: string | null;
}

export interface StatsToken {
  name: string;
  id?: string | undefined;
  requests: number;
  errors: number;
  lastSeenAt?: string | null;
}

export interface StatsView {
  figures: { label: string; value: string }[];
  charts: StatsChart[];
  endpoints: StatsEndpoint[];
  tokens: StatsToken[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const TIME_KEYS = ['minute', 'time', 'at', 'bucket', 't', 'ts', 'timestamp', 'start'];
const TIME_ARRAYS = ['minutes', 'times', 'buckets', 'timestamps'];
const TITLES: Record<string, string> = {
  messages: 'Messages published',
  published: 'Messages published',
  messagesPublished: 'Messages published',
  deliveries: 'Deliveries by outcome',
  attempts: 'Deliveries by outcome',
  latency: 'Delivery latency',
  inbound: 'Inbound requests by outcome',
  ingest: 'Inbound requests by outcome',
  api: 'API requests',
  apiRequests: 'API requests',
};

export const humanize = (key: string) => TITLES[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').replace(/^./, (c) => c.toUpperCase());

function toSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms / 1000;
  }
  return undefined;
}

const unitOf = (key: string, field = '') => (/latency|duration|ms$/i.test(key) || /ms$|^p\d+/i.test(field) ? ' ms' : '');

/** Rows of {minute, n...}: one series per numeric field. */
function rowsChart(key: string, rows: Obj[]): StatsChart | undefined {
  const timeKey = TIME_KEYS.find((k) => k in (rows[0] ?? {}));
  if (!timeKey) return undefined;
  const fields = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k !== timeKey && typeof r[k] === 'number')))];
  if (!fields.length) return undefined;
  const sorted = [...rows].sort((a, b) => (toSeconds(a[timeKey]) ?? 0) - (toSeconds(b[timeKey]) ?? 0));
  return {
    title: humanize(key),
    times: sorted.map((r) => toSeconds(r[timeKey]) ?? 0),
    series: fields.map((f) => ({ label: humanize(f), values: sorted.map((r) => (typeof r[f] === 'number' ? (r[f] as number) : null)) })),
    unit: unitOf(key, fields[0]),
  };
}

/** Columns {minutes: [...], a: [...]}: one series per numeric array of the same length. */
function columnsChart(key: string, block: Obj): StatsChart | undefined {
  const timeKey = TIME_ARRAYS.find((k) => Array.isArray(block[k]));
  if (!timeKey) return undefined;
  const times = (block[timeKey] as unknown[]).map((t) => toSeconds(t) ?? 0);
  const series = Object.entries(block)
    .filter(([k, v]) => k !== timeKey && Array.isArray(v) && v.length === times.length && v.every((x) => typeof x === 'number' || x === null))
    .map(([k, v]) => ({ label: humanize(k), values: v as (number | null)[] }));
  return series.length ? { title: humanize(key), times, series, unit: unitOf(key, Object.keys(block).find((k) => k !== timeKey)) } : undefined;
}

function endpointsRead(v: unknown): StatsEndpoint[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((e) => ({
    id: String(e.id ?? e.endpointId ?? ''),
    appId: typeof e.appId === 'string' ? e.appId : undefined,
    url: typeof e.url === 'string' ? e.url : undefined,
    disabled: e.disabled === true,
    disabledReason: typeof e.disabledReason === 'string' ? e.disabledReason : null,
    failures: typeof e.failures === 'number' ? e.failures : typeof e.consecutiveFailures === 'number' ? e.consecutiveFailures : typeof e.fail === 'number' ? e.fail : undefined,
    lastFailureAt: typeof e.lastFailureAt === 'string' ? e.lastFailureAt : null,
  }));
}

function tokensRead(v: unknown): StatsToken[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((t) => ({
    name: String(t.name ?? t.prefix ?? t.tokenId ?? t.id ?? '?'),
    id: typeof t.id === 'string' ? t.id : undefined,
    requests: Number(t.requests ?? t.count ?? 0),
    errors: Number(t.errors ?? t.errorCount ?? 0),
    lastSeenAt: typeof t.lastSeenAt === 'string' ? t.lastSeenAt : typeof t.lastUsedAt === 'string' ? t.lastUsedAt : null,
  }));
}

const percent = (v: number) => `${Math.round(v * 1000) / 10}%`;
const nums = (v: unknown): (number | null)[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : null)) : []);

/** Hookyard's ConsoleStatsOut: `time` with `series` of the same length, `totals`, `tokens`, `endpoints`. */
function consoleStatsRead(raw: Obj): StatsView {
  const times = (raw.time as unknown[]).map((t) => toSeconds(t) ?? 0);
  const series = raw.series as Obj;
  const totals = (isObj(raw.totals) ? raw.totals : {}) as Obj;
  const charts: StatsChart[] = [];
  const chart = (title: string, parts: [string, unknown][], unit = '') => {
    const s = parts.filter(([, v]) => Array.isArray(v) && v.length === times.length).map(([label, v]) => ({ label, values: nums(v) }));
    if (s.length) charts.push({ title, times, series: s, unit });
  };
  chart('Messages published', [['Published', series.messagesPublished]]);
  const deliveries = isObj(series.deliveries) ? series.deliveries : {};
  chart('Deliveries by outcome', [['Succeeded', deliveries.succeeded], ['Failed, retrying', deliveries.retrying], ['Failed for good', deliveries.failed]]);
  chart('Delivery latency', [['p50', series.latencyP50Ms], ['p99', series.latencyP99Ms]], ' ms');
  if (isObj(series.inbound) && Object.keys(series.inbound).length) chart('Inbound requests by outcome', Object.entries(series.inbound).map(([k, v]) => [humanize(k), v]));
  chart('API requests', [['Requests', series.apiRequests], ['Errors', series.apiErrors]]);

  const figures: StatsView['figures'] = [];
  const figure = (label: string, v: unknown, format: (n: number) => string = String) => typeof v === 'number' && figures.push({ label, value: format(v) });
  figure('messages published', totals.messagesPublished);
  figure('delivery success rate', totals.successRate, (v) => percent(v <= 1 ? v : v / 100));
  figure('latency p50', totals.latencyP50Ms, (v) => `${Math.round(v)} ms`);
  figure('latency p99', totals.latencyP99Ms, (v) => `${Math.round(v)} ms`);
  figure('endpoints with a failed attempt', totals.failingEndpoints);
  const endpoints = isObj(raw.endpoints) ? raw.endpoints : {};
  if (typeof endpoints.disabled === 'number') figures.push({ label: `endpoints disabled (of ${String(endpoints.total ?? '?')})`, value: String(endpoints.disabled) });
  figure('API requests', totals.apiRequests);
  if (typeof totals.apiRequests === 'number' && typeof totals.apiErrors === 'number') figures.push({ label: 'API error rate', value: totals.apiRequests ? percent(totals.apiErrors / totals.apiRequests) : '—' });

  const disabled = Array.isArray(endpoints.recentlyDisabled) ? endpoints.recentlyDisabled.filter(isObj) : [];
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  // `troubled` (failing now or disabled, with URL and application) where the server has it.
  const troubled = Array.isArray(endpoints.troubled)
    ? endpoints.troubled.filter(isObj).map((e) => ({
        id: String(e.id),
        appId: str(e.appId),
        appName: str(e.appName),
        url: str(e.url),
        disabled: e.disabled === true,
        disabledReason: str(e.disabledReason) ?? null,
        since: (e.disabled === true ? str(e.disabledAt) : str(e.failingSince)) ?? str(e.failingSince) ?? null,
        failures: typeof e.consecutiveFailures === 'number' ? e.consecutiveFailures : undefined,
        lastFailureAt: str(e.lastFailureAt) ?? null,
      }))
    : undefined;
  return {
    figures,
    charts,
    endpoints: troubled ?? disabled.map((e) => ({ id: String(e.id), appId: typeof e.appId === 'string' ? e.appId : undefined, disabled: true, disabledReason: typeof e.reason === 'string' ? e.reason : null, lastFailureAt: typeof e.updatedAt === 'string' ? e.updatedAt : null })),
    tokens: tokensRead(raw.tokens),
  };
}

export function statsRead(raw: unknown): StatsView {
  const view: StatsView = { figures: [], charts: [], endpoints: [], tokens: [] };
  if (!isObj(raw)) return view;
  if (Array.isArray(raw.time) && isObj(raw.series)) return consoleStatsRead(raw);
  const visit = (key: string, value: unknown, depth: number) => {
    if (/endpoints?$/i.test(key) && Array.isArray(value)) {
      view.endpoints.push(...endpointsRead(value));
      return;
    }
    if (/tokens?$/i.test(key) && Array.isArray(value)) {
      view.tokens.push(...tokensRead(value));
      return;
    }
    if (Array.isArray(value) && value.length && value.every(isObj)) {
      const chart = rowsChart(key, value);
      if (chart) view.charts.push(chart);
      return;
    }
    if (isObj(value)) {
      const chart = columnsChart(key, value);
      if (chart) {
        view.charts.push(chart);
        return;
      }
      if (depth < 2) for (const [k, v] of Object.entries(value)) visit(depth === 0 ? k : `${key}${k[0]!.toUpperCase()}${k.slice(1)}`, v, depth + 1);
      return;
    }
    if (typeof value === 'number' && depth <= 2) view.figures.push({ label: humanize(key).toLowerCase(), value: /rate/i.test(key) && value <= 1 ? `${Math.round(value * 1000) / 10}%` : String(Math.round(value * 100) / 100) });
  };
  for (const [k, v] of Object.entries(raw)) visit(k, v, 0);
  // Success rate from the deliveries chart when the server did not give one.
  const deliveries = view.charts.find((c) => /deliver|attempt/i.test(c.title));
  if (deliveries && !view.figures.some((f) => /success rate/i.test(f.label))) {
    const total = (re: RegExp) => deliveries.series.filter((s) => re.test(s.label)).reduce((n, s) => n + s.values.reduce<number>((m, v) => m + (v ?? 0), 0), 0);
    const ok = total(/succe/i);
    const failed = total(/fail/i);
    if (ok + failed > 0) view.figures.unshift({ label: 'success rate', value: `${Math.round((ok / (ok + failed)) * 1000) / 10}%` });
  }
  return view;
}
