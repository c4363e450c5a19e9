import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/profitability/resource-utilization.js';
import { insert, makeStore, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'profitability/resource-utilization';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

let nextId = 1;
const entry = (resourceID: number, hours: number, o: { ticket?: number; task?: number; start?: string; date?: string; nonBillable?: boolean }) => ({
  id: nextId++, resourceID, ticketID: o.ticket ?? null, taskID: o.task ?? null, hoursWorked: hours, isNonBillable: o.nonBillable ?? false,
  startDateTime: o.start ?? null, dateWorked: o.date ?? (o.start ? o.start.slice(0, 10) : null),
});
const avail = (id: number, resourceID: number, week: [number, number, number, number, number, number, number], goal: number | null) => ({
  id, resourceID, mondayAvailableHours: week[0], tuesdayAvailableHours: week[1], wednesdayAvailableHours: week[2], thursdayAvailableHours: week[3],
  fridayAvailableHours: week[4], saturdayAvailableHours: week[5], sundayAvailableHours: week[6], weeklyBillableHoursGoal: goal,
});

/** Client company 1 and the MSP itself (0): tickets, projects and tasks of each. */
function seedWork(): void {
  insert(store.db, 'Companies', [{ id: 0, companyName: 'Our MSP' }, { id: 1, companyName: 'Acme' }]);
  insert(store.db, 'Tickets', [
    { id: 100, ticketNumber: 'T100', title: 'client', companyID: 1, createDate: '2026-01-01T00:00:00Z' },
    { id: 101, ticketNumber: 'T101', title: 'internal', companyID: 0, createDate: '2026-01-01T00:00:00Z' },
  ]);
  insert(store.db, 'Projects', [{ id: 50, projectName: 'client project', companyID: 1 }, { id: 51, projectName: 'internal project', companyID: 0 }]);
  insert(store.db, 'Tasks', [{ id: 500, projectID: 50, title: 'client task' }, { id: 501, projectID: 51, title: 'internal task' }]);
}

describe('profitability/resource-utilization', () => {
  it('per service resource: available hours with holidays and defaults, client and billable hours, window edges', () => {
    seedWork();
    insert(store.db, 'Resources', [
      { id: 1, firstName: 'Alice', lastName: 'A', isActive: true },
      { id: 2, firstName: 'Bob', lastName: 'B', isActive: true },
      { id: 3, firstName: 'Carol', lastName: 'C', isActive: false },
      { id: 4, firstName: 'Dave', lastName: 'D', isActive: true },
    ]);
    // Alice: Mon–Thu 8, Fri 4, Sat 2, Sun 0; goal 30 h a week. Bob has no record (default 8 h Mon–Fri).
    insert(store.db, 'ResourceDailyAvailabilities', [avail(1, 1, [8, 8, 8, 8, 4, 2, 0], 30)]);
    // Thursday 2026-11-19 is a holiday.
    insert(store.db, 'Holidays', [{ id: 1, holidaySetID: 1, holidayName: 'Thanksgiving (test)', holidayDate: '2026-11-19' }]);
    insert(store.db, 'TimeEntries', [
      entry(1, 2, { ticket: 100, start: '2026-11-16T00:00:00Z' }),                 // exactly at from: in
      entry(1, 5, { ticket: 100, start: '2026-11-23T00:00:00Z' }),                 // exactly at to: out
      entry(1, 3, { task: 500, date: '2026-11-22', nonBillable: true }),           // no start: dateWorked in, client, non-billable
      entry(1, 4, { ticket: 101, start: '2026-11-17T09:00:00Z' }),                 // internal ticket
      entry(1, 1, { task: 501, start: '2026-11-17T12:00:00Z' }),                   // internal project task
      entry(1, 1, { start: '2026-11-18T12:00:00Z' }),                              // neither ticket nor task
      entry(1, 6, { ticket: 100, date: '2026-11-23' }),                            // dateWorked at to: out
      entry(1, 1.5, { ticket: 100, start: '2026-11-22T23:59:59Z' }),               // last second: in
      entry(2, 8, { ticket: 100, start: '2026-11-17T10:00:00Z' }),
      entry(3, 10, { ticket: 100, start: '2026-11-17T10:00:00Z' }),               // inactive: not a service resource
      entry(4, 2, { ticket: 100, start: '2026-09-20T10:00:00Z' }),                // 67 days before T: not a service resource
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z' }); // window 2026-11-16 .. 2026-11-23
    // Alice available: Mon 8 + Tue 8 + Wed 8 + Thu holiday 0 + Fri 4 + Sat 2 + Sun 0 = 30.
    // Alice client: 2 + 3 + 1.5 = 6.5; billable: 2 + 1.5 = 3.5. Goal attainment 6.5 / (30 × 7/7).
    // Bob available: 4 weekdays × 8 = 32 (holiday Thursday); client = billable = 8.
    expect(r.rows).toEqual([
      { resource_id: 1, resource: 'Alice A', available_hours: 30, client_hours: 6.5, billable_hours: 3.5, utilization_pct: (100 * 6.5) / 30, billable_utilization_pct: (100 * 3.5) / 30, goal_attainment_pct: (100 * 6.5) / 30 },
      { resource_id: 2, resource: 'Bob B', available_hours: 32, client_hours: 8, billable_hours: 8, utilization_pct: 25, billable_utilization_pct: 25, goal_attainment_pct: null },
    ]);
    // Totals: available 62, client 14.5, billable 11.5.
    expect(r.metrics).toEqual({ utilization_pct: (100 * 14.5) / 62, billable_utilization_pct: (100 * 11.5) / 62, available_hours: 62, client_hours: 14.5 });
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toContain('Bob B');
    expect(r.warnings[0]).not.toContain('Alice');
    // Carol (inactive) logged 10 client hours in the window; Dave's hours are outside it.
    expect(r.warnings[1]).toMatch(/^10 client hours .* 1 resource\(s\) .*: Carol C\.$/);
    expect(r.charts[0]).toMatchObject({ kind: 'bar', labels: ['Alice A', 'Bob B'] });
    const h = r.headlines.find((x) => x.metric === 'utilization_pct')!;
    expect(h.target).toBe(70);
    expect(h.light).toBe('red');
  });

  it('goal attainment scales the weekly goal to the days of a custom window', () => {
    seedWork();
    insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }]);
    insert(store.db, 'ResourceDailyAvailabilities', [avail(1, 1, [8, 8, 8, 8, 8, 0, 0], 35)]);
    insert(store.db, 'TimeEntries', [entry(1, 6, { ticket: 100, start: '2026-11-17T10:00:00Z' })]);
    // Window Mon 16 .. Wed 18 = 2 days; goal for the window = 35 × 2 / 7 = 10 h; available = 16.
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z', from: '2026-11-16T00:00:00Z', to: '2026-11-18T00:00:00Z' });
    expect(r.rows[0]).toMatchObject({ available_hours: 16, client_hours: 6, goal_attainment_pct: 60, utilization_pct: 37.5 });
    expect(r.warnings).toEqual([]);
  });

  it('a DST week in New York: days and window edges follow local midnights', () => {
    seedWork();
    insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }]);
    // Sunday 2026-03-08 is the 23-hour spring-forward day; it still counts its 4 available hours.
    insert(store.db, 'ResourceDailyAvailabilities', [avail(1, 1, [8, 8, 8, 8, 8, 4, 4], 40)]);
    insert(store.db, 'TimeEntries', [
      entry(1, 3, { ticket: 100, start: '2026-03-02T05:00:00Z' }),  // Mon 00:00 EST = from: in
      entry(1, 4, { ticket: 100, start: '2026-03-02T04:59:00Z' }),  // Sun Mar 1 23:59 EST: out
      entry(1, 1, { ticket: 100, start: '2026-03-09T03:30:00Z' }),  // Sun Mar 8 23:30 EDT: in (a 24-hour step would say so too)
      entry(1, 2, { ticket: 100, start: '2026-03-09T04:00:00Z' }),  // Mon Mar 9 00:00 EDT = to: out (from + 168 h would take it)
      entry(1, 0.5, { ticket: 100, date: '2026-03-08' }),           // dateWorked Sunday: in
      entry(1, 7, { ticket: 100, date: '2026-03-09' }),             // dateWorked Monday after: out
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-03-11T16:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.window).toEqual({ from: '2026-03-02T05:00:00.000Z', to: '2026-03-09T04:00:00.000Z' });
    // Available: 5 × 8 + 4 + 4 = 48. Client: 3 + 1 + 0.5 = 4.5. Goal 40 × 7/7.
    expect(r.rows[0]).toMatchObject({ available_hours: 48, client_hours: 4.5, utilization_pct: (100 * 4.5) / 48, goal_attainment_pct: (100 * 4.5) / 40 });
  });

  it('a fall-back week in New York (169 hours) and a holiday on the long day', () => {
    seedWork();
    insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }]);
    insert(store.db, 'ResourceDailyAvailabilities', [avail(1, 1, [8, 8, 8, 8, 8, 4, 4], null)]);
    insert(store.db, 'Holidays', [{ id: 1, holidaySetID: 1, holidayName: 'h', holidayDate: '2026-11-01' }]);
    insert(store.db, 'TimeEntries', [
      entry(1, 1, { ticket: 100, start: '2026-11-02T04:30:00Z' }),  // Sun Nov 1 23:30 EST: in
      entry(1, 2, { ticket: 100, start: '2026-11-02T05:00:00Z' }),  // Mon Nov 2 00:00 EST = to: out
      entry(1, 4, { ticket: 100, start: '2026-10-26T04:00:00Z' }),  // Mon Oct 26 00:00 EDT = from: in
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-04T16:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.window).toEqual({ from: '2026-10-26T04:00:00.000Z', to: '2026-11-02T05:00:00.000Z' });
    // Available: 5 × 8 + Sat 4 + Sun holiday 0 = 44; client 5; no goal.
    expect(r.rows[0]).toMatchObject({ available_hours: 44, client_hours: 5, goal_attainment_pct: null });
  });

  it('zero available hours and no service resources give null percentages', () => {
    seedWork();
    insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }]);
    insert(store.db, 'ResourceDailyAvailabilities', [avail(1, 1, [0, 0, 0, 0, 0, 0, 0], 0)]);
    insert(store.db, 'TimeEntries', [entry(1, 2, { ticket: 100, start: '2026-11-17T10:00:00Z' })]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z' });
    expect(r.rows[0]).toMatchObject({ available_hours: 0, client_hours: 2, utilization_pct: null, billable_utilization_pct: null, goal_attainment_pct: null });
    expect(r.metrics).toEqual({ utilization_pct: null, billable_utilization_pct: null, available_hours: 0, client_hours: 2 });

    const empty = makeStore();
    try {
      seedPicklists(empty.db);
      const e = runReport(empty.db, ID, def, { asOf: '2026-11-26T12:00:00Z' });
      expect(e.metrics).toEqual({ utilization_pct: null, billable_utilization_pct: null, available_hours: 0, client_hours: 0 });
      expect(e.rows).toEqual([]);
      expect(e.charts).toEqual([]);
    } finally {
      empty.cleanup();
    }
  });

  it('trend: one value per previous week, the week before the data has no client hours', () => {
    seedWork();
    insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }]);
    insert(store.db, 'ResourceDailyAvailabilities', [avail(1, 1, [8, 8, 8, 8, 8, 0, 0], null)]);
    insert(store.db, 'TimeEntries', [entry(1, 10, { ticket: 100, start: '2026-11-17T10:00:00Z' }), entry(1, 20, { ticket: 100, start: '2026-11-10T10:00:00Z' })]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z', trend: true });
    const s = r.series.find((x) => x.metric === 'utilization_pct')!;
    expect(s.labels).toHaveLength(9);
    // Week of Nov 16: 10 / 40; week of Nov 9: 20 / 40; the week before: 0 / 40 (Alice is a service resource at each shifted T).
    expect(s.values.slice(-3)).toEqual([0, 50, 25]);
    expect(r.headlines.find((h) => h.metric === 'utilization_pct')!.previous).toBe(50);
  });
});
