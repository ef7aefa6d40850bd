/**
 * What the database says changed (migration 023's NOTIFYs on `hookyard_live`) and what a viewer
 * may see of it: pure functions, so the scoping rule is tested without a database.
 *
 * A notification is `{"k": kind, "r": [item, ...]}`; an item names its application as `app` (a
 * source request names its source as `src`). An app portal viewer sees the items of its own
 * application and nothing else: not another application's, not a source's, and nothing at all
 * of a notification with none of its items (so it never even learns that something happened
 * elsewhere). Operator viewers (admin and api tokens) see everything.
 */
export const LIVE_CHANNEL = 'hookyard_live';

export const LIVE_KINDS = ['attempt', 'message', 'source-request', 'task', 'endpoint'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

export interface LiveNotice {
  kind: LiveKind;
  items: Record<string, unknown>[];
}

export interface LiveViewer {
  scope: 'admin' | 'api' | 'app';
  /** Set for scope `app`: the one application it may see. */
  appId: string | null;
}

/** The notification's kind and items; undefined for anything else (another writer's text, a truncated payload). */
export function liveNoticeParse(payload: string): LiveNotice | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { k, r } = parsed as { k?: unknown; r?: unknown };
  if (typeof k !== 'string' || !(LIVE_KINDS as readonly string[]).includes(k) || !Array.isArray(r)) return undefined;
  const items = r.filter((i): i is Record<string, unknown> => !!i && typeof i === 'object' && !Array.isArray(i));
  return { kind: k as LiveKind, items };
}

/** The item fields the browser gets, under the API's names. */
const FIELD_NAMES: Record<string, string> = { app: 'appId', ep: 'endpointId', msg: 'msgId', src: 'sourceId', id: 'id', state: 'state', task: 'task', status: 'status', queued: 'queued', error: 'error', op: 'op', disabled: 'disabled', outcome: 'outcome' };

function itemOut(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const name = FIELD_NAMES[key];
    if (name !== undefined && value !== null) out[name] = value;
  }
  return out;
}

/** The items of `notice` that `viewer` may see, ready to send; undefined when none. */
export function liveNoticeFor(viewer: LiveViewer, notice: LiveNotice): { kind: LiveKind; items: Record<string, unknown>[] } | undefined {
  const visible = viewer.scope === 'app'
    ? notice.kind === 'source-request'
      ? [] // sources are the operator's: a portal sees none of them
      : notice.items.filter((i) => viewer.appId !== null && i.app === viewer.appId)
    : notice.items;
  if (visible.length === 0) return undefined;
  return { kind: notice.kind, items: visible.map(itemOut) };
}

/** One server-sent event in the wire format (data is one line of JSON: JSON.stringify escapes newlines). */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
