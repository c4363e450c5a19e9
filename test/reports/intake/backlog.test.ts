import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/backlog.js';
import { insert, insertTicketStates, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const ID = 'intake/backlog';
const T = '2026-11-26T12:00:00Z'; // kill-rate week (UTC) = [Mon 2026-11-16, Mon 2026-11-23)
const COMPLETE = pv('Tickets', 'status', 'Complete');
const OPEN = pv('Tickets', 'status', 'In Progress');
const ticket = (id: number, createDate: string, o: { status?: string; type?: string | null; projectID?: number; assigned?: number; activity?: string } = {}) => ({
  id, ticketNumber: `T${id}`, title: `ticket ${id}`, companyID: 3, createDate,
  status: pv('Tickets', 'status', o.status ?? 'In Progress'),
  ticketType: o.type === null ? null : pv('Tickets', 'ticketType', o.type ?? 'Incident'), priority: pv('Tickets', 'priority', 'High'),
  projectID: o.projectID ?? null, assignedResourceID: o.assigned ?? null, lastActivityDate: o.activity ?? null,
});

describe('intake/backlog', () => {
  it('counts open backlog tickets in age buckets with exact boundaries, lists those over the threshold, kill rate over last week', () => {
    insert(store.db, 'Companies', [{ id: 3, companyName: 'Acme Dental' }]);
    insert(store.db, 'Resources', [{ id: 5, firstName: 'Grace', lastName: 'Hopper', isActive: true }]);
    insert(store.db, 'Tickets', [
      ticket(1, '2026-11-17T00:00:00Z'),                  // age 9.5 → < 10; created in the kill week
      ticket(2, '2026-11-16T12:00:00Z'),                  // age exactly 10 → 10–30; created in the kill week
      ticket(3, '2026-11-12T12:00:00Z'),                  // age exactly 14 → not over backlogDays (14)
      ticket(4, '2026-11-12T11:59:59Z'),                  // age 14 d + 1 s → over
      ticket(5, '2026-10-27T12:00:00Z'),                  // age exactly 30 → 10–30, over
      ticket(6, '2026-10-27T11:00:00Z'),                  // age 30 d 1 h → > 30, over
      ticket(7, '2026-09-01T00:00:00Z', { status: 'Complete' }),         // complete: not open
      ticket(8, '2026-09-01T00:00:00Z', { projectID: 40 }),             // project: not backlog
      ticket(9, '2026-11-18T00:00:00Z', { type: 'Alert' }),             // Alert workflow: not backlog
      ticket(10, '2026-01-01T00:00:00Z', { type: null, assigned: 5, activity: '2026-11-24T12:00:00Z' }), // Unclassified: backlog, > 30
      ticket(11, '2026-11-27T00:00:00Z'),                 // created after T: not at T
      ticket(13, '2026-11-23T00:00:00Z'),                 // created at the kill week's end: out of it; age 3.5
      ticket(14, '2026-11-16T00:00:00Z', { type: 'Problem', status: 'Complete' }), // created at the week's start: in
      ticket(16, '2026-11-22T00:00:00Z'),                 // age 4.5; created in the kill week
    ]);
    insertTicketStates(store.db, [
      { ticket: 7, at: '2026-11-20T00:00:00Z', status: COMPLETE, completedDate: '2026-11-19T10:00:00Z' }, // in
      { ticket: 14, at: '2026-11-16T00:00:00Z', status: COMPLETE },                                       // at from: in
      { ticket: 9, at: '2026-11-18T00:00:00Z', status: COMPLETE },                                        // Alert: not counted
      { ticket: 2, at: '2026-11-23T00:00:00Z', status: COMPLETE },                                        // at to: out
      { ticket: 2, at: '2026-11-24T00:00:00Z', status: OPEN },
      { ticket: 1, at: '2026-11-18T00:00:00Z', status: COMPLETE },                                        // twice in the week:
      { ticket: 1, at: '2026-11-19T00:00:00Z', status: OPEN },                                            // counted once
      { ticket: 1, at: '2026-11-20T00:00:00Z', status: COMPLETE },
      { ticket: 1, at: '2026-11-21T00:00:00Z', status: OPEN },
      { ticket: 15, at: '2026-11-18T00:00:00Z', status: COMPLETE },                                       // deleted ticket: gone
    ]);
    const r = runReport(store.db, ID, def, { asOf: T });
    // Open backlog: 1, 2, 3, 4, 5, 6, 10, 13, 16 = 9. < 10: 1, 13, 16; 10–30: 2, 3, 4, 5; > 30: 6, 10.
    // Over 14 days: 4, 5, 6, 10. Kill rate: completed 7, 14, 1 = 3 ÷ created 1, 2, 14, 16 = 4 → 0.75.
    expect(r.metrics).toEqual({ open_tickets: 9, over_threshold: 4, age_lt_10d: 3, age_10_30d: 4, age_gt_30d: 2, kill_rate: 0.75 });
    expect(r.rows.map((x) => x.ticket_id)).toEqual([10, 6, 5, 4]);
    expect(r.rows[0]).toEqual({
      ticket_id: 10, ticket_number: 'T10', title: 'ticket 10', company_id: 3, company: 'Acme Dental', status: 'In Progress',
      workflow: 'Unclassified', resource_id: 5, assigned_resource: 'Grace Hopper',
      age_days: (Date.parse(T) - Date.parse('2026-01-01T00:00:00Z')) / 86_400_000, days_since_activity: 2,
    });
    expect(r.rows[1]).toMatchObject({ assigned_resource: 'Unassigned', age_days: 30 + 1 / 24, days_since_activity: null, workflow: 'High Incident' });
    expect(r.rows[3]!.age_days).toBeCloseTo(14 + 1 / 86_400, 9);
  });

  it('finds open tickets of every status not complete: none, unlabelled, and values below, between and above the complete ones', () => {
    // Two complete statuses (5 "Complete", 31 "Closed - Billed"), so the open values lie on both sides and between.
    seedPicklists(store.db, { Tickets: { status: { 31: 'Closed - Billed' } } });
    const withStatus = (id: number, status: number | null) => ({ ...ticket(id, '2026-10-01T00:00:00Z'), status });
    insert(store.db, 'Tickets', [
      withStatus(1, null), withStatus(2, 1), withStatus(3, 5), withStatus(4, 8), withStatus(5, 31), withStatus(6, 40),
      withStatus(7, 99), withStatus(8, 8), withStatus(9, 1), { ...withStatus(10, 40), projectID: 7 },
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { completeStatuses: ['complete', ' CLOSED - billed'] } });
    // Open: 1 (no status), 2 and 9 (New, below 5), 4 and 8 (In Progress, between), 6 and 7 (no label, above 31);
    // 10 has a project. Oldest first, ties by id.
    expect(r.rows.map((x) => x.ticket_id)).toEqual([1, 2, 4, 6, 7, 8, 9]);
    expect(r.metrics.open_tickets).toBe(7);
  });

  it('has a null kill rate when no backlog ticket was created last week; honours backlogDays', () => {
    insert(store.db, 'Tickets', [ticket(1, '2026-10-01T00:00:00Z'), ticket(2, '2026-11-06T00:00:00Z')]);
    insertTicketStates(store.db, [{ ticket: 9, at: '2026-11-18T00:00:00Z', status: COMPLETE }]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { backlogDays: 30 } });
    // Ages 56.5 and 20.5: only the first is over 30 days.
    expect(r.metrics).toEqual({ open_tickets: 2, over_threshold: 1, age_lt_10d: 0, age_10_30d: 1, age_gt_30d: 1, kill_rate: null });
  });

  it('takes the kill-rate week from settings.timezone (America/New_York)', () => {
    // Week = [Mon 2026-11-16 00:00 EST (05:00Z), Mon 2026-11-23 00:00 EST (05:00Z)).
    insert(store.db, 'Tickets', [
      ticket(1, '2026-11-16T04:59:59Z', { status: 'Complete' }), // Sunday night: out
      ticket(2, '2026-11-23T04:00:00Z'),                         // Sunday 23:00: in
      ticket(3, '2026-11-23T05:00:00Z'),                         // Monday 00:00: out
    ]);
    insertTicketStates(store.db, [
      { ticket: 1, at: '2026-11-23T04:30:00Z', status: COMPLETE }, // Sunday 23:30: in
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    expect(r.metrics.kill_rate).toBe(1);
  });
});
