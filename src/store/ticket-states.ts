import type { Instant } from '../types.js';
import type { Db } from './db.js';
import { rowsOf, valuesOf } from './rows.js';

/** One ticket state record (kpi-spec §3), as stored by the sync and read by the history (reporting/history.ts). */
export interface TicketStateRow {
  /** Row id (ties break by it). */
  id: number;
  /** Ticket id. */
  ticketId: number;
  /** When the state was recorded as changed (ms). */
  changedAt: Instant;
  /** Status value. */
  status: number | null;
  /** Queue value. */
  queueId: number | null;
  /** Assigned resource. */
  assignedResourceId: number | null;
  /** Priority value. */
  priority: number | null;
  /** completedDate at the time (ms). */
  completedDate: Instant | null;
  /** completedByResourceID at the time. */
  completedByResourceId: number | null;
}

/** Targeted reads of the ticket state records: the history reads the tickets a report asks about, not every record. */
export interface TicketStateReader {
  /** Every record of these tickets, ordered by ticket, change instant, id (index ticket_states_ticket). */
  ofTickets(ticketIds: readonly number[]): TicketStateRow[];
  /**
   * Tickets with a record whose status is one of `statuses` and whose completedDate, else changedAt, lies in
   * [from, to), by ticket id: a range of the index ticket_states_completion (migration 25), which holds
   * that very expression, the status and the ticket.
   */
  ticketsWithStatusAt(statuses: readonly number[], from: number, to: number): number[];
  /** Every ticket with a record, by id. */
  ticketIds(): number[];
}

export function ticketStateReader(db: Db): TicketStateReader {
  const of = rowsOf<TicketStateRow, [{ ids: string }]>(db, `
    SELECT id, ticket_id AS ticketId, changed_at AS changedAt, status, queue_id AS queueId,
           assigned_resource_id AS assignedResourceId, priority, completed_date AS completedDate,
           completed_by_resource_id AS completedByResourceId
    FROM ticket_states INDEXED BY ticket_states_ticket
    WHERE ticket_id IN (SELECT value FROM json_each(:ids))
    ORDER BY ticket_id, changed_at, id`);
  const at = valuesOf<number, [{ statuses: string; from: number; to: number }]>(db, `
    SELECT DISTINCT ticket_id FROM ticket_states INDEXED BY ticket_states_completion
    WHERE COALESCE(completed_date, changed_at) >= :from AND COALESCE(completed_date, changed_at) < :to
      AND status IN (SELECT value FROM json_each(:statuses))
    ORDER BY ticket_id`);
  const all = valuesOf<number, []>(db, 'SELECT DISTINCT ticket_id FROM ticket_states ORDER BY ticket_id');
  return {
    ofTickets: (ids) => (ids.length ? of.all({ ids: JSON.stringify(ids) }) : []),
    ticketsWithStatusAt: (statuses, from, to) => (statuses.length ? at.all({ statuses: JSON.stringify(statuses), from, to }) : []),
    ticketIds: () => all.all(),
  };
}
