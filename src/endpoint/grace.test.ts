import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { endpointFor } from '../test/fixtures.js';

const NOW = new Date('2026-03-01T12:00:00Z');

/** The grace window of a rotation: the server's (here 10 minutes), or the rotation's own gracePeriodSeconds. */
describeEachStorage('rotation grace window', (env) => {
  async function expiries(endpointId: string): Promise<(number | null)[]> {
    const { rows } = await env().storage.query<{ expires_at: Date | null }>('select expires_at from hookyard.endpoint_secret where endpoint_id = $1 order by id', [endpointId]);
    return rows.map((r) => (r.expires_at ? r.expires_at.getTime() - NOW.getTime() : null));
  }

  test('without gracePeriodSeconds the server-wide window applies; with it, the rotation\'s own; 0 ends the old secret now', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'grace' });
    const ep = await endpointFor(hookyard, app.id);
    await hookyard.endpoints.secretRotate(app.id, ep.id);
    assert.deepEqual(await expiries(ep.id), [600_000, null]);
    await hookyard.endpoints.secretRotate(app.id, ep.id, { gracePeriodSeconds: 3600 });
    assert.deepEqual(await expiries(ep.id), [600_000, 3_600_000, null]);
    await hookyard.endpoints.secretRotate(app.id, ep.id, { gracePeriodSeconds: 0 });
    assert.deepEqual(await expiries(ep.id), [600_000, 3_600_000, 0, null]);
  });

  test('gracePeriodSeconds out of range is a 422 validation error', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'grace-bad' });
    const ep = await endpointFor(hookyard, app.id);
    for (const bad of [-1, 1.5, 31 * 24 * 3600]) {
      await assert.rejects(hookyard.endpoints.secretRotate(app.id, ep.id, { gracePeriodSeconds: bad }), (e: Error & { code?: string }) => e.code === 'validation');
    }
  });
}, { secretGraceMs: 600_000, now: () => NOW });
