import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/on-hold-past-due.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-11-26T12:00:00Z';
const ticket = (id: number, status: string, due: string | null) => ({
  id, ticketNumber: `T2026.${id}`, title: `ticket ${id}`, companyID: 1, status: pv('Tickets', 'status', status),
  priority: pv('Tickets', 'priority', 'Medium'), ticketType: pv('Tickets', 'ticketType', 'Incident'), createDate: '2026-11-01T00:00:00Z', dueDateTime: due,
});

describe('intake/on-hold-past-due', () => {
  it('counts open on-hold tickets due strictly before T, by label', () => {
    insert(store.db, 'Tickets', [
      ticket(1, 'On Hold', '2026-11-20T12:00:00Z'),          // 6 days past due
      ticket(2, 'Waiting Customer', '2026-11-26T11:59:59Z'), // just past due
      ticket(3, 'Waiting Vendor', '2026-11-26T12:00:00Z'),   // due exactly at T: not past due
      ticket(4, 'In Progress', '2026-11-01T00:00:00Z'),      // not on hold
      ticket(5, 'On Hold', null),                             // no due date
      ticket(6, 'Complete', '2026-11-01T00:00:00Z'),
    ]);
    const r = runReport(store.db, 'intake/on-hold-past-due', def, { asOf: T });
    expect(r.metrics).toEqual({ tickets: 2 });
    expect(r.rows.map((x) => x.ticket_id)).toEqual([1, 2]);
    expect(r.rows[0]).toMatchObject({ status: 'On Hold', days_past_due: 6 });
    expect(r.window).toBeNull();
  });
  it('matches settings labels case-insensitively and trimmed', () => {
    insert(store.db, 'Tickets', [ticket(1, 'On Hold', '2026-11-20T12:00:00Z')]);
    const r = runReport(store.db, 'intake/on-hold-past-due', def, { asOf: T, settings: { onHoldStatuses: ['  on hold '] } });
    expect(r.metrics.tickets).toBe(1);
  });
  it('carries company and assigned technician (ids for per-recipient copies, names for reading)', () => {
    insert(store.db, 'Companies', [{ id: 1, companyName: 'Acme Dental' }]);
    insert(store.db, 'Resources', [{ id: 9, firstName: 'Ada', lastName: 'Tech', isActive: true }]);
    insert(store.db, 'Tickets', [{ ...ticket(1, 'On Hold', '2026-11-20T12:00:00Z'), assignedResourceID: 9 }, ticket(2, 'On Hold', '2026-11-21T12:00:00Z')]);
    const r = runReport(store.db, 'intake/on-hold-past-due', def, { asOf: T });
    expect(r.rows[0]).toMatchObject({ company_id: 1, company: 'Acme Dental', resource_id: 9, assigned_resource: 'Ada Tech' });
    expect(r.rows[1]).toMatchObject({ resource_id: null, assigned_resource: 'Unassigned' });
  });
});
