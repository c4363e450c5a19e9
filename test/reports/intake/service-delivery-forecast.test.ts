import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/service-delivery-forecast.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const ID = 'intake/service-delivery-forecast';
let seq = 0;
const ticket = (id: number, o: { status?: string; est?: number | null; projectID?: number }) => ({
  id, ticketNumber: `T${id}`, title: `ticket ${id}`, companyID: 1, status: pv('Tickets', 'status', o.status ?? 'New'),
  ticketType: pv('Tickets', 'ticketType', 'Service Request'), createDate: '2026-09-01T00:00:00Z',
  estimatedHours: o.est ?? null, projectID: o.projectID ?? null,
});
const entry = (resourceID: number, ticketID: number, hours: number, start: string | null, dateWorked: string) => ({
  id: ++seq, resourceID, ticketID, hoursWorked: hours, startDateTime: start, dateWorked,
});
const resource = (id: number, isActive = true) => ({ id, firstName: 'Tech', lastName: String(id), isActive });

describe('intake/service-delivery-forecast', () => {
  it('forecasts capacity of service resources against baseline + backlog demand', () => {
    // T = Thu 2026-11-26 (UTC) → W0 = Mon 2026-11-23; N = 4 weeks: 11-23, 11-30, 12-07, 12-14.
    insert(store.db, 'Resources', [resource(1), resource(2), resource(3, false), resource(4)]);
    insert(store.db, 'ResourceDailyAvailabilities', [{
      id: 1, resourceID: 1, mondayAvailableHours: 6, tuesdayAvailableHours: 6, wednesdayAvailableHours: 6,
      thursdayAvailableHours: 6, fridayAvailableHours: 6, saturdayAvailableHours: 2, sundayAvailableHours: 0,
    }]);
    insert(store.db, 'Holidays', [{ id: 1, holidaySetID: 1, holidayName: 'Thanksgiving', holidayDate: '2026-11-26' }]);
    insert(store.db, 'Tickets', [
      ticket(1, { est: 10 }), ticket(2, { est: 20 }), ticket(3, { est: 50, projectID: 7 }), ticket(4, { status: 'Complete', est: 30 }),
      ticket(5, { est: null }), ticket(6, { est: 0 }), ticket(7, { est: 6 }),
    ]);
    insert(store.db, 'TimeEntries', [
      entry(4, 1, 4, '2026-09-28T00:00:00Z', '2026-09-28'), // at W0 − 56 d: in the baseline
      entry(1, 1, 3, '2026-11-23T00:00:00Z', '2026-11-23'), // at W0: out of the baseline, but worked on ticket 1
      entry(4, 1, 5, null, '2026-09-27'),                   // before W0 − 56 d: out
      entry(1, 2, 12, '2026-10-15T10:00:00Z', '2026-10-15'),
      entry(3, 3, 8, '2026-10-15T10:00:00Z', '2026-10-15'), // project ticket: not baseline; inactive resource 3
      entry(2, 4, 8, null, '2026-11-22'),                   // date-only Sunday before W0: in
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z' });
    // Service resources: 1 (entry 10-15), 2 (entry 11-22); 3 inactive; 4's entries are before T − 56 d = 10-01 12:00.
    // Available: R1 = 5 × 6 + 2 = 32 h/week, R2 = default 8 × 5 = 40 h/week; week 1 has the Thursday holiday
    // (R1 − 6, R2 − 8): 58, then 72 × 3. Capacity × 0.8: 46.4, 57.6, 57.6, 57.6 → 219.2.
    // Baseline = (4 + 12 + 8) / 8 = 3. Backlog: t1 max(10 − 12, 0) = 0, t2 20 − 12 = 8, t5 0, t6 0, t7 6 → 14.
    // Demand per week = 3 + 14 / 4 = 6.5 → 26 over 4 weeks.
    expect(r.rows.map((x) => x.week_start)).toEqual(['2026-11-23', '2026-11-30', '2026-12-07', '2026-12-14']);
    expect(r.rows.map((x) => x.available_hours)).toEqual([58, 72, 72, 72]);
    r.rows.forEach((x, i) => {
      expect(x.capacity_hours).toBeCloseTo([46.4, 57.6, 57.6, 57.6][i]!, 9);
      expect(x.demand_hours).toBe(6.5);
      expect(x.gap_hours).toBeCloseTo([39.9, 51.1, 51.1, 51.1][i]!, 9);
    });
    expect(r.metrics.capacity_hours).toBeCloseTo(219.2, 9);
    expect(r.metrics.demand_hours).toBe(26);
    expect(r.metrics.gap_hours).toBeCloseTo(193.2, 9);
    expect(r.metrics.load_pct).toBeCloseTo((100 * 26) / 219.2, 9);
    expect(r.metrics.fte_gap).toBeCloseTo(193.2 / (4 * 40 * 0.8), 9);
    expect(r.metrics.open_tickets_without_estimate).toBe(2); // tickets 5 (empty) and 6 (0)
    expect(r.warnings.some((w) => w.includes('Tech 2') && w.includes('availability'))).toBe(true);
    expect(r.warnings.some((w) => w.startsWith('2 of 5 open tickets'))).toBe(true);
    expect(r.charts.find((c) => c.id === 'demand-by-week')).toMatchObject({ kind: 'stacked-bar', datasets: [{ data: [3, 3, 3, 3] }, { data: [3.5, 3.5, 3.5, 3.5] }] });
  });

  it('has null load and zero FTE capacity without service resources; honours forecastWeeks and targetUtilization', () => {
    insert(store.db, 'Tickets', [ticket(1, { est: 9 })]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-26T12:00:00Z', settings: { forecastWeeks: 3, targetUtilization: 0.5 } });
    // No capacity; demand = 0 + 9 / 3 = 3 per week → 9. fte_gap = −9 / (3 × 40 × 0.5) = −0.15.
    expect(r.rows).toHaveLength(3);
    expect(r.metrics).toEqual({ capacity_hours: 0, demand_hours: 9, gap_hours: -9, load_pct: null, fte_gap: -0.15, open_tickets_without_estimate: 0 });
    expect(r.warnings).toEqual([]);
  });

  it('takes W0 and the baseline weeks from the calendar of settings.timezone, across DST', () => {
    // T = 2026-11-02T03:00Z is Sunday 2026-11-01 22:00 EST in New York → W0 = Mon 2026-10-26 (00:00 EDT = 04:00Z),
    // a 169-hour week. Baseline = [Mon 2026-08-31 00:00 EDT (04:00Z), W0).
    insert(store.db, 'Resources', [resource(1)]);
    insert(store.db, 'Tickets', [ticket(1, { status: 'Complete' })]);
    insert(store.db, 'TimeEntries', [
      entry(1, 1, 1, '2026-08-31T03:59:00Z', '2026-08-30'), // Sunday 23:59 EDT: out
      entry(1, 1, 2, '2026-08-31T04:00:00Z', '2026-08-31'), // at W0 − 56 d: in
      entry(1, 1, 4, '2026-10-26T03:30:00Z', '2026-10-25'), // Sunday 23:30 EDT before W0: in
      entry(1, 1, 8, '2026-10-26T04:00:00Z', '2026-10-26'), // at W0: out
      entry(1, 1, 16, null, '2026-10-26'),                  // date-only on W0: out
      entry(1, 1, 32, null, '2026-08-31'),                  // date-only on the first baseline day: in
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-02T03:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.rows.map((x) => x.week_start)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16']);
    // Baseline = (2 + 4 + 32) / 8 = 4.75 per week; no backlog.
    expect(r.rows.map((x) => x.demand_hours)).toEqual([4.75, 4.75, 4.75, 4.75]);
    // Resource 1 without availability record: 40 h a week by default, including the DST week.
    expect(r.rows.map((x) => x.available_hours)).toEqual([40, 40, 40, 40]);
  });
});
