import { defineReport } from '../../src/reporting/define.js';
import { mean, percentile } from '../../src/reporting/stats.js';
import { HOUR } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Mean time to resolve (reactive work)',
  description:
    'Tickets of reactive workflows (break/fix incidents) whose resolution time R — resolvedDateTime, else ' +
    'completedDate — lies in the window, whatever their current status. mttr_hours is the mean wall-clock time ' +
    'from createDate to R; mttr_business_hours the mean of the business hours between them (settings.businessHours, ' +
    'holidays excluded); p50/p90 are nearest-rank percentiles of the business hours. A resolution recorded before ' +
    'the create date (bad data) counts as 0 hours. Rows list every reactive workflow in the order of settings.workflows, 0 where none resolved.',
  summary:
    '{resolved} break/fix incidents were resolved in the period, in {mttr_business_hours} of business hours on average ({mttr_hours} around the clock); half within {p50_business_hours}, 90 % within {p90_business_hours}.',
  window: 'previous-month',
  metrics: {
    resolved: { label: 'Resolved', unit: 'count', better: 'none' },
    mttr_hours: { label: 'MTTR (wall clock)', unit: 'hours', better: 'lower' },
    mttr_business_hours: { label: 'MTTR (business hours)', unit: 'hours', better: 'lower', trend: true },
    p50_business_hours: { label: 'Median (business hours)', unit: 'hours', better: 'lower' },
    p90_business_hours: { label: '90th percentile (business hours)', unit: 'hours', better: 'lower' },
  },
  columns: [
    { key: 'workflow', label: 'Workflow', unit: 'text' },
    { key: 'resolved', label: 'Resolved', unit: 'count' },
    { key: 'mttr_business_hours', label: 'MTTR (business hours)', unit: 'hours' },
  ],
  compute(ctx) {
    const tickets = ctx.query<{ ticket_id: number; workflow: string; created_ms: number; resolved_ms: number }>();
    const wall: number[] = [];
    const business: number[] = [];
    const byWf = new Map<string, number[]>();
    for (const t of tickets) {
      const b = ctx.bh(t.created_ms, t.resolved_ms);
      wall.push(Math.max(0, t.resolved_ms - t.created_ms) / HOUR);
      business.push(b);
      let a = byWf.get(t.workflow);
      if (!a) { a = []; byWf.set(t.workflow, a); }
      a.push(b);
    }
    const rows: Row[] = ctx.workflows.filter((w) => w.reactive).map((w) => {
      const v = byWf.get(w.name) ?? [];
      return { workflow: w.name, resolved: v.length, mttr_business_hours: mean(v) };
    });
    return {
      metrics: {
        resolved: tickets.length,
        mttr_hours: mean(wall),
        mttr_business_hours: mean(business),
        p50_business_hours: percentile(business, 50),
        p90_business_hours: percentile(business, 90),
      },
      rows,
      charts: rows.length ? [{
        id: 'mttr-by-workflow', kind: 'bar', title: 'MTTR by workflow (business hours)', unit: 'hours',
        labels: rows.map((r) => String(r.workflow)),
        datasets: [{ label: 'MTTR (business hours)', data: rows.map((r) => r.mttr_business_hours as number | null) }],
      }] : [],
    };
  },
});
