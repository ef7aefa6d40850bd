import type { Queryable } from '../store/port.js';
import { OPERATIONAL_APP_ID } from './model.js';

/**
 * The internal application that holds the operational endpoints, made with the first one (so a
 * database without operational webhooks has no such row). Hidden from the application routes.
 */
export async function operationalApplicationEnsure(db: Queryable): Promise<void> {
  await db.query(
    `insert into hookyard.application (id, name, metadata) values ($1, 'Hookyard operational webhooks', '{"hookyard": "internal"}')
     on conflict (id) do nothing`,
    [OPERATIONAL_APP_ID],
  );
}
