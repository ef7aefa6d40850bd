import type { Queryable } from '../store/port.js';
import type { AttemptRow } from '../attempt/sql.js';
import type { WorkerOptions } from '../delivery/options.js';

export type { AttemptRow };

/** Worker options for tests: loopback allowed, short retries, no jitter, quick polling. */
export const TEST_WORKER: WorkerOptions = {
  allowCidrs: '127.0.0.0/8,::1/128',
  retrySchedule: [100, 200],
  retryJitter: 0,
  pollIntervalMs: 50,
  attemptTimeoutMs: 2_000,
  leaseMs: 4_000,
  flushDelayMs: 2,
};

export interface DeliveryRow {
  id: number;
  message_id: string;
  endpoint_id: string;
  state: string;
  attempt_count: number;
}


export async function deliveriesOf(db: Queryable, messageIds: string[]): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    'select id, message_id, endpoint_id, state::text as state, attempt_count from hookyard.delivery where message_id = any ($1::text[]) order by id',
    [messageIds],
  );
  return rows;
}

export async function attemptsOf(db: Queryable, messageIds: string[]): Promise<AttemptRow[]> {
  const { rows } = await db.query<AttemptRow>('select * from hookyard.attempt where message_id = any ($1::text[]) order by delivery_id, attempt_number, id', [messageIds]);
  return rows;
}

/** Polls until every delivery of the messages is in one of `states` (default: finished). */
export async function waitForStates(db: Queryable, messageIds: string[], states = ['succeeded', 'failed', 'cancelled'], timeoutMs = 15_000): Promise<DeliveryRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await deliveriesOf(db, messageIds);
    if (rows.length > 0 && rows.every((r) => states.includes(r.state))) return rows;
    if (Date.now() > deadline) throw new Error(`deliveries not ${states.join('|')} after ${timeoutMs} ms: ${JSON.stringify(rows.map((r) => [r.id, r.state, r.attempt_count]))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls until `n` attempts of the messages are recorded. */
export async function waitForAttempts(db: Queryable, messageIds: string[], n: number, timeoutMs = 15_000): Promise<AttemptRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await attemptsOf(db, messageIds);
    if (rows.length >= n) return rows;
    if (Date.now() > deadline) throw new Error(`${rows.length} of ${n} attempts after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
