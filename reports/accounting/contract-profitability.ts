import { defineReport } from '../../src/reporting/define.js';
import { unpostedNote } from '../profitability/unposted.lib.js';
import { pct } from '../../src/reporting/stats.js';
import type { Row } from '../../src/types.js';

interface Found {
  contract_id: number;
  contract: string | null;
  company_id: number | null;
  company_name: string | null;
  revenue: number;
  item_cost: number;
  labor_cost: number;
  hours_without_cost: number;
}

export default defineReport({
  title: 'Contract profitability',
  description:
    'Revenue and cost of each contract over the window. revenue = the sum of the extended price of the ' +
    'contract\'s billing items dated in the window. cost = the sum of "our cost" of those items except Labor and ' +
    'Labor Adjustment items (their cost is the labour below, not counted twice) + hours worked × the resource\'s ' +
    'internal cost for time entries on the contract worked in the window. margin_pct = 100 × (revenue − cost) ÷ ' +
    'revenue; it is empty when revenue is 0. Rows: contracts with billing items or time in the window, least ' +
    'profitable first: contracts with cost but no revenue (empty margin) at the top by cost, then by margin ' +
    'ascending. The metrics sum revenue and cost over all contracts; hours by resources without an internal cost ' +
    'count no cost and are named in a warning.',
  summary:
    'Contracts brought in {revenue} of revenue against {cost} of cost in the period: a margin of {margin_pct}. The table lists the least profitable contracts first.',
  window: 'previous-month',
  metrics: {
    revenue: { label: 'Contract revenue', unit: 'money', better: 'higher' },
    cost: { label: 'Contract cost', unit: 'money', better: 'lower' },
    margin_pct: { label: 'Contract margin', unit: 'pct', better: 'higher', trend: true },
  },
  columns: [
    { key: 'contract', label: 'Contract', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'revenue', label: 'Revenue', unit: 'money' },
    { key: 'cost', label: 'Cost', unit: 'money' },
    { key: 'margin_pct', label: 'Margin', unit: 'pct', blankUnless: { key: 'revenue', note: 'no revenue billed on the contract in the period, so no margin' } },
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    // A past period of the trend keeps only the metrics: every contract's sums in one row (trend.sql).
    const found = ctx.trendPeriod ? ctx.query<Found>('trend') : ctx.query<Found>();
    let revenue = 0, cost = 0, hoursWithoutCost = 0;
    const rows = found.map((c) => {
      const cst = c.item_cost + c.labor_cost;
      revenue += c.revenue; cost += cst; hoursWithoutCost += c.hours_without_cost;
      return {
        contract_id: c.contract_id,
        contract: c.contract ?? `#${c.contract_id}`,
        company_id: c.company_id,
        company: c.company_name ?? (c.company_id === null ? null : `#${c.company_id}`),
        revenue: c.revenue,
        cost: cst,
        margin_pct: c.revenue === 0 ? null : pct(c.revenue - cst, c.revenue),
      };
    });
    rows.sort((a, b) => {
      if (a.margin_pct === null || b.margin_pct === null) {
        if (a.margin_pct !== b.margin_pct) return a.margin_pct === null ? -1 : 1;
        return b.cost - a.cost || a.contract_id - b.contract_id;
      }
      return a.margin_pct - b.margin_pct || a.contract_id - b.contract_id;
    });
    const warnings: string[] = [];
    if (hoursWithoutCost > 0) {
      warnings.push(`${+hoursWithoutCost.toFixed(2)} hours on contracts were worked by resources without an internal cost; they add no cost, so margins are overstated.`);
    }
    const unposted = unpostedNote(ctx);
    if (unposted) warnings.push(unposted);
    const worst = rows.slice(0, 10);
    return {
      metrics: { revenue, cost, margin_pct: pct(revenue - cost, revenue) },
      rows: rows as Row[],
      warnings,
      charts: worst.length === 0 ? [] : [{
        id: 'least-profitable', kind: 'horizontal-bar', title: 'Revenue and cost of the least profitable contracts', unit: 'money',
        // Contracts are named by company: most share a type name ("Managed Services Agreement"); the table has both.
        labels: worst.map((r) => { const n = r.company ?? r.contract; return n.length > 40 ? `${n.slice(0, 39)}…` : n; }),
        datasets: [{ label: 'Revenue', data: worst.map((r) => r.revenue) }, { label: 'Cost', data: worst.map((r) => r.cost) }],
      }],
    };
  },
});
