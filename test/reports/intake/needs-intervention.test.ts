import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/needs-intervention.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const T = Date.parse('2026-11-26T12:00:00Z');
const MIN = 60_000, H = 3_600_000, D = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Ann', lastName: 'Tech', isActive: true }, { id: 2, firstName: 'Old', lastName: 'Timer', isActive: false }]);
});
afterEach(() => store.cleanup());

/** An open Medium Incident (a backlog workflow), assigned, created a day ago, active an hour ago. */
function tk(id: number, e: Record<string, unknown>) {
  return {
    id, ticketNumber: `T${id}`, title: `Ticket ${id}`, companyID: 10, status: pv('Tickets', 'status', 'In Progress'),
    ticketType: pv('Tickets', 'ticketType', 'Incident'), priority: pv('Tickets', 'priority', 'Medium'), assignedResourceID: 1,
    createDate: at(T - D), lastActivityDate: at(T - H), ...e,
  };
}

describe('intake/needs-intervention', () => {
  it('applies each reason at its boundaries and orders the list by reason, then urgency', () => {
    insert(store.db, 'Tickets', [
      tk(1, { firstResponseDueDateTime: at(T - MIN), resolvedDueDateTime: at(T + H) }),          // breached (the at-risk event does not add at_risk)
      tk(2, { resolvedDueDateTime: at(T) }),                                                   // due exactly at T: at risk
      tk(3, { resolvedDueDateTime: at(T + 2 * H) }),                                           // due exactly at T + 2 h: not at risk
      tk(4, { resolutionPlanDueDateTime: at(T + 119 * MIN) }),                                 // at risk, due later than 2
      tk(5, { resolvedDueDateTime: at(T - H), resolvedDateTime: at(T - 2 * H) }),              // met: nothing
      tk(6, { assignedResourceID: null, createDate: at(T - 29 * MIN), lastActivityDate: at(T - 29 * MIN) }), // 29 min: not yet
      tk(7, { assignedResourceID: null, createDate: at(T - 31 * MIN), lastActivityDate: at(T - 31 * MIN) }), // 31 min: unassigned
      tk(8, { assignedResourceID: null, createDate: at(T - 30 * MIN), lastActivityDate: at(T - 30 * MIN) }), // exactly 30: not more than
      tk(9, { assignedResourceID: 2, createDate: at(T - 5 * H) }),                             // an inactive resource is assigned
      tk(10, { createDate: at(T - 10 * D), lastActivityDate: at(T - 3 * D - MIN) }),           // stale
      tk(11, { createDate: at(T - 10 * D), lastActivityDate: at(T - 3 * D) }),                 // exactly 3 days: not stale
      tk(12, { createDate: at(T - 10 * D), lastActivityDate: at(T - 9 * D), status: pv('Tickets', 'status', 'Waiting Customer') }), // on hold: not stale
      tk(13, { createDate: at(T - 10 * D), lastActivityDate: at(T - 9 * D), status: pv('Tickets', 'status', 'Scheduled') }), // scheduled: not stale
      tk(14, { createDate: at(T - 4 * D), lastActivityDate: null }),                           // no activity: counts from createDate
      tk(15, { status: pv('Tickets', 'status', 'Complete'), firstResponseDueDateTime: at(T - H) }), // complete: not in the population
      tk(16, { projectID: 500, firstResponseDueDateTime: at(T - H) }),                         // project work: not in it
      tk(17, { ticketType: pv('Tickets', 'ticketType', 'Alert'), firstResponseDueDateTime: at(T - H) }), // Alert is not a backlog workflow
      tk(18, { assignedResourceID: null, createDate: at(T - 8 * D), lastActivityDate: at(T - 8 * D), resolvedDueDateTime: at(T - 2 * H) }), // all three
    ]);
    const r = runReport(store.db, 'intake/needs-intervention', def, { asOf: at(T) });
    expect(r.metrics).toEqual({ tickets: 7, breached: 2, at_risk: 2, unassigned: 2, stale: 3 });
    // Breached and at risk by next due (18's T − 2 h before 1's T − 1 min), stale by activity instant
    // (14's createDate, T − 4 d, before 10's T − 3 d − 1 min).
    expect(r.rows.map((x) => [x.ticket_id, x.reason])).toEqual([
      [18, 'breached'], [1, 'breached'], [2, 'at_risk'], [4, 'at_risk'], [7, 'unassigned'], [14, 'stale'], [10, 'stale'],
    ]);
    const byId = new Map(r.rows.map((x) => [x.ticket_id, x]));
    expect(byId.get(18)).toMatchObject({ reasons: 'breached, unassigned, stale', next_due: at(T - 2 * H), minutes_to_due: -120, age_hours: 192, assigned_resource: 'Unassigned', workflow: 'Medium Incident', company: 'Acme' });
    expect(byId.get(1)).toMatchObject({ next_due: at(T - MIN), minutes_to_due: -1, age_hours: 24 });
    expect(byId.get(2)).toMatchObject({ next_due: at(T), minutes_to_due: 0 });
    expect(byId.get(7)).toMatchObject({ next_due: null, minutes_to_due: null, age_hours: 31 / 60 });
  });

  it('reads its thresholds from settings', () => {
    insert(store.db, 'Tickets', [
      tk(1, { resolvedDueDateTime: at(T + 3 * H) }),
      tk(2, { assignedResourceID: null, createDate: at(T - 20 * MIN) }),
      tk(3, { createDate: at(T - 10 * D), lastActivityDate: at(T - 2 * D) }),
    ]);
    const r = runReport(store.db, 'intake/needs-intervention', def, { asOf: at(T), settings: { slaRiskHours: 4, unassignedMinutes: 15, staleDays: 1 } });
    expect(r.metrics).toEqual({ tickets: 3, breached: 0, at_risk: 1, unassigned: 1, stale: 1 });
  });
});
