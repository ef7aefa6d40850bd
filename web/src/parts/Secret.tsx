// An endpoint's signing secret: reveal (with a warning and a copy button), hide, rotate. The same
// routes serve application endpoints and a source's ingest endpoints ({base}/secret, /secret/rotate).
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { useAction } from '../load';
import { Copy, Problem } from './common';

export function Secret({ base, idPrefix = 'endpoint' }: { base: string; idPrefix?: string }) {
  const [secret, setSecret] = useState('');
  const action = useAction();
  const reveal = () =>
    action.run(async () => {
      setSecret((await get<{ key: string }>(`${base}/secret`)).key);
    });
  const rotate = () => {
    if (!confirm('Rotate the signing secret? The receiver must switch to the new one; the old one keeps co-signing for a short grace period.')) return;
    void action.run(async () => {
      await post(`${base}/secret/rotate`, {});
      setSecret('');
      return 'Secret rotated. Reveal it to copy the new one.';
    });
  };
  return (
    <div class="card">
      <h2>Signing secret</h2>
      {secret ? (
        <>
          <p class="warning-text">Keep this secret: anyone who has it can forge webhooks to this endpoint.</p>
          <p>
            <code class="secret" id={`${idPrefix}-secret`}>
              {secret}
            </code>
          </p>
          <div class="actions">
            <Copy text={secret} label="Copy secret" />
            <button type="button" onClick={() => setSecret('')}>
              Hide
            </button>
          </div>
        </>
      ) : (
        <button type="button" onClick={reveal} disabled={action.busy}>
          Reveal secret
        </button>
      )}{' '}
      <button type="button" onClick={rotate} disabled={action.busy}>
        Rotate secret
      </button>
      <Problem error={action.error} />
      {action.done && <p role="status">{action.done}</p>}
    </div>
  );
}
