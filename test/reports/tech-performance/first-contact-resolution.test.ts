import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/tech-performance/first-contact-resolution.js';
import { insert, insertTicketStates, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'tech-performance/first-contact-resolution';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-12-02T12:00:00Z'; // window November 2026; business hours Mon–Fri 08–17
const NEW = pv('Tickets', 'status', 'New');
const DONE = pv('Tickets', 'status', 'Complete');
const WIP = pv('Tickets', 'status', 'In Progress');
const ticket = (id: number, created: string, type = 'Incident', issue?: string) => ({
  id, ticketNumber: `T${id}`, title: 't', companyID: 1, ticketType: pv('Tickets', 'ticketType', type), priority: pv('Tickets', 'priority', 'High'),
  issueType: issue ? pv('Tickets', 'issueType', issue) : null, createDate: created,
});
let teId = 1;
const entries = (ticketID: number, n: number, start = '2026-11-02T09:00:00Z') =>
  Array.from({ length: n }, () => ({ id: teId++, resourceID: 1, ticketID, hoursWorked: 0.25, startDateTime: start, dateWorked: start.slice(0, 10) }));
/** A New record at creation and a completion. */
const lifecycle = (ticket: number, created: string, completed: string, o: { by?: number | null; assigned?: number | null } = {}) => [
  { ticket, at: created, status: NEW, assigned: o.assigned ?? null },
  { ticket, at: completed, status: DONE, assigned: o.assigned ?? null, completedDate: completed, completedBy: o.by ?? null },
];

function seed(): void {
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }, { id: 2, firstName: 'Bob', lastName: 'B', isActive: true }]);
  insert(store.db, 'Holidays', [{ id: 1, holidaySetID: 1, holidayName: 'h', holidayDate: '2026-11-26' }]);
  insert(store.db, 'Tickets', [
    ticket(1, '2026-11-02T09:00:00Z'),
    ticket(2, '2026-11-02T16:30:00Z', 'Service Request', 'Quick Hit'),
    ticket(3, '2026-11-02T09:00:00Z'),
    ticket(4, '2026-11-02T09:00:00Z'),
    ticket(5, '2026-11-02T09:00:00Z'),
    ticket(6, '2026-11-02T09:00:00Z'),
    ticket(7, '2026-11-30T09:30:00Z'),
    ticket(8, '2026-11-02T09:00:00Z', 'Service Request'),
    ticket(9, '2026-11-06T16:45:00Z'),
    ticket(10, '2026-11-30T23:30:00Z'),
    ticket(11, '2026-11-25T16:30:00Z'),
  ]);
  insert(store.db, 'TimeEntries', [
    ...entries(1, 1), ...entries(2, 1), ...entries(3, 1), ...entries(4, 1), ...entries(4, 1, '2025-06-02T09:00:00Z'),
    ...entries(6, 1), ...entries(7, 1), ...entries(8, 1), ...entries(9, 1), ...entries(10, 1), ...entries(11, 1),
  ]);
  insertTicketStates(store.db, [
    ...lifecycle(1, '2026-11-02T09:00:00Z', '2026-11-02T09:45:00Z', { by: 1 }),              // bh 0.75: FCR (Alice)
    ...lifecycle(2, '2026-11-02T16:30:00Z', '2026-11-03T08:30:00Z', { by: 2 }),              // quick hit, bh 0.5 + 0.5 = 1 ≤ 1: FCR (Bob)
    ...lifecycle(3, '2026-11-02T09:00:00Z', '2026-11-02T10:00:01Z', { by: 1 }),              // bh 1 h 1 s > 1: no (Alice)
    ...lifecycle(4, '2026-11-02T09:00:00Z', '2026-11-02T09:30:00Z', { by: 1 }),              // two entries ever (one in 2025): no (Alice)
    ...lifecycle(5, '2026-11-02T09:00:00Z', '2026-11-02T09:30:00Z', { assigned: 2 }),        // no entry: no (Bob, the assignee)
    ...lifecycle(6, '2026-11-02T09:00:00Z', '2026-11-02T09:30:00Z', { by: 1 }),              // reopened, completed again: counted once, no (Alice)
    { ticket: 6, at: '2026-11-04T09:00:00Z', status: WIP },
    { ticket: 6, at: '2026-11-05T09:00:00Z', status: DONE, completedDate: '2026-11-05T09:00:00Z', completedBy: 2 },
    ...lifecycle(7, '2026-11-30T09:30:00Z', '2026-11-30T10:00:00Z', { by: 2 }),              // reopened after the window: no (Bob)
    { ticket: 7, at: '2026-12-03T09:00:00Z', status: WIP },
    ...lifecycle(8, '2026-11-02T09:00:00Z', '2026-11-02T09:10:00Z', { by: 1 }),              // Service Request: not an FCR workflow
    ...lifecycle(9, '2026-11-06T16:45:00Z', '2026-11-09T08:30:00Z', { assigned: 2 }),        // Fri 16:45 → Mon 08:30: bh 0.75, FCR (Bob)
    ...lifecycle(10, '2026-11-30T23:30:00Z', '2026-12-01T00:00:00Z', { by: 1 }),             // completion at to: not eligible in UTC
    ...lifecycle(11, '2026-11-25T16:30:00Z', '2026-11-27T08:20:00Z', { by: 1 }),             // Thu holiday: bh 0.5 + 0 + 1/3: FCR (Alice)
  ]);
}

describe('tech-performance/first-contact-resolution', () => {
  it('eligible once per ticket; never reopened, one entry ever, within the business-hour limit', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // Eligible: 1, 2, 3, 4, 5, 6, 7, 9, 11 = 9. First contact: 1, 2, 9, 11 = 4.
    expect(r.metrics).toEqual({ eligible: 9, first_contact_resolved: 4, fcr_pct: (100 * 4) / 9 });
    expect(r.rows).toEqual([
      { resource_id: 1, resource: 'Alice A', eligible: 5, first_contact_resolved: 2, fcr_pct: 40 }, // 1, 3, 4, 6, 11
      { resource_id: 2, resource: 'Bob B', eligible: 4, first_contact_resolved: 2, fcr_pct: 50 },   // 2, 5, 7, 9
    ]);
    expect(r.headlines.find((h) => h.metric === 'fcr_pct')).toMatchObject({ target: 65, light: 'red' });
  });

  it('settings.fcrMaxBusinessHours moves the limit', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { fcrMaxBusinessHours: 2 } });
    // Ticket 3 (1 h 1 s) now qualifies.
    expect(r.metrics).toMatchObject({ eligible: 9, first_contact_resolved: 5 });
  });

  it('business hours and the window in New York', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    // EST: 1 (04:00–04:45) 0 bh yes; 2 (Mon 11:30 → Tue 03:30) 5.5 no; 3 (04:00–05:00) 0 yes; 4, 5, 6, 7 no;
    // 9 (Fri 11:45 → Mon 03:30) 5.25 no; 11 (Wed 11:30 → Fri 03:20) 5.5 no; 10 (Nov 30 18:30 → 19:00 EST) now in the window, 0 yes.
    expect(r.metrics).toEqual({ eligible: 10, first_contact_resolved: 3, fcr_pct: 30 });
  });

  it('no eligible tickets gives null', () => {
    const r = runReport(store.db, ID, def, { asOf: T });
    expect(r.metrics).toEqual({ eligible: 0, first_contact_resolved: 0, fcr_pct: null });
    expect(r.rows).toEqual([]);
  });
});
