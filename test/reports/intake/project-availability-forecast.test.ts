import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/project-availability-forecast.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const ID = 'intake/project-availability-forecast';
let seq = 0;
const task = (id: number, o: { status?: string; start?: string | null; end?: string | null; rem?: number | null; est?: number | null }) => ({
  id, projectID: 70, title: `task ${id}`, status: pv('Tasks', 'status', o.status ?? 'In Progress'),
  startDateTime: o.start ?? null, endDateTime: o.end ?? null, remainingHours: o.rem ?? null, estimatedHours: o.est ?? null,
});
const fullTimeTech = () => {
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Ada', lastName: 'Tech', isActive: true }]);
  insert(store.db, 'ResourceDailyAvailabilities', [{
    id: 1, resourceID: 1, mondayAvailableHours: 8, tuesdayAvailableHours: 8, wednesdayAvailableHours: 8,
    thursdayAvailableHours: 8, fridayAvailableHours: 8, saturdayAvailableHours: 0, sundayAvailableHours: 0,
  }]);
};

describe('intake/project-availability-forecast', () => {
  it('spreads open task hours over the weeks by the spec rules and compares them with project capacity', () => {
    // T = Thu 2026-11-26 (UTC): W0 = Mon 2026-11-23, weeks 11-23, 11-30, 12-07, 12-14 (horizon ends 12-21).
    fullTimeTech(); // 40 h/week available → capacity 32 h/week
    insert(store.db, 'Projects', [{ id: 70, projectName: 'Migration', companyID: 1 }]);
    // Service demand: one open ticket without a project, 8 h estimate, no work → 8 / 4 = 2 h/week; no baseline.
    insert(store.db, 'Tickets', [{ id: 1, ticketNumber: 'T1', title: 't', companyID: 1, status: pv('Tickets', 'status', 'New'), estimatedHours: 8, createDate: '2026-11-01T00:00:00Z' }]);
    insert(store.db, 'Tasks', [
      task(1, { end: '2026-11-20T00:00:00Z', start: '2026-11-01T00:00:00Z', rem: 10 }), // overdue → week 1: 10
      task(2, { est: 20 }),                                                              // no dates; 20 − 4 worked = 16 → 4 a week
      task(3, { start: '2026-11-30T00:00:00Z', end: '2026-12-14T00:00:00Z', rem: 14 }), // 7 in week 2, 7 in week 3
      task(4, { start: '2026-11-16T00:00:00Z', end: '2026-11-30T00:00:00Z', rem: 7 }),  // span [W0, 11-30): all 7 in week 1
      task(5, { start: '2026-12-14T00:00:00Z', end: '2026-12-28T00:00:00Z', rem: 20 }), // half in week 4 (10), half past N: left out
      task(6, { status: 'Complete', rem: 100 }),                                          // complete: ignored
      task(7, { start: '2026-11-25T00:00:00Z', rem: 8 }),                                 // start only: even, 2 a week
      task(8, { rem: 0, est: 50 }),                                                       // remainingHours 0 wins over the estimate
      task(9, {}),                                                                        // no hours at all
      task(10, { end: '2026-11-23T00:00:00Z', rem: 1 }),                                  // ends exactly at W0: overdue → week 1
    ]);
    insert(store.db, 'TimeEntries', [
      { id: ++seq, resourceID: 1, taskID: 2, hoursWorked: 4, startDateTime: '2026-11-10T10:00:00Z', dateWorked: '2026-11-10' },
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z' });
    // Scheduled: w1 = 10 + 4 + 7 + 2 + 1 = 24; w2 = 4 + 7 + 2 = 13; w3 = 4 + 7 + 2 = 13; w4 = 4 + 10 + 2 = 16 → 66.
    // Project capacity = 32 − 2 = 30 a week → 120. Available = 6, 17, 17, 14 → 54.
    // Backlog = 10 + 16 + 14 + 7 + 20 + 8 + 0 + 0 + 1 = 76; weeks_to_clear = 76 / (120 / 4) = 76 / 30.
    expect(r.rows).toEqual([
      { week_start: '2026-11-23', project_capacity_hours: 30, scheduled_hours: 24, project_available_hours: 6 },
      { week_start: '2026-11-30', project_capacity_hours: 30, scheduled_hours: 13, project_available_hours: 17 },
      { week_start: '2026-12-07', project_capacity_hours: 30, scheduled_hours: 13, project_available_hours: 17 },
      { week_start: '2026-12-14', project_capacity_hours: 30, scheduled_hours: 16, project_available_hours: 14 },
    ]);
    expect(r.metrics).toEqual({
      project_capacity_hours: 120, scheduled_project_hours: 66, available_project_hours: 54,
      project_backlog_hours: 76, weeks_to_clear: 76 / 30,
    });
    expect(r.warnings.some((w) => w.startsWith('1 open task(s) have neither'))).toBe(true);
    expect(r.warnings.some((w) => w.startsWith('2 open task(s) lack a start or end date'))).toBe(true);
  });

  it('gives weeks_to_clear null when project capacity is 0 or less', () => {
    insert(store.db, 'Tasks', [task(1, { rem: 12 })]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z' });
    expect(r.metrics).toEqual({ project_capacity_hours: 0, scheduled_project_hours: 12, available_project_hours: -12, project_backlog_hours: 12, weeks_to_clear: null });
    expect(r.rows.map((x) => x.scheduled_hours)).toEqual([3, 3, 3, 3]);
  });

  it('matches completeTaskStatuses by label, trimmed and case-insensitive', () => {
    insert(store.db, 'Tasks', [task(1, { status: 'In Progress', rem: 4 }), task(2, { status: 'New', rem: 8 })]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z', settings: { completeTaskStatuses: [' in progress', 'Complete'] } });
    expect(r.metrics.project_backlog_hours).toBe(8);
  });

  it('spreads by real hours over a 169-hour DST week (America/New_York)', () => {
    // T = Thu 2026-10-29 in New York → W0 = Mon 10-26 00:00 EDT (04:00Z); week 1 ends Mon 11-02 00:00 EST (05:00Z),
    // 169 h; week 2 [11-02 05:00Z, 11-09 05:00Z) is 168 h. A task over both weeks with 337 h left puts 169 h and 168 h.
    fullTimeTech();
    insert(store.db, 'TimeEntries', [{ id: ++seq, resourceID: 1, taskID: 99, hoursWorked: 1, startDateTime: '2026-10-20T14:00:00Z', dateWorked: '2026-10-20' }]);
    insert(store.db, 'Tasks', [task(1, { start: '2026-10-26T04:00:00Z', end: '2026-11-09T05:00:00Z', rem: 337 })]);
    const r = runReport(store.db, ID, def, { asOf: '2026-10-29T12:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.rows.map((x) => x.week_start)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16']);
    expect(r.rows.map((x) => x.scheduled_hours)).toEqual([169, 168, 0, 0]);
    // Capacity 32 a week, no service demand → 128; weeks_to_clear = 337 / 32.
    expect(r.metrics.weeks_to_clear).toBe(337 / 32);
  });

  it('spreads by real hours over a 167-hour DST week (spring forward, America/New_York)', () => {
    // T = Wed 2027-03-10 → W0 = Mon 03-08 00:00 EST (05:00Z); clocks go forward on Sun 03-14, so week 1 ends
    // Mon 03-15 00:00 EDT (04:00Z): 167 h. A task [W0, Mon 03-22 00:00 EDT) with 335 h left puts 167 h and 168 h.
    insert(store.db, 'Tasks', [task(1, { start: '2027-03-08T05:00:00Z', end: '2027-03-22T04:00:00Z', rem: 335 })]);
    const r = runReport(store.db, ID, def, { asOf: '2027-03-10T12:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.rows.map((x) => x.week_start)).toEqual(['2027-03-08', '2027-03-15', '2027-03-22', '2027-03-29']);
    expect(r.rows.map((x) => x.scheduled_hours)).toEqual([167, 168, 0, 0]);
  });
});
