import type { Settings } from '../config.js';
import { loadPicklists } from '../reporting/labels.js';
import type { Db } from '../store/db.js';
import { lateTimeEntries, openTicketsOf, statesOfTicketsCompletedBy } from '../store/scorecard.js';
import type { ReportList, Row } from '../types.js';

const DAY = 86_400_000;

/**
 * A technician's own lists for their scorecard: what they can act on this week, instead of a one-row
 * table that repeats the tiles. Read from the store with the settings in force (complete and on-hold
 * statuses, the backlog age, the real-time entry threshold, the reopen window). Presentation only: the
 * reports' metrics and rows are untouched.
 */
export function technicianLists(db: Db, settings: Settings, resourceId: number, asOf: number, window: { from: number; to: number } | null): ReportList[] {
  const pl = loadPicklists(db);
  const complete = new Set(pl.valuesOf('Tickets', 'status', settings.completeStatuses));
  const onHold = new Set(pl.valuesOf('Tickets', 'status', settings.onHoldStatuses));
  const status = (v: number | null) => pl.label('Tickets', 'status', v) ?? '';
  const w = window ?? { from: asOf - 7 * DAY, to: asOf };

  // Reopened: tickets they completed in the period that were open again afterwards (within the reopen window).
  const states = statesOfTicketsCompletedBy(db, resourceId, w.from - settings.reopenDays * DAY, w.to);
  const reopened: Row[] = [];
  let doneAt: number | null = null;
  let prev: number | null = null;
  for (const s of states) {
    if (s.ticket_id !== prev) { doneAt = null; prev = s.ticket_id; }
    const isDone = s.status !== null && complete.has(s.status);
    if (isDone && s.completed_by_resource_id === resourceId) doneAt = s.changed_at;
    else if (!isDone && doneAt !== null && s.changed_at - doneAt <= settings.reopenDays * DAY && s.changed_at >= w.from && s.changed_at < w.to) {
      reopened.push({ ticket: s.ticketNumber, title: s.title, completed: doneAt, reopened: s.changed_at });
      doneAt = null;
    }
  }

  // Late time entries: entered more than the threshold after the work ended, in the period.
  const late: Row[] = lateTimeEntries(db, resourceId, w.from, w.to, settings.rtteMinutes * 60_000)
    .map((r) => ({ ...r, lag: Math.round(r.lag / 6) / 10 }));

  // Their open tickets: aged (older than the backlog age) and on hold past due.
  const open = openTicketsOf(db, resourceId)
    .filter((t) => t.status === null || !complete.has(t.status));
  const aged = open.filter((t) => asOf - t.createDate > settings.backlogDays * DAY).sort((a, b) => a.createDate - b.createDate)
    .map((t) => ({ ticket: t.ticketNumber, title: t.title, status: status(t.status), age: Math.floor((asOf - t.createDate) / DAY) }));
  const held = open.filter((t) => t.status !== null && onHold.has(t.status) && t.dueDateTime !== null && t.dueDateTime < asOf).sort((a, b) => a.dueDateTime! - b.dueDateTime!)
    .map((t) => ({ ticket: t.ticketNumber, title: t.title, status: status(t.status), due: t.dueDateTime, past: Math.floor((asOf - t.dueDateTime!) / DAY) }));

  return [
    { title: 'Your reopened tickets', columns: [{ key: 'ticket', label: 'Ticket' }, { key: 'title', label: 'Title' }, { key: 'completed', label: 'Completed', unit: 'date' }, { key: 'reopened', label: 'Reopened', unit: 'date' }], rows: reopened, empty: 'None of the tickets you completed was reopened.' },
    { title: `Your late time entries (entered more than ${settings.rtteMinutes} minutes after the work)`, columns: [{ key: 'date', label: 'Date', unit: 'date' }, { key: 'ticket', label: 'Ticket' }, { key: 'hours', label: 'Hours', unit: 'hours' }, { key: 'lag', label: 'Entered after (h)', unit: 'count' }], rows: late, empty: 'Every time entry was entered on time.' },
    { title: `Your tickets open longer than ${settings.backlogDays} days`, columns: [{ key: 'ticket', label: 'Ticket' }, { key: 'title', label: 'Title' }, { key: 'status', label: 'Status' }, { key: 'age', label: 'Age (days)', unit: 'count' }], rows: aged, empty: `None of your open tickets is older than ${settings.backlogDays} days.` },
    { title: 'Your tickets on hold past their due date', columns: [{ key: 'ticket', label: 'Ticket' }, { key: 'title', label: 'Title' }, { key: 'due', label: 'Due', unit: 'date' }, { key: 'past', label: 'Days past due', unit: 'count' }], rows: held, empty: 'None of your on-hold tickets is past its due date.' },
  ];
}
