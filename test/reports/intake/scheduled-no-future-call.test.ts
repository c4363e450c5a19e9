import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/scheduled-no-future-call.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const ID = 'intake/scheduled-no-future-call';
const T = '2026-11-26T12:00:00Z';
const ticket = (id: number, status: string, assigned: number | null = null) => ({
  id, ticketNumber: `T${id}`, title: `ticket ${id}`, companyID: 2, status: pv('Tickets', 'status', status),
  ticketType: pv('Tickets', 'ticketType', 'Service Request'), createDate: '2026-11-01T00:00:00Z', assignedResourceID: assigned,
});
const call = (id: number, start: string, o: { isComplete?: boolean | null; canceled?: string } = {}) => ({
  id, companyID: 2, startDateTime: start, endDateTime: start, canceledDateTime: o.canceled ?? null,
  ...(o.isComplete === null ? {} : { isComplete: o.isComplete ?? false }),
});

function seed() {
  insert(store.db, 'Resources', [{ id: 4, firstName: 'Linus', lastName: 'Field', isActive: true }]);
  insert(store.db, 'Tickets', [
    ticket(1, 'Scheduled', 4), ticket(2, 'Scheduled'), ticket(3, 'Dispatched'), ticket(4, 'Scheduled'),
    ticket(5, 'Scheduled'), ticket(6, 'In Progress'), ticket(7, 'Scheduled'), ticket(8, 'Scheduled'),
  ]);
  insert(store.db, 'ServiceCalls', [
    call(100, '2026-11-26T13:00:00Z'),                                            // future, live → ticket 2 is fine
    call(101, T),                                                                 // starts exactly at T: not future
    call(102, '2026-11-28T09:00:00Z', { isComplete: true }),                      // future but complete
    call(103, '2026-11-20T09:00:00Z'),                                            // past
    call(104, '2026-11-27T09:00:00Z', { canceled: '2026-11-25T10:00:00Z' }),      // future but cancelled
    call(105, '2026-11-30T09:00:00Z', { isComplete: null }),                      // future, flag empty → live
  ]);
  insert(store.db, 'ServiceCallTickets', [
    { id: 1, serviceCallID: 100, ticketID: 2 },
    { id: 2, serviceCallID: 101, ticketID: 3 },
    { id: 3, serviceCallID: 102, ticketID: 4 }, { id: 4, serviceCallID: 103, ticketID: 4 },
    { id: 5, serviceCallID: 104, ticketID: 5 },
    { id: 6, serviceCallID: 999, ticketID: 7 },                                   // call not in the store
    { id: 7, serviceCallID: 105, ticketID: 8 },
    { id: 8, serviceCallID: 103, ticketID: 6 },
  ]);
}

describe('intake/scheduled-no-future-call', () => {
  it('finds scheduled tickets without a live call after T; last call start of any state', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // In: 1 (no call), 3 (call at T), 4 (future call complete; past call), 5 (future call cancelled), 7 (unknown call).
    // Out: 2 and 8 (live future calls), 6 (not scheduled). Never-called first, then oldest last call.
    expect(r.metrics).toEqual({ tickets: 5 });
    expect(r.rows.map((x) => x.ticket_id)).toEqual([1, 7, 3, 5, 4]);
    expect(r.rows[0]).toMatchObject({ status: 'Scheduled', assigned_resource: 'Linus Field', resource_id: 4, last_service_call_start: null });
    expect(r.rows[2]).toMatchObject({ status: 'Dispatched', assigned_resource: 'Unassigned', last_service_call_start: '2026-11-26T12:00:00.000Z' });
    // Ticket 4: the latest linked call is the completed future one.
    expect(r.rows[4]!.last_service_call_start).toBe('2026-11-28T09:00:00.000Z');
    expect(r.rows[3]!.last_service_call_start).toBe('2026-11-27T09:00:00.000Z');
  });

  it('matches settings.scheduledStatuses by label, trimmed and case-insensitive', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { scheduledStatuses: [' SCHEDULED '] } });
    expect(r.rows.map((x) => x.ticket_id)).toEqual([1, 7, 5, 4]);
  });

  it('judges "future" against T: the same call stops counting once T passes its start', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T13:00:00Z' }); // call 100 starts exactly at T now
    expect(r.rows.map((x) => x.ticket_id)).toContain(2);
  });
});
