import { get, seg, type ListResponse } from '../api';
import { useLive } from '../live';
import { useLoad } from '../load';
import { Attempts } from '../parts/Attempts';
import { Json, Problem, Status, Time } from '../parts/common';
import { href } from '../route';
import type { MessageEndpointOut, MessageOut } from '../types';

/** One message: its payload, where it went (per endpoint), and every attempt. */
export function Message({ appId, msgId }: { appId: string; msgId: string }) {
  const base = `/api/v1/app/${seg(appId)}/msg/${seg(msgId)}`;
  const message = useLoad(() => get<MessageOut>(base), [base]);
  const destinations = useLoad(() => get<ListResponse<MessageEndpointOut>>(`${base}/endpoint?limit=50`), [base]);
  useLive((e) => e.type === 'attempt' && destinations.reload());
  const m = message.data;
  return (
    <section aria-labelledby="msg-title">
      <p>
        <a href={href('apps', appId, 'messages')}>← Messages</a>
      </p>
      <h1 id="msg-title">Message {m?.eventType ?? ''}</h1>
      <Problem error={message.error} />
      {m && (
        <>
          <dl class="facts">
            <dt>ID</dt>
            <dd>
              <code>{m.id}</code>
            </dd>
            <dt>eventId</dt>
            <dd>{m.eventId ?? <span class="muted">none</span>}</dd>
            <dt>Published</dt>
            <dd>
              <Time at={m.timestamp} />
            </dd>
            <dt>Channels</dt>
            <dd>{m.channels?.join(', ') ?? 'none'}</dd>
          </dl>
          <h2>Payload</h2>
          <Json label="Payload" value={m.payload} />
        </>
      )}
      <h2>Destinations</h2>
      <Problem error={destinations.error} />
      {destinations.data && (
        <table>
          <caption class="visually-hidden">Endpoints this message went to</caption>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Status</th>
              <th scope="col">Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {destinations.data.data.map((d) => (
              <tr key={d.id}>
                <td>
                  <a href={href('apps', appId, 'endpoints', d.id)}>{d.url}</a>
                </td>
                <td>
                  {/* A disabled endpoint's delivery waits (parked) as pending: say why it is not sent. */}
                  {d.disabled ? <span class="status status-canceled">disabled</span> : <Status status={d.status} />}
                </td>
                <td>{d.nextAttempt ? <Time at={d.nextAttempt} /> : <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Attempts</h2>
      <Attempts appId={appId} path={`/api/v1/app/${seg(appId)}/attempt/msg/${seg(msgId)}`} caption="Attempts of this message" showMessage={false} />
    </section>
  );
}
