import { useState } from 'preact/hooks';
import { ApiError, get, query, seg, type ListResponse } from '../api';
import { useLive } from '../live';
import { useLoad } from '../load';
import { Loading, Pager, Problem, Time, localToIso } from '../parts/common';
import { href, navigate } from '../route';
import type { MessageOut } from '../types';

/** An application's messages, newest first, searchable by event type, channel and time; or straight to one by id. */
export function Messages({ appId }: { appId: string }) {
  const [filters, setFilters] = useState({ eventType: '', channel: '', after: '', before: '' });
  const [applied, setApplied] = useState(filters);
  const [iterator, setIterator] = useState<string | null>(null);
  const [lookup, setLookup] = useState('');
  const [lookupError, setLookupError] = useState('');
  const messages = useLoad(
    () =>
      get<ListResponse<MessageOut>>(
        `/api/v1/app/${seg(appId)}/msg${query({ limit: 25, iterator, event_types: applied.eventType, channel: applied.channel, after: localToIso(applied.after), before: localToIso(applied.before), with_content: false })}`,
      ),
    [appId, applied, iterator],
  );
  useLive((e) => e.type === 'message' && iterator === null && messages.reload());
  const search = (e: Event) => {
    e.preventDefault();
    setIterator(null);
    setApplied(filters);
  };
  const find = async (e: Event) => {
    e.preventDefault();
    setLookupError('');
    try {
      const msg = await get<MessageOut>(`/api/v1/app/${seg(appId)}/msg/${seg(lookup.trim())}`);
      navigate(href('apps', appId, 'messages', msg.id));
    } catch (error) {
      setLookupError(error instanceof ApiError && error.status === 404 ? `No message with id or eventId "${lookup.trim()}".` : String(error));
    }
  };
  const field = (name: keyof typeof filters, label: string, type = 'text') => (
    <div class="field">
      <label for={`msg-${name}`}>{label}</label>
      <input id={`msg-${name}`} type={type} value={filters[name]} onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })} />
    </div>
  );
  return (
    <section aria-labelledby="msgs-title">
      <p>
        <a href={href('apps', appId)}>← Application</a>
      </p>
      <h1 id="msgs-title">Messages</h1>
      <form class="card inline-form" onSubmit={find} aria-label="Find a message">
        <div class="field">
          <label for="msg-lookup">Message id or eventId</label>
          <input id="msg-lookup" required value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} />
        </div>
        <button type="submit">Open</button>
        <Problem error={lookupError} />
      </form>
      <form class="card inline-form" onSubmit={search} aria-label="Search messages">
        {field('eventType', 'Event types (comma-separated)')}
        {field('channel', 'Channel')}
        {field('after', 'After', 'datetime-local')}
        {field('before', 'Before', 'datetime-local')}
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <Problem error={messages.error} />
      <Loading when={messages.loading && !messages.data} />
      {messages.data && (
        <table>
          <caption class="visually-hidden">Messages</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event type</th>
              <th scope="col">ID</th>
              <th scope="col">eventId</th>
              <th scope="col">Channels</th>
            </tr>
          </thead>
          <tbody>
            {messages.data.data.map((m) => (
              <tr key={m.id}>
                <td>
                  <Time at={m.timestamp} />
                </td>
                <td>{m.eventType}</td>
                <td>
                  <a href={href('apps', appId, 'messages', m.id)}>
                    <code>{m.id}</code>
                  </a>
                </td>
                <td>{m.eventId ?? <span class="muted">—</span>}</td>
                <td>{m.channels?.join(', ') ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
            {messages.data.data.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  No messages match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <Pager page={messages.data} iterator={iterator} onPage={setIterator} />
    </section>
  );
}
