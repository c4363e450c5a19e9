import { defineReport } from '../../src/reporting/define.js';
import { ratio } from '../../src/reporting/stats.js';
import { addDays } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Reactive hours per endpoint (RHEM)',
  description:
    'Managed companies are those with a contract whose status is Active and whose type is one of ' +
    'settings.managedContractTypes, running on the last day of the window (start date ≤ that day ≤ end date; a ' +
    'missing date counts as open-ended). Endpoints are their configuration items that are active now (latest ' +
    'synced state) with a type in settings.endpointTypes. Reactive hours are the hours of time entries whose work ' +
    'instant is in the window on reactive-workflow tickets of those companies. RHEM = reactive hours ÷ endpoints, ' +
    'blank without endpoints; the total is Σ reactive hours ÷ Σ endpoints. Target below 0.25 per month. Rows are ' +
    'sorted worst first.',
  summary:
    'Managed clients needed {rhem} reactive hours per endpoint in the period (target {target:rhem} or less): {reactive_hours} of break/fix work across {managed_endpoints} endpoints at {managed_companies} companies.',
  window: 'previous-month',
  metrics: {
    rhem: { label: 'RHEM', unit: 'ratio', target: 0.25, better: 'lower' },
    reactive_hours: { label: 'Reactive hours', unit: 'hours', better: 'lower' },
    managed_endpoints: { label: 'Managed endpoints', unit: 'count', better: 'none' },
    managed_companies: { label: 'Managed companies', unit: 'count', better: 'none' },
  },
  columns: [
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'endpoints', label: 'Endpoints', unit: 'count' },
    { key: 'reactive_hours', label: 'Reactive hours', unit: 'hours' },
    { key: 'rhem', label: 'RHEM', unit: 'ratio' },
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    const lastDay = addDays(ctx.params.toDay as string, -1);
    const data = ctx.query<{ company_id: number; company_name: string | null; endpoints: number; reactive_hours: number }>(undefined, { lastDay });
    let endpoints = 0;
    let hours = 0;
    const rows: Row[] = data.map((r) => {
      endpoints += r.endpoints;
      hours += r.reactive_hours;
      return { company_id: r.company_id, company: r.company_name ?? `#${r.company_id}`, endpoints: r.endpoints, reactive_hours: r.reactive_hours, rhem: ratio(r.reactive_hours, r.endpoints) };
    });
    rows.sort((a, b) => ((b.rhem as number | null) ?? -1) - ((a.rhem as number | null) ?? -1) || String(a.company).localeCompare(String(b.company)));
    const warnings: string[] = [];
    const blind = data.filter((r) => r.endpoints === 0);
    if (blind.length) {
      warnings.push(`${blind.length} managed compan${blind.length === 1 ? 'y has' : 'ies have'} no active endpoint of the configured types; their RHEM is blank and their ${blind.reduce((s, r) => s + r.reactive_hours, 0)} reactive hours still count in the total.`);
    }
    const top = rows.filter((r) => r.rhem !== null).slice(0, 15);
    return {
      metrics: { rhem: ratio(hours, endpoints), reactive_hours: hours, managed_endpoints: endpoints, managed_companies: data.length },
      rows,
      warnings,
      charts: top.length ? [{
        id: 'rhem-by-company', kind: 'horizontal-bar', title: 'RHEM by company (highest 15)', unit: 'ratio',
        labels: top.map((r) => String(r.company)),
        datasets: [{ label: 'RHEM', data: top.map((r) => r.rhem as number | null) }],
      }] : [],
    };
  },
});
