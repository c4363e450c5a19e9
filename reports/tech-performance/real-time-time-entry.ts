import { defineReport } from '../../src/reporting/define.js';
import { pct, percentile, targetOf } from '../../src/reporting/stats.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Real-time time entry',
  description:
    'Time entries created in the window. Lag = createDateTime − endDateTime in minutes; an entry is on time when ' +
    'its lag is at most settings.rtteMinutes (a negative lag — entered before the work ended — is on time). Only ' +
    'entries with an end time are measured; entries without one (entered as a duration only) are counted apart. ' +
    'rtte = on time ÷ measured; median lag is the nearest-rank P50. Rows are per resource of the entry (resourceID), by name. ' +
    'Benchmark about 90 %.',
  summary:
    '{rtte_pct} of time entries were entered within {setting:rtteMinutes} minutes of the work ending (target {target:rtte_pct}); the median delay was {median_lag_minutes}.',
  window: 'previous-week',
  metrics: {
    rtte_pct: { label: 'Real-time entry', unit: 'pct', target: 90, better: 'higher', sample: { metric: 'measured', noun: 'entries' } },
    measured: { label: 'Measured entries', unit: 'count', better: 'none' },
    without_end_time: { label: 'Entries without end time', unit: 'count', better: 'lower' },
    median_lag_minutes: { label: 'Median lag', unit: 'minutes', better: 'lower' },
  },
  columns: [
    { key: 'resource', label: 'Resource', unit: 'text' },
    { key: 'measured', label: 'Measured', unit: 'count' },
    { key: 'on_time', label: 'On time', unit: 'count' },
    { key: 'rtte_pct', label: 'Real-time entry', unit: 'pct' },
    { key: 'median_lag_minutes', label: 'Median lag', unit: 'minutes' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const limit = ctx.settings.rtteMinutes;
    const all: number[] = [];
    let without = 0;
    const by = new Map<number | null, number[]>();
    for (const e of ctx.query<{ resource_id: number | null; lag_minutes: number | null }>()) {
      let lags = by.get(e.resource_id);
      if (!lags) { lags = []; by.set(e.resource_id, lags); }
      if (e.lag_minutes === null) { without++; continue; }
      lags.push(e.lag_minutes);
      all.push(e.lag_minutes);
    }
    const cap = ctx.capacity();
    const rows: Row[] = [...by.entries()].map(([id, lags]) => {
      const onTime = lags.filter((l) => l <= limit).length;
      return { resource_id: id, resource: cap.resourceName(id), measured: lags.length, on_time: onTime, rtte_pct: pct(onTime, lags.length), median_lag_minutes: percentile(lags, 50) };
    });
    rows.sort((a, b) => String(a.resource).localeCompare(String(b.resource)) || Number(a.resource_id ?? -1) - Number(b.resource_id ?? -1));
    const onTime = all.filter((l) => l <= limit).length;
    const warnings: string[] = [];
    if (without > 0) {
      warnings.push(`${without} of ${without + all.length} time entries created in the window have no end time and are not measured.`);
    }
    return {
      metrics: { rtte_pct: pct(onTime, all.length), measured: all.length, without_end_time: without, median_lag_minutes: percentile(all, 50) },
      rows,
      warnings,
      charts: rows.length ? [{
        id: 'rtte-by-resource', kind: 'horizontal-bar', title: 'Real-time entry by resource', unit: 'pct',
        ...targetOf(ctx.target('rtte_pct', 90)),
        labels: rows.map((r) => String(r.resource)),
        datasets: [{ label: 'Real-time entry', data: rows.map((r) => r.rtte_pct as number | null) }],
      }] : [],
    };
  },
});
