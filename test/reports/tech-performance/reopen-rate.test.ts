import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/tech-performance/reopen-rate.js';
import { insert, insertTicketStates, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'tech-performance/reopen-rate';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-12-02T12:00:00Z'; // window November 2026
const NEW = pv('Tickets', 'status', 'New');
const DONE = pv('Tickets', 'status', 'Complete');
const WIP = pv('Tickets', 'status', 'In Progress');
const ticket = (id: number, type: string, extra: Record<string, unknown> = {}) => ({
  id, ticketNumber: `T${id}`, title: 't', companyID: 1, ticketType: pv('Tickets', 'ticketType', type), priority: pv('Tickets', 'priority', 'High'), createDate: '2026-10-01T00:00:00Z', ...extra,
});

function seed(): void {
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }, { id: 2, firstName: 'Bob', lastName: 'B', isActive: true }]);
  insert(store.db, 'Tickets', [
    ticket(1, 'Incident'), ticket(2, 'Service Request'), ticket(3, 'Incident'), ticket(4, 'Problem'), ticket(5, 'Alert'),
    ticket(6, 'Incident', { projectID: 9 }), ticket(7, 'Service Request'), ticket(8, 'Service Request'), ticket(10, 'Incident'),
  ]);
  insertTicketStates(store.db, [
    // 1: completed by Alice, stays complete.
    { ticket: 1, at: '2026-11-02T09:00:00Z', status: NEW, assigned: 1 },
    { ticket: 1, at: '2026-11-03T10:00:00Z', status: DONE, assigned: 1, completedDate: '2026-11-03T10:00:00Z', completedBy: 1 },
    // 2: assigned to Bob, completed by Alice at 11-05 10:00 (recorded at 12:00); back in progress exactly 14 days later: a reopen.
    { ticket: 2, at: '2026-11-02T09:00:00Z', status: NEW, assigned: 2 },
    { ticket: 2, at: '2026-11-05T12:00:00Z', status: DONE, assigned: 2, completedDate: '2026-11-05T10:00:00Z', completedBy: 1 },
    { ticket: 2, at: '2026-11-19T10:00:00Z', status: WIP, assigned: 2 },
    // 3: no completing resource: credited to the assignee Bob; reopened after the window (still within 14 days).
    { ticket: 3, at: '2026-11-28T10:00:00Z', status: DONE, assigned: 2, completedDate: '2026-11-28T10:00:00Z' },
    { ticket: 3, at: '2026-12-05T10:00:00Z', status: WIP, assigned: 2 },
    // 4: completed by Bob; 14 days + 1 s later back in progress (no reopen); completed again in the window and then reopened.
    { ticket: 4, at: '2026-11-10T10:00:00Z', status: DONE, assigned: 2, completedDate: '2026-11-10T10:00:00Z', completedBy: 2 },
    { ticket: 4, at: '2026-11-24T10:00:01Z', status: WIP, assigned: 2 },
    { ticket: 4, at: '2026-11-25T10:00:00Z', status: DONE, assigned: 1, completedDate: '2026-11-25T10:00:00Z', completedBy: 1 },
    { ticket: 4, at: '2026-11-26T09:00:00Z', status: WIP, assigned: 1 },
    // 5 (Alert) and 6 (Project) are not backlog workflows.
    { ticket: 5, at: '2026-11-10T10:00:00Z', status: DONE, completedDate: '2026-11-10T10:00:00Z', completedBy: 1 },
    { ticket: 6, at: '2026-11-10T10:00:00Z', status: DONE, completedDate: '2026-11-10T10:00:00Z', completedBy: 1 },
    // 7: completedDate exactly at the window's end (recorded inside it): out.
    { ticket: 7, at: '2026-11-30T23:00:00Z', status: DONE, completedDate: '2026-12-01T00:00:00Z', completedBy: 2 },
    // 8: no completedDate: its changedAt (exactly at from) is the completion time; nobody: Unassigned.
    { ticket: 8, at: '2026-11-01T00:00:00Z', status: DONE },
    // 9: deleted ticket (no row any more): left out.
    { ticket: 9, at: '2026-11-10T10:00:00Z', status: DONE, completedDate: '2026-11-10T10:00:00Z', completedBy: 1 },
    // 10: completed and reopened before the window only.
    { ticket: 10, at: '2026-10-20T10:00:00Z', status: DONE, completedDate: '2026-10-20T10:00:00Z', completedBy: 1 },
    { ticket: 10, at: '2026-10-22T10:00:00Z', status: WIP, assigned: 1 },
  ]);
}

describe('tech-performance/reopen-rate', () => {
  it('completed once per ticket, reopens within reopenDays (even after the window), credited to the first completion', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // Completed: 1, 2, 3, 4, 8 = 5. Reopened: 2 (exactly 14 d), 3 (after the window), 4 (after its second completion) = 3.
    expect(r.metrics).toEqual({ completed: 5, reopened: 3, reopen_rate_pct: 60 });
    expect(r.rows).toEqual([
      { resource_id: 1, resource: 'Alice A', completed: 2, reopened: 1, reopen_rate_pct: 50 },   // 1, 2
      { resource_id: 2, resource: 'Bob B', completed: 2, reopened: 2, reopen_rate_pct: 100 },    // 3, 4 (first completion by Bob)
      { resource_id: null, resource: 'Unassigned', completed: 1, reopened: 0, reopen_rate_pct: 0 }, // 8
    ]);
  });

  it('settings.reopenDays bounds the reopen', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { reopenDays: 1 } });
    // Only ticket 4's second reopen (23 h after the completion) is within a day.
    expect(r.metrics).toEqual({ completed: 5, reopened: 1, reopen_rate_pct: 20 });
  });

  it('the window follows New York midnights', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    // November in New York is [11-01T04:00Z, 12-01T05:00Z): ticket 8 (11-01T00:00Z) is out, ticket 7 (12-01T00:00Z) is in.
    expect(r.metrics).toEqual({ completed: 5, reopened: 3, reopen_rate_pct: 60 });
    expect(r.rows.map((x) => [x.resource, x.completed])).toEqual([['Alice A', 2], ['Bob B', 3]]);
  });

  it('complete statuses by label, trimmed and case-insensitive; nothing completed gives null', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { completeStatuses: ['  COMPLETE '] } });
    expect(r.metrics.completed).toBe(5);
    const none = runReport(store.db, ID, def, { asOf: T, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    expect(none.metrics).toEqual({ completed: 0, reopened: 0, reopen_rate_pct: null });
    expect(none.rows).toEqual([]);
  });
});
