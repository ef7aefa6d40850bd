import { useState } from 'preact/hooks';
import { get, patch, post, query, seg, type ListResponse } from '../api';
import { useAction, useLoad } from '../load';
import { Json, Loading, Pager, Problem, Time } from '../parts/common';
import type { EventTypeOut } from '../types';

/** The event-type catalogue with schemas and their examples; operators can add and edit. */
export function EventTypes({ readOnly = false }: { readOnly?: boolean }) {
  const [iterator, setIterator] = useState<string | null>(null);
  const [archived, setArchived] = useState(false);
  const types = useLoad(() => get<ListResponse<EventTypeOut>>(`/api/v1/event-type${query({ limit: 50, iterator, with_content: true, include_archived: archived })}`), [iterator, archived]);
  const [editing, setEditing] = useState<EventTypeOut | 'new' | null>(null);
  return (
    <section aria-labelledby="types-title">
      <h1 id="types-title">Event types</h1>
      <div class="toolbar">
        <label class="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.currentTarget.checked)} /> Show archived
        </label>
        {!readOnly && (
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            New event type
          </button>
        )}
      </div>
      {editing && (
        <EventTypeForm
          type={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(null);
            types.reload();
          }}
        />
      )}
      <Problem error={types.error} />
      <Loading when={types.loading && !types.data} />
      {types.data?.data.map((t) => (
        <article class="card" key={t.name} aria-labelledby={`type-${t.name}`}>
          <h2 id={`type-${t.name}`}>
            <code>{t.name}</code> {t.archived && <span class="tag">archived</span>}
          </h2>
          <p>{t.description || <span class="muted">No description.</span>}</p>
          <p class="muted">
            Updated <Time at={t.updatedAt} />
          </p>
          {t.schemas && Object.keys(t.schemas).length > 0 ? (
            Object.entries(t.schemas).map(([version, schema]) => {
              const examples = (schema as { examples?: unknown[] } | null)?.examples ?? [];
              return (
                <details key={version}>
                  <summary>
                    Schema version {version}
                    {examples.length > 0 && `, ${examples.length} example${examples.length > 1 ? 's' : ''}`}
                  </summary>
                  <Json label={`Schema ${version} of ${t.name}`} value={schema} />
                  {examples.map((ex, i) => (
                    <div key={i}>
                      <h3>Example {i + 1}</h3>
                      <Json label={`Example ${i + 1} of ${t.name}`} value={ex} />
                    </div>
                  ))}
                </details>
              );
            })
          ) : (
            <p class="muted">No schema.</p>
          )}
          {!readOnly && (
            <button type="button" onClick={() => setEditing(t)}>
              Edit
            </button>
          )}
        </article>
      ))}
      <Pager page={types.data} iterator={iterator} onPage={setIterator} />
    </section>
  );
}

function EventTypeForm({ type, onDone }: { type?: EventTypeOut; onDone: () => void }) {
  const [name, setName] = useState(type?.name ?? '');
  const [description, setDescription] = useState(type?.description ?? '');
  const [schema, setSchema] = useState(type?.schemas?.['1'] ? JSON.stringify(type.schemas['1'], null, 2) : '');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const schemas = schema.trim() ? { '1': JSON.parse(schema) as unknown } : null;
      const body = { description, ...(schemas ? { schemas } : {}) };
      if (type) await patch(`/api/v1/event-type/${seg(type.name)}`, body);
      else await post('/api/v1/event-type', { name, ...body });
      onDone();
    });
  };
  return (
    <form class="card form" onSubmit={submit} aria-label={type ? `Edit ${type.name}` : 'New event type'}>
      <div class="field">
        <label for="type-name">Name</label>
        <input id="type-name" required disabled={!!type} value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="invoice.paid" />
      </div>
      <div class="field">
        <label for="type-description">Description</label>
        <input id="type-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="type-schema">JSON Schema (version 1; "examples" inside it are what send-example uses)</label>
        <textarea id="type-schema" rows={8} value={schema} onInput={(e) => setSchema(e.currentTarget.value)} />
      </div>
      <Problem error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Save
      </button>{' '}
      <button type="button" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
