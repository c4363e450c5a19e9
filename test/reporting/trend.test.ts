import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineReport } from '../../src/reporting/define.js';
import def from '../../reports/intake/on-hold-past-due.js';
import { makeStore, seedPicklists } from '../helpers/store.js';
import { runReport } from '../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

describe('trends of point-in-time reports', () => {
  it('come from recorded snapshots, one per earlier ISO week; a single point draws no trend chart', () => {
    const T = '2026-11-26T12:00:00Z';
    const alone = runReport(store.db, 'intake/on-hold-past-due', def, { asOf: T, trend: true });
    expect(alone.series[0]!.values).toEqual([0]);
    expect(alone.charts.filter((c) => c.id.startsWith('trend-'))).toEqual([]);
    const ins = store.db.prepare('INSERT INTO report_snapshots (report, as_of, metrics, created_at) VALUES (?, ?, ?, 0)');
    ins.run('intake/on-hold-past-due', Date.parse('2026-11-16T08:00:00Z'), JSON.stringify({ tickets: 4 }));
    ins.run('intake/on-hold-past-due', Date.parse('2026-11-18T08:00:00Z'), JSON.stringify({ tickets: 3 })); // same week: the later one counts
    ins.run('intake/on-hold-past-due', Date.parse('2026-11-09T08:00:00Z'), JSON.stringify({ tickets: 6 }));
    const r = runReport(store.db, 'intake/on-hold-past-due', def, { asOf: T, trend: true });
    expect(r.series[0]).toEqual({ metric: 'tickets', labels: ['2026-W46', '2026-W47', '2026-W48'], values: [6, 3, 0] });
    expect(r.headlines[0]!.previous).toBe(3);
    expect(r.charts.map((c) => c.id)).toContain('trend-tickets');
  });
});

describe('past periods of a trend', () => {
  it('are computed with ctx.trendPeriod set (their warnings are dropped), the shown period without it', () => {
    const seen: boolean[] = [];
    const probe = defineReport({
      title: 'Probe', description: 'Records whether each computation is a past period.', window: 'previous-month',
      metrics: { n: { label: 'N', unit: 'count', target: 1, better: 'higher' } },
      columns: [],
      compute(ctx) {
        seen.push(ctx.trendPeriod);
        return { metrics: { n: seen.length }, rows: [], warnings: ctx.trendPeriod ? ['a past period\'s warning'] : ['shown'] };
      },
    });
    const r = runReport(store.db, 'g/probe', probe, { asOf: '2026-11-26T12:00:00Z', trend: true });
    expect(seen).toEqual([false, true, true, true, true, true, true]);
    expect(r.warnings).toEqual(['shown']);
    expect(r.series[0]!.values).toEqual([2, 3, 4, 5, 6, 7, 1]); // oldest past period first, the shown one (computed first) last
  });
});
