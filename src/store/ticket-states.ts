import type { Db } from './db.js';
import { rowsOf } from './rows.js';

/** A position in `ticket_states`' index order (ticket, change instant, id): chunks are read after it. */
export interface StateKey {
  t: number;
  c: number;
  i: number;
}

/**
 * A reader of the ticket state records (table `ticket_states`, written by the sync) in chunks of `size`
 * records after a key, in index order, each chunk one JSON array text per column of `columns` (in that
 * order): SQLite encodes and V8 parses flat arrays, far fewer values crossing the driver than rows
 * (src/reporting/history.ts).
 */
export function ticketStateChunks(db: Db, columns: readonly string[], size: number): (after: StateKey) => string[] {
  const chunk = rowsOf<string[], [StateKey]>(db, `SELECT ${columns.map((c) => `json_group_array(${c})`).join(', ')}
    FROM (SELECT * FROM ticket_states WHERE (ticket_id, changed_at, id) > (:t, :c, :i) ORDER BY ticket_id, changed_at, id LIMIT ${size})`).raw(true);
  // An aggregate without GROUP BY always answers one row.
  return (after) => chunk.get(after)!;
}
