import { defineReport } from '../../src/reporting/define.js';
import { personName } from '../../src/reporting/names.js';
import type { Settings } from '../../src/config.js';

interface Won { opportunity_id: number; owner_id: number | null; owner_first: string | null; owner_last: string | null; amount: number | null; cost: number | null }

/** The commission rate of a salesperson: settings.commission.rates["<id>"], else the default rate. */
export function commissionRate(c: Settings['commission'], owner: number | null): number {
  return owner !== null && Object.hasOwn(c.rates, String(owner)) ? c.rates[String(owner)]! : c.defaultRate;
}

export default defineReport({
  title: 'Commissions',
  description:
    'Won deals per salesperson, their gross profit and commission. Won = status Closed or Implemented with a ' +
    'closedDate in the period (a date means 00:00 in the report\'s time zone). Per deal: basis = amount − cost ' +
    '(settings.commission.basis "gross_profit", the default) or amount ("revenue"); commission = max(basis, 0) × rate, ' +
    'rate = settings.commission.rates["<owner resource id>"], else settings.commission.defaultRate (0.10). A ' +
    'loss-making deal earns nothing and takes nothing back, but its loss counts in gross_profit. An empty amount or ' +
    'cost counts 0. Deals without an owner form one row ("Unassigned", default rate). margin_pct = 100 × ' +
    'gross_profit ÷ revenue (empty when revenue is 0). Rows: per owner with a won deal, largest commission first, ' +
    'ties by resource id.',
  summary:
    '{won} deals were won in the period, for {revenue} of revenue and {gross_profit} of gross profit ({margin_pct} margin). The commission due on them is {commission}; the table shows it per salesperson, each at their own rate.',
  window: 'previous-month',
  burst: { technician: 'resource_id' },
  metrics: {
    won: { label: 'Deals won', unit: 'count', better: 'higher' },
    revenue: { label: 'Revenue', unit: 'money', better: 'higher', trend: true },
    gross_profit: { label: 'Gross profit', unit: 'money', better: 'higher', trend: true },
    commission: { label: 'Commission', unit: 'money', better: 'none' },
    margin_pct: { label: 'Margin', unit: 'pct', better: 'higher' },
  },
  columns: [
    { key: 'owner', label: 'Salesperson', unit: 'text' },
    { key: 'won', label: 'Won', unit: 'count' },
    { key: 'revenue', label: 'Revenue', unit: 'money' },
    { key: 'gross_profit', label: 'Gross profit', unit: 'money' },
    { key: 'rate', label: 'Rate', unit: 'ratio' },
    { key: 'commission', label: 'Commission', unit: 'money' },
  ],
  compute(ctx) {
    const c = ctx.settings.commission;
    const by = new Map<number | null, { resource_id: number | null; owner: string; won: number; revenue: number; gross_profit: number; rate: number; commission: number }>();
    let won = 0, revenue = 0, gp = 0, commission = 0;
    for (const o of ctx.query<Won>()) {
      const amount = o.amount ?? 0;
      const profit = amount - (o.cost ?? 0);
      const rate = commissionRate(c, o.owner_id);
      const earned = Math.max(c.basis === 'revenue' ? amount : profit, 0) * rate;
      let row = by.get(o.owner_id);
      if (!row) {
        row = { resource_id: o.owner_id, owner: personName(o.owner_id, o.owner_first, o.owner_last), won: 0, revenue: 0, gross_profit: 0, rate, commission: 0 };
        by.set(o.owner_id, row);
      }
      row.won++; row.revenue += amount; row.gross_profit += profit; row.commission += earned;
      won++; revenue += amount; gp += profit; commission += earned;
    }
    const rows = [...by.values()].sort((a, b) => b.commission - a.commission || (a.resource_id ?? Infinity) - (b.resource_id ?? Infinity));
    return {
      metrics: { won, revenue, gross_profit: gp, commission, margin_pct: revenue === 0 ? null : (100 * gp) / revenue },
      rows,
      charts: rows.length === 0 ? [] : [{
        id: 'commission-by-owner', kind: 'horizontal-bar', title: 'Commission by salesperson', unit: 'money',
        labels: rows.map((r) => r.owner), datasets: [{ label: 'Commission', data: rows.map((r) => r.commission) }],
      }],
    };
  },
});
