import { afterEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { technicianLists } from '../../src/delivery/scorecard.js';
import { insert, insertTicketStates, makeStore, pv, seedPicklists } from '../helpers/store.js';

describe('a technician\'s own scorecard lists (real SQLite store)', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('lists their reopened tickets, late entries, aged and on-hold past-due tickets, and no one else\'s', () => {
    const s = makeStore();
    cleanup = s.cleanup;
    seedPicklists(s.db);
    const ME = 7;
    const OTHER = 8;
    const asOf = Date.parse('2026-11-30T07:00:00Z');
    const week = { from: Date.parse('2026-11-23T00:00:00Z'), to: Date.parse('2026-11-30T00:00:00Z') };
    const t = (id: number, who: number, created: string, status: string, due: string | null, completed: string | null = null) => ({
      id, ticketNumber: `T${id}`, title: `Ticket ${id}`, assignedResourceID: who, createDate: created, status: pv('Tickets', 'status', status), dueDateTime: due, completedDate: completed,
    });
    insert(s.db, 'Tickets', [
      t(1, ME, '2026-11-20T09:00:00Z', 'In Progress', null),
      t(2, ME, '2026-10-01T09:00:00Z', 'In Progress', '2026-12-20T00:00:00Z'),
      t(3, ME, '2026-11-25T09:00:00Z', 'Waiting Customer', '2026-11-27T00:00:00Z'),
      t(4, OTHER, '2026-09-01T09:00:00Z', 'On Hold', '2026-10-01T00:00:00Z'),
      t(5, OTHER, '2026-11-20T09:00:00Z', 'In Progress', null),
    ]);
    const done = pv('Tickets', 'status', 'Complete');
    const open = pv('Tickets', 'status', 'In Progress');
    insertTicketStates(s.db, [
      { ticket: 1, at: '2026-11-24T10:00:00Z', status: done, completedBy: ME },
      { ticket: 1, at: '2026-11-25T10:00:00Z', status: open },
      { ticket: 5, at: '2026-11-24T10:00:00Z', status: done, completedBy: OTHER },
      { ticket: 5, at: '2026-11-25T10:00:00Z', status: open },
    ]);
    insert(s.db, 'TimeEntries', [
      { id: 100, resourceID: ME, ticketID: 2, dateWorked: '2026-11-24', startDateTime: '2026-11-24T09:00:00Z', endDateTime: '2026-11-24T10:00:00Z', createDateTime: '2026-11-24T16:00:00Z', hoursWorked: 1 },
      { id: 101, resourceID: ME, ticketID: 2, dateWorked: '2026-11-25', startDateTime: '2026-11-25T09:00:00Z', endDateTime: '2026-11-25T10:00:00Z', createDateTime: '2026-11-25T10:05:00Z', hoursWorked: 1 },
      { id: 102, resourceID: OTHER, ticketID: 5, dateWorked: '2026-11-25', startDateTime: '2026-11-25T09:00:00Z', endDateTime: '2026-11-25T10:00:00Z', createDateTime: '2026-11-26T10:00:00Z', hoursWorked: 1 },
    ]);
    const lists = technicianLists(s.db, SettingsSchema.parse({}), ME, asOf, week);
    const [reopened, late, aged, held] = lists;
    expect(reopened!.rows.map((r) => r.ticket)).toEqual(['T1']);
    expect(late!.rows.map((r) => r.ticket)).toEqual(['T2']);
    expect(late!.rows[0]!.lag).toBe(6);
    expect(late!.title).toContain('15 minutes');
    expect(aged!.rows.map((r) => r.ticket)).toEqual(['T2']);
    expect(aged!.title).toContain('14 days');
    expect(held!.rows.map((r) => r.ticket)).toEqual(['T3']);
    expect(held!.rows[0]!.past).toBe(3);
  });
});
