import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/tech-performance/real-time-time-entry.js';
import { insert, makeStore, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'tech-performance/real-time-time-entry';
let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Resources', [
    { id: 1, firstName: 'Alice', lastName: 'A', isActive: true },
    { id: 2, firstName: 'Bob', lastName: 'B', isActive: true },
    { id: 3, firstName: 'Carol', lastName: 'C', isActive: true },
  ]);
});
afterEach(() => store.cleanup());

const T = '2026-11-26T12:00:00Z'; // previous-week [2026-11-16, 2026-11-23) in UTC
let teId = 1;
const entry = (resourceID: number, created: string, end: string | null) => ({
  id: teId++, resourceID, ticketID: 1, hoursWorked: 1, dateWorked: created.slice(0, 10), createDateTime: created, endDateTime: end,
  startDateTime: end ? new Date(Date.parse(end) - 3_600_000).toISOString() : null,
});

function seed(): void {
  insert(store.db, 'TimeEntries', [
    entry(1, '2026-11-17T10:10:00Z', '2026-11-17T10:00:00Z'), // lag 10: on time
    entry(1, '2026-11-17T10:15:00Z', '2026-11-17T10:00:00Z'), // lag 15: on time (≤ 15)
    entry(1, '2026-11-17T10:16:00Z', '2026-11-17T10:00:00Z'), // lag 16: late
    entry(1, '2026-11-17T09:30:00Z', '2026-11-17T10:00:00Z'), // lag −30: entered ahead, on time
    entry(1, '2026-11-16T00:00:00Z', '2026-11-15T20:00:00Z'), // created at from: in; lag 240
    entry(1, '2026-11-23T00:00:00Z', '2026-11-22T23:59:00Z'), // created at to: out
    entry(1, '2026-11-18T10:00:00Z', null),                   // no end time
    entry(2, '2026-11-18T10:00:00Z', '2026-11-17T10:00:00Z'), // lag 1440
    entry(2, '2026-11-18T11:00:00Z', null),
    entry(3, '2026-11-18T12:00:00Z', null),                   // Carol: nothing measured
  ]);
}

describe('tech-performance/real-time-time-entry', () => {
  it('lag, on-time share, nearest-rank median, per resource', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // All measured lags: −30, 10, 15, 16, 240, 1440 → 3 on time of 6; P50 = rank ceil(3) = 3 → 15.
    expect(r.metrics).toEqual({ rtte_pct: 50, measured: 6, without_end_time: 3, median_lag_minutes: 15 });
    expect(r.rows).toEqual([
      // Alice −30, 10, 15, 16, 240: 3 of 5 on time; P50 = rank ceil(2.5) = 3 → 15.
      { resource_id: 1, resource: 'Alice A', measured: 5, on_time: 3, rtte_pct: 60, median_lag_minutes: 15 },
      { resource_id: 2, resource: 'Bob B', measured: 1, on_time: 0, rtte_pct: 0, median_lag_minutes: 1440 },
      { resource_id: 3, resource: 'Carol C', measured: 0, on_time: 0, rtte_pct: null, median_lag_minutes: null },
    ]);
    expect(r.warnings).toEqual(['3 of 9 time entries created in the window have no end time and are not measured.']);
    expect(r.headlines.find((h) => h.metric === 'rtte_pct')).toMatchObject({ target: 90, light: 'red' });
  });

  it('settings.rtteMinutes moves the on-time limit', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { rtteMinutes: 240 } });
    // On time: −30, 10, 15, 16, 240 → 5 of 6.
    expect(r.metrics.rtte_pct).toBe((100 * 5) / 6);
    expect(r.rows[0]).toMatchObject({ on_time: 5, rtte_pct: 100 });
  });

  it('the window follows New York midnights', () => {
    insert(store.db, 'TimeEntries', [
      entry(1, '2026-11-16T04:59:00Z', '2026-11-16T04:50:00Z'), // Sun Nov 15 23:59 EST: out
      entry(1, '2026-11-16T05:00:00Z', '2026-11-16T04:00:00Z'), // Mon 00:00 EST: in, lag 60
      entry(1, '2026-11-23T04:59:00Z', '2026-11-23T04:59:00Z'), // Sun Nov 22 23:59 EST: in, lag 0
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    // Lags 0 and 60: one on time of two; P50 = rank 1 → 0.
    expect(r.metrics).toEqual({ rtte_pct: 50, measured: 2, without_end_time: 0, median_lag_minutes: 0 });
    expect(r.warnings).toEqual([]);
  });

  it('no entries: nulls', () => {
    const r = runReport(store.db, ID, def, { asOf: T });
    expect(r.metrics).toEqual({ rtte_pct: null, measured: 0, without_end_time: 0, median_lag_minutes: null });
    expect(r.rows).toEqual([]);
  });
});
