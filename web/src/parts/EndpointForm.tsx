// The endpoint's settings, for create and edit. The fields the API's update accepts beyond the ones
// with their own input (Hookyard's extensions: header names, TLS, ...) appear as "More settings" JSON.
// An edit sends only what changed, so a setting left alone is never re-sent (or re-validated).
import { useState } from 'preact/hooks';
import { ENDPOINT_UPDATE_FIELDS } from '../../../src/endpoint/fields';
import { SIGNATURE_FORMATS } from '../../../src/signing/format-names';
import { get, type ListResponse } from '../api';
import { useLoad } from '../load';
import type { EndpointOut, EventTypeOut } from '../types';
import { headersParse, listParse, Problem } from './common';

// Fields with their own input here; `disabled` has the page's Enable/Disable button.
const OWN_INPUTS = new Set<string>(['url', 'uid', 'description', 'filterTypes', 'channels', 'rateLimit', 'signatureFormat', 'disabled']);

/**
 * The settings the API lets an edit change and that have no input of their own, as the endpoint
 * has them: only names from ENDPOINT_UPDATE_FIELDS (the update schema's), never the read-only
 * fields an endpoint's GET adds (health, tlsWarning, ...).
 */
export function endpointExtras(endpoint: EndpointOut | undefined): Record<string, unknown> {
  const extras: Record<string, unknown> = {};
  if (!endpoint) return extras;
  for (const name of ENDPOINT_UPDATE_FIELDS) if (!OWN_INPUTS.has(name) && endpoint[name] !== undefined) extras[name] = endpoint[name];
  return extras;
}

/** A PUT body that keeps all the endpoint has (a PUT replaces): its values of ENDPOINT_UPDATE_FIELDS. */
export function endpointUpdateBody(endpoint: EndpointOut): Record<string, unknown> {
  return Object.fromEntries(ENDPOINT_UPDATE_FIELDS.filter((name) => endpoint[name] !== undefined).map((name) => [name, endpoint[name]]));
}

/** The fields of `body` whose value differs from the endpoint's (compared as JSON). */
export function endpointChanges(endpoint: EndpointOut, body: Record<string, unknown>): Record<string, unknown> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !same(v, endpoint[k])));
}

const SIGNATURE_LABELS: Record<(typeof SIGNATURE_FORMATS)[number], string> = {
  standard: 'Standard Webhooks (webhook-signature)',
  github: 'GitHub (X-Hub-Signature-256)',
  stripe: 'Stripe (Stripe-Signature)',
  plain: 'Plain HMAC (X-Signature)',
};

export function EndpointForm({ endpoint, onSubmit, busy, error, submitLabel }: { endpoint?: EndpointOut; onSubmit: (body: Record<string, unknown>) => void; busy: boolean; error: string; submitLabel: string }) {
  const eventTypes = useLoad(() => get<ListResponse<EventTypeOut>>('/api/v1/event-type?limit=250'), []);
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [uid, setUid] = useState(endpoint?.uid ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [filterTypes, setFilterTypes] = useState<string[]>(endpoint?.filterTypes ?? []);
  const [channels, setChannels] = useState((endpoint?.channels ?? []).join(', '));
  const [rateLimit, setRateLimit] = useState(endpoint?.rateLimit == null ? '' : String(endpoint.rateLimit));
  const [signatureFormat, setSignatureFormat] = useState(typeof endpoint?.signatureFormat === 'string' ? endpoint.signatureFormat : 'standard');
  const [headers, setHeaders] = useState('');
  const extrasAtStart = endpointExtras(endpoint);
  const [extras, setExtras] = useState(Object.keys(extrasAtStart).length ? JSON.stringify(extrasAtStart, null, 2) : '');
  const [extrasError, setExtrasError] = useState('');
  const idp = endpoint ? `ep-edit` : 'ep-new';

  const toggleType = (name: string, on: boolean) => setFilterTypes((types) => (on ? [...types, name] : types.filter((t) => t !== name)));
  const submit = (e: Event) => {
    e.preventDefault();
    let more: unknown = {};
    if (extras.trim()) {
      try {
        more = JSON.parse(extras);
      } catch {
        more = undefined;
      }
    }
    if (!more || typeof more !== 'object' || Array.isArray(more)) {
      setExtrasError('More settings must be a JSON object');
      return;
    }
    setExtrasError('');
    const body: Record<string, unknown> = {
      url,
      description,
      filterTypes: filterTypes.length ? filterTypes : null,
      channels: listParse(channels),
      rateLimit: rateLimit === '' ? null : Number(rateLimit),
      signatureFormat,
      ...(more as Record<string, unknown>),
    };
    if (!endpoint && uid) body.uid = uid;
    if (endpoint) body.uid = uid || null;
    if (!endpoint && headers.trim()) body.headers = headersParse(headers);
    onSubmit(endpoint ? endpointChanges(endpoint, body) : body);
  };
  const names = eventTypes.data?.data.map((t) => t.name) ?? [];
  for (const t of filterTypes) if (!names.includes(t)) names.push(t);
  return (
    <form onSubmit={submit} class="card form" aria-label={endpoint ? 'Edit endpoint' : 'New endpoint'}>
      <div class="field">
        <label for={`${idp}-url`}>URL</label>
        <input id={`${idp}-url`} type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://example.com/webhooks" />
      </div>
      <div class="field">
        <label for={`${idp}-uid`}>UID (optional)</label>
        <input id={`${idp}-uid`} value={uid} onInput={(e) => setUid(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${idp}-description`}>Description</label>
        <input id={`${idp}-description`} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>Event types (none checked: all)</legend>
        {names.length === 0 && <p class="muted">No event types defined; the endpoint receives every message.</p>}
        <div class="checks">
          {names.map((name) => (
            <label key={name} class="check">
              <input type="checkbox" checked={filterTypes.includes(name)} onChange={(e) => toggleType(name, e.currentTarget.checked)} /> {name}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="field">
        <label for={`${idp}-channels`}>Channels (comma-separated, empty: all)</label>
        <input id={`${idp}-channels`} value={channels} onInput={(e) => setChannels(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${idp}-rate`}>Rate limit (messages per second, empty: none)</label>
        <input id={`${idp}-rate`} type="number" min={1} value={rateLimit} onInput={(e) => setRateLimit(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${idp}-signature`}>Signature format</label>
        <select id={`${idp}-signature`} value={signatureFormat} onChange={(e) => setSignatureFormat(e.currentTarget.value)}>
          {SIGNATURE_FORMATS.map((f) => (
            <option key={f} value={f}>
              {SIGNATURE_LABELS[f]}
            </option>
          ))}
        </select>
      </div>
      {!endpoint && (
        <div class="field">
          <label for={`${idp}-headers`}>Custom headers (one "Name: value" a line)</label>
          <textarea id={`${idp}-headers`} rows={2} value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} />
        </div>
      )}
      <details open={!!extras}>
        <summary>More settings (header names, body format, TLS and other server extensions, JSON)</summary>
        <div class="field">
          <label for={`${idp}-extras`}>Extra fields</label>
          <textarea id={`${idp}-extras`} rows={4} value={extras} onInput={(e) => setExtras(e.currentTarget.value)} placeholder='{"bodyFormat": "form"}' />
        </div>
        <Problem error={extrasError} />
      </details>
      <Problem error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
