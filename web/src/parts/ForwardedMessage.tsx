// In a source's request log, what an accepted request became: a message of the source's hidden
// application (SourceOut.appId), with its link and the body as forwarded (the message's payload;
// the log itself keeps headers, not bodies).
import { get, isMissing, seg } from '../api';
import { useLoad } from '../load';
import { href } from '../route';
import type { MessageOut, SourceOut } from '../types';
import { Json, Loading, Problem } from './common';

/** `sourceBase` is /ingest/api/v1/source/{id}. */
export function ForwardedMessage({ sourceBase, messageId }: { sourceBase: string; messageId: string }) {
  const loaded = useLoad(async () => {
    const source = await get<SourceOut>(sourceBase);
    const appId = typeof source.appId === 'string' ? source.appId : null;
    if (!appId) return { appId, message: null };
    // Gone after the retention period (or expunged): the link is shown, the body is not.
    const message = await get<MessageOut>(`/api/v1/app/${seg(appId)}/msg/${seg(messageId)}`).catch((e: unknown) => (isMissing(e) ? null : Promise.reject(e)));
    return { appId, message };
  }, [sourceBase, messageId]);
  const d = loaded.data;
  return (
    <>
      <dt>Message</dt>
      <dd>{d?.appId ? <a href={href('apps', d.appId, 'messages', messageId)}><code>{messageId}</code></a> : <code>{messageId}</code>}</dd>
      <dt>Body as forwarded</dt>
      <dd>
        <Loading when={loaded.loading && !d} />
        <Problem error={loaded.error} />
        {d && (d.message ? <Json label="Forwarded body" value={d.message.payload} /> : <span class="muted">no longer kept</span>)}
      </dd>
    </>
  );
}
