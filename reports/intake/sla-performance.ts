import { defineReport } from '../../src/reporting/define.js';
import { pct } from '../../src/reporting/stats.js';
import type { Row } from '../../src/types.js';

interface Agg {
  workflow: string;
  fr_measured: number; fr_met: number; fr_breached: number;
  rp_measured: number; rp_met: number; rp_breached: number;
  rs_measured: number; rs_met: number; rs_breached: number;
}
const KEYS = ['fr_measured', 'fr_met', 'fr_breached', 'rp_measured', 'rp_met', 'rp_breached', 'rs_measured', 'rs_met', 'rs_breached'] as const;

export default defineReport({
  title: 'SLA performance',
  description:
    'Tickets with an SLA (serviceLevelAgreementID set). For first response, resolution plan and resolved: ' +
    'measured = tickets whose actual time lies in the window and whose due time is set; met = measured with ' +
    'actual ≤ due (on the due instant counts as met). Breached open = tickets not complete whose actual time ' +
    'is empty and whose due time is before T (the run instant), whenever they were created. ' +
    'tickets_without_sla = tickets created in the window with no SLA. Rows: every workflow, with its met ' +
    'percentages (empty where nothing was measured) and measured counts. Targets 97 / 95 / 90 %.',
  summary: (x) => {
    // "first responses: 93.4 % met (target 97.0 %)", or "resolution plans: 2 tickets: too few to rate".
    const part = (what: string, m: string) => {
      const v = x.value(m);
      return v.includes('too few') ? `${what}: ${v}` : `${what}: ${v} met (target ${x.target(m) ?? 'none'})`;
    };
    return `SLA in the period, ${part('first responses', 'first_response_met_pct')}; ${part('resolution plans', 'resolution_plan_met_pct')}; `
      + `${part('resolutions', 'resolved_met_pct')}. ${x.value('resolved_breached_open')} open tickets are already past their resolution due time.`;
  },
  window: 'previous-week',
  metrics: {
    first_response_met_pct: { label: 'First response met', unit: 'pct', target: 97, better: 'higher', sample: { metric: 'first_response_measured', noun: 'tickets' } },
    first_response_measured: { label: 'First responses measured', unit: 'count', better: 'none', headline: false },
    first_response_breached_open: { label: 'First response breached, open', unit: 'count', better: 'lower' },
    resolution_plan_met_pct: { label: 'Resolution plan met', unit: 'pct', target: 95, better: 'higher', sample: { metric: 'resolution_plan_measured', noun: 'tickets' } },
    resolution_plan_measured: { label: 'Resolution plans measured', unit: 'count', better: 'none', headline: false },
    resolution_plan_breached_open: { label: 'Resolution plan breached, open', unit: 'count', better: 'lower' },
    resolved_met_pct: { label: 'Resolved met', unit: 'pct', target: 90, better: 'higher', sample: { metric: 'resolved_measured', noun: 'tickets' } },
    resolved_measured: { label: 'Resolutions measured', unit: 'count', better: 'none', headline: false },
    resolved_breached_open: { label: 'Resolution breached, open', unit: 'count', better: 'lower' },
    tickets_without_sla: { label: 'New tickets without SLA', unit: 'count', better: 'lower' },
  },
  columns: [
    { key: 'workflow', label: 'Workflow', unit: 'text' },
    { key: 'first_response_met_pct', label: 'First response met', unit: 'pct' },
    { key: 'first_response_measured', label: 'Measured', unit: 'count' },
    { key: 'resolution_plan_met_pct', label: 'Resolution plan met', unit: 'pct' },
    { key: 'resolution_plan_measured', label: 'Measured', unit: 'count' },
    { key: 'resolved_met_pct', label: 'Resolved met', unit: 'pct' },
    { key: 'resolved_measured', label: 'Measured', unit: 'count' },
  ],
  compute(ctx) {
    const by = new Map(ctx.query<Agg>().map((r) => [r.workflow, r]));
    const tot = Object.fromEntries(KEYS.map((k) => [k, 0])) as Record<(typeof KEYS)[number], number>;
    for (const a of by.values()) for (const k of KEYS) tot[k] += a[k] ?? 0;
    const rows: Row[] = ctx.workflows.map((w) => {
      const a = by.get(w.name);
      const v = (k: (typeof KEYS)[number]) => a?.[k] ?? 0;
      return {
        workflow: w.name,
        first_response_met_pct: pct(v('fr_met'), v('fr_measured')),
        first_response_measured: v('fr_measured'),
        resolution_plan_met_pct: pct(v('rp_met'), v('rp_measured')),
        resolution_plan_measured: v('rp_measured'),
        resolved_met_pct: pct(v('rs_met'), v('rs_measured')),
        resolved_measured: v('rs_measured'),
      };
    });
    // Not a trend metric: a past period of the trend (which keeps only those) does not count it.
    const withoutSla = ctx.trendPeriod ? null : (ctx.query<{ n: number }>('without-sla') as [{ n: number }])[0].n;
    const warnings: string[] = [];
    if (withoutSla !== null && withoutSla > 0) warnings.push(`${withoutSla} tickets created in the window have no SLA and are not measured here.`);
    const measuredRows = rows.filter((r) => (r.first_response_measured as number) + (r.resolution_plan_measured as number) + (r.resolved_measured as number) > 0);
    return {
      metrics: {
        first_response_met_pct: pct(tot.fr_met, tot.fr_measured),
        first_response_measured: tot.fr_measured,
        first_response_breached_open: tot.fr_breached,
        resolution_plan_met_pct: pct(tot.rp_met, tot.rp_measured),
        resolution_plan_measured: tot.rp_measured,
        resolution_plan_breached_open: tot.rp_breached,
        resolved_met_pct: pct(tot.rs_met, tot.rs_measured),
        resolved_measured: tot.rs_measured,
        resolved_breached_open: tot.rs_breached,
        tickets_without_sla: withoutSla,
      },
      rows,
      warnings,
      charts: measuredRows.length ? [{
        id: 'sla-met-by-workflow', kind: 'bar', title: 'SLA met by workflow',
        labels: measuredRows.map((r) => r.workflow as string),
        datasets: [
          { label: 'First response', data: measuredRows.map((r) => r.first_response_met_pct as number | null) },
          { label: 'Resolution plan', data: measuredRows.map((r) => r.resolution_plan_met_pct as number | null) },
          { label: 'Resolved', data: measuredRows.map((r) => r.resolved_met_pct as number | null) },
        ],
        unit: 'pct',
      }] : [],
    };
  },
});
