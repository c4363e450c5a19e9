import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { computeReports, effectiveWindowKind } from '../../src/reporting/engine.js';
import reopen from '../../reports/tech-performance/reopen-rate.js';
import rtte from '../../reports/tech-performance/real-time-time-entry.js';
import appointments from '../../reports/sales/appointments.js';
import backlog from '../../reports/intake/backlog.js';
import { makeStore, seedPicklists } from '../helpers/store.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = Date.parse('2026-11-26T12:00:00Z'); // a Thursday
const reports = [
  { id: 'tech-performance/reopen-rate', group: 'tech-performance', def: reopen },
  { id: 'tech-performance/real-time-time-entry', group: 'tech-performance', def: rtte },
  { id: 'sales/appointments', group: 'sales', def: appointments },
  { id: 'intake/backlog', group: 'intake', def: backlog },
];

function windows(windowKind?: 'previous-week' | 'previous-month' | 'last-7-days') {
  const out = computeReports(store.db, reports, { settings: SettingsSchema.parse({}), asOf: T, trend: true, ...(windowKind ? { windowKind } : {}) });
  return Object.fromEntries(out.map((r) => {
    if (!r.ok) throw r.error;
    return [r.name, { window: r.value.window, labels: r.value.series[0]?.labels ?? [] }];
  }));
}

describe('a window kind for every report with a past window (schedules "window", run --window)', () => {
  it('gives past-window reports that period, with trends stepping by it; point-in-time and upcoming reports keep theirs', () => {
    const own = windows();
    expect(own['tech-performance/reopen-rate']!.window).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    const week = windows('previous-week');
    const lastWeek = { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' };
    expect(week['tech-performance/reopen-rate']!.window).toEqual(lastWeek);
    expect(week['tech-performance/reopen-rate']!.labels.at(-1)).toBe('2026-W47');
    expect(week['tech-performance/reopen-rate']!.labels).toHaveLength(9);
    expect(week['tech-performance/real-time-time-entry']!.window).toEqual(lastWeek);
    expect(week['sales/appointments']!.window).toEqual(own['sales/appointments']!.window);
    expect(week['intake/backlog']!.window).toBeNull();
    const month = windows('previous-month');
    expect(month['tech-performance/real-time-time-entry']!.window).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    expect(month['tech-performance/real-time-time-entry']!.labels.at(-1)).toBe('2026-10');
    const days = windows('last-7-days');
    expect(days['tech-performance/reopen-rate']!.window).toEqual({ from: '2026-11-19T12:00:00.000Z', to: '2026-11-26T12:00:00.000Z' });
  });

  it('only past windows are overridden', () => {
    expect(effectiveWindowKind('previous-month', 'previous-week')).toBe('previous-week');
    expect(effectiveWindowKind('point-in-time', 'previous-week')).toBe('point-in-time');
    expect(effectiveWindowKind('next-7-days', 'previous-month')).toBe('next-7-days');
    expect(effectiveWindowKind('previous-week', undefined)).toBe('previous-week');
  });
});
