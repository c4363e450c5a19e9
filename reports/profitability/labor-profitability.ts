import { defineReport } from '../../src/reporting/define.js';
import { unpostedNote } from './unposted.lib.js';
import { pct, ratio } from '../../src/reporting/stats.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Labour profitability',
  description:
    'Service revenue = Σ extendedPrice of billing items dated in the window whose type is one of ' +
    'settings.serviceRevenueItemTypes. Labour cost = Σ hours worked × the resource\'s internal cost over every time ' +
    'entry whose work instant is in the window (internal and non-billable work included: it is all delivery ' +
    'labour). A resource with no internal cost (the field empty) adds no cost; their hours are reported as ' +
    'hours_without_cost. An internal cost of 0 is a cost of 0, not a missing one: those resources are named ' +
    'in a warning and their hours are not in hours_without_cost. ' +
    'ratio = revenue ÷ cost (target ≥ 2.5); margin = (revenue − cost) ÷ revenue. Rows are per ' +
    'client company (not 0, the MSP itself) with service revenue or time entries in the window: revenue by the billing item\'s company; cost by the company of the ' +
    'entry\'s ticket, else of its task\'s project. Cost of internal work and of entries on neither a ticket nor a ' +
    'task is in the totals but in no row, as is revenue on billing items of company 0 or of none. Rows: largest ' +
    'revenue first.',
  summary:
    'Service revenue was {service_revenue} against {labor_cost} of labour cost: {labor_profitability_ratio} earned per unit of labour cost (target {target:labor_profitability_ratio} or more), a labour margin of {labor_margin_pct}.',
  window: 'previous-month',
  metrics: {
    service_revenue: { label: 'Service revenue', unit: 'money', better: 'higher' },
    labor_cost: { label: 'Labour cost', unit: 'money', better: 'none' },
    labor_profitability_ratio: { label: 'Labour profitability ratio', unit: 'ratio', target: 2.5, better: 'higher' },
    labor_margin_pct: { label: 'Labour margin', unit: 'pct', better: 'higher' },
    hours_without_cost: { label: 'Hours without cost', unit: 'hours', better: 'lower' },
  },
  columns: [
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'service_revenue', label: 'Service revenue', unit: 'money' },
    { key: 'labor_cost', label: 'Labour cost', unit: 'money' },
    { key: 'ratio', label: 'Ratio', unit: 'ratio', blankUnless: { key: 'service_revenue', note: 'no service revenue from the company in the period, so no ratio' } },
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    // A past period of a trend keeps only its metrics: the revenue in one sum, and hours by resource (the
    // cost sums per resource instead of per company and resource, so either may differ from the shown
    // period's in the last binary digits); no company, ticket, task or project is read.
    const revenueRows = ctx.query<{ company_id: number | null; revenue: number }>(ctx.trendPeriod ? 'revenue-total' : 'revenue');
    const hourRows = ctx.trendPeriod
      ? ctx.query<{ resource_id: number | null; hours: number }>('trend').map((r) => ({ company_id: null, ...r }))
      : ctx.query<{ company_id: number | null; resource_id: number | null; hours: number }>();
    const isClient = (id: number | null): id is number => id !== null && id !== 0;
    const companyIds = [...new Set([...revenueRows, ...hourRows].map((r) => r.company_id).filter(isClient))];
    const resourceIds = [...new Set(hourRows.map((r) => r.resource_id).filter((id) => id !== null))];
    const names = new Map<number, string | null>();
    const costs = new Map<number, number | null>();
    for (const n of ctx.query<{ kind: string; id: number; name: string | null; internal_cost: number | null }>('names', { ids: JSON.stringify(companyIds), resources: JSON.stringify(resourceIds) })) {
      if (n.kind === 'company') names.set(n.id, n.name);
      else costs.set(n.id, n.internal_cost);
    }
    const byCompany = new Map<number, { revenue: number; cost: number }>();
    const company = (id: number) => {
      let c = byCompany.get(id);
      if (!c) { c = { revenue: 0, cost: 0 }; byCompany.set(id, c); }
      return c;
    };
    let revenue = 0;
    for (const r of revenueRows) {
      revenue += r.revenue;
      if (isClient(r.company_id)) company(r.company_id).revenue += r.revenue;
    }
    let cost = 0;
    let hoursWithoutCost = 0;
    const noCost = new Map<number | null, number>();
    const zeroCost = new Map<number | null, number>();
    for (const r of hourRows) {
      const ic = r.resource_id === null ? null : costs.get(r.resource_id) ?? null;
      // "No internalCost" is an empty field; 0 is a cost of 0 (kpi-spec writes "empty or 0" when it means both).
      const c = ic === null ? 0 : r.hours * ic;
      if (ic === null) {
        hoursWithoutCost += r.hours;
        noCost.set(r.resource_id, (noCost.get(r.resource_id) ?? 0) + r.hours);
      } else if (ic === 0) {
        zeroCost.set(r.resource_id, (zeroCost.get(r.resource_id) ?? 0) + r.hours);
      }
      cost += c;
      if (isClient(r.company_id)) company(r.company_id).cost += c;
    }
    const rows: Row[] = [...byCompany.entries()].map(([id, c]) => ({
      company_id: id, company: names.get(id) ?? `#${id}`, service_revenue: c.revenue, labor_cost: c.cost, ratio: ratio(c.revenue, c.cost),
    }));
    rows.sort((a, b) => (b.service_revenue as number) - (a.service_revenue as number) || (b.labor_cost as number) - (a.labor_cost as number) || String(a.company).localeCompare(String(b.company)));
    const warnings: string[] = [];
    // Warnings are dropped for a past period of a trend: its resources' names are not looked up.
    const missing = ctx.trendPeriod ? [] : [...noCost.entries()].filter(([, h]) => h > 0);
    if (missing.length) {
      const cap = ctx.capacity();
      const names = missing.map(([id, h]) => `${cap.resourceName(id)} (${Math.round(h * 100) / 100} h)`).sort();
      warnings.push(`Labour cost is understated: ${missing.length} resource(s) with time in the window have no internal cost: ${names.join(', ')}.`);
    }
    const zero = ctx.trendPeriod ? [] : [...zeroCost.entries()].filter(([, h]) => h > 0);
    if (zero.length) {
      const cap = ctx.capacity();
      const names = zero.map(([id, h]) => `${cap.resourceName(id)} (${Math.round(h * 100) / 100} h)`).sort();
      warnings.push(`${zero.length} resource(s) with time in the window have an internal cost of 0, so their hours cost nothing here: ${names.join(', ')}. Set their cost in Autotask if that is not right.`);
    }
    const top = rows.slice(0, 15);
    const unposted = unpostedNote(ctx);
    if (unposted) warnings.push(unposted);
    return {
      metrics: {
        service_revenue: revenue,
        labor_cost: cost,
        labor_profitability_ratio: ratio(revenue, cost),
        labor_margin_pct: pct(revenue - cost, revenue),
        hours_without_cost: hoursWithoutCost,
      },
      rows,
      warnings,
      charts: top.length ? [{
        id: 'revenue-cost-by-company', kind: 'bar', title: 'Service revenue and labour cost (top 15 companies by revenue)', unit: 'money',
        labels: top.map((r) => String(r.company)),
        datasets: [
          { label: 'Service revenue', data: top.map((r) => r.service_revenue as number) },
          { label: 'Labour cost', data: top.map((r) => r.labor_cost as number) },
        ],
      }] : [],
    };
  },
});
