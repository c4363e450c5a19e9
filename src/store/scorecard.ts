import type { Instant } from '../types.js';
import type { Db } from './db.js';
import { rowsOf } from './rows.js';

/**
 * What a technician's scorecard lists (src/delivery/scorecard.ts): their tickets' state records, late
 * time entries and open tickets, read from the synced tables.
 */

/** A state record of a ticket, with the ticket's number and title. */
export interface TicketStateRow {
  ticket_id: number;
  changed_at: Instant;
  status: number | null;
  completed_by_resource_id: number | null;
  ticketNumber: string | null;
  title: string | null;
}

/** A time entry entered late: its date, ticket, hours and minutes between the work's end and the entry. */
export interface LateEntryRow {
  date: string | null;
  ticket: string | null;
  hours: number | null;
  /** Minutes. */
  lag: number;
}

/** An open ticket of a resource. */
export interface OpenTicketRow {
  ticketNumber: string;
  title: string;
  status: number | null;
  createDate: Instant;
  dueDateTime: Instant | null;
}

/** Every state record of the tickets `resourceId` completed in [from, to), by ticket and time. */
export function statesOfTicketsCompletedBy(db: Db, resourceId: number, from: Instant, to: Instant): TicketStateRow[] {
  return rowsOf<TicketStateRow>(db, `
    SELECT s.ticket_id, s.changed_at, s.status, s.completed_by_resource_id, t.ticketNumber, t.title
    FROM ticket_states s JOIN tickets t ON t.id = s.ticket_id
    WHERE s.ticket_id IN (SELECT ticket_id FROM ticket_states WHERE completed_by_resource_id = ? AND changed_at >= ? AND changed_at < ?)
    ORDER BY s.ticket_id, s.changed_at, s.id`).all(resourceId, from, to);
}

/** The 50 time entries of `resourceId` whose work ended in [from, to) and that were entered more than `thresholdMs` later, latest first. */
export function lateTimeEntries(db: Db, resourceId: number, from: Instant, to: Instant, thresholdMs: number): LateEntryRow[] {
  return rowsOf<LateEntryRow>(db, `
    SELECT te.dateWorked AS date, t.ticketNumber AS ticket, te.hoursWorked AS hours, (te.createDateTime - te.endDateTime) / 60000.0 AS lag
    FROM time_entries te LEFT JOIN tickets t ON t.id = te.ticketID
    WHERE te.resourceID = ? AND te.endDateTime IS NOT NULL AND te.endDateTime >= ? AND te.endDateTime < ? AND te.createDateTime - te.endDateTime > ?
    ORDER BY lag DESC LIMIT 50`).all(resourceId, from, to, thresholdMs);
}

/** Tickets assigned to `resourceId` without a completion date. */
export function openTicketsOf(db: Db, resourceId: number): OpenTicketRow[] {
  return rowsOf<OpenTicketRow>(db, `SELECT ticketNumber, title, status, createDate, dueDateTime FROM tickets WHERE assignedResourceID = ? AND completedDate IS NULL`).all(resourceId);
}
