import { defineReport } from '../../src/reporting/define.js';
import { companyName, personName } from '../../src/reporting/names.js';
import { DAY } from '../../src/reporting/time.js';

interface Found {
  opportunity_id: number; title: string | null; company_id: number | null; company_name: string | null;
  owner_id: number | null; owner_first: string | null; owner_last: string | null; closed: string; amount: number | null;
  recurring: number; onetime_cost: number; has_contract: number; has_sales_order: number; has_delivery: number;
}

type Handoff = 'yes' | 'no' | 'n/a';
/** A hand-off that happened is `yes` (needed or not); one that is needed and missing is `no`; otherwise `n/a`. */
const handoff = (needed: boolean, linked: number): Handoff => (linked ? 'yes' : needed ? 'no' : 'n/a');

export default defineReport({
  title: 'Won-deal hand-off',
  description:
    'Whether each deal won in the last 30 days (status Closed or Implemented, closedDate in [T − 30 d, T), a date ' +
    'meaning 00:00 in the report\'s time zone) was handed off. contract (accounting) is needed when the deal has ' +
    'recurring revenue (monthly + quarterly + semiannual + yearly revenue > 0) and done when a contract has the ' +
    'deal as its opportunity; sales_order (procurement) is needed when the one-time cost is above 0 (goods bought ' +
    'for resale) and done when a sales order has the deal; delivery (service delivery) is always needed and done ' +
    'when a project or a ticket has the deal. A linked row counts whatever its own status. Each is yes (linked, ' +
    'also when not needed), no (needed, not linked) or n/a (not needed, not linked). Empty revenue or cost fields ' +
    'count 0. A deal is handed off when none of its hand-offs is no. days_since_close = T − 00:00 of the close ' +
    'date, in days with fractions. Rows: deals with a no first, then the longest since close, ties by id.',
  summary:
    '{won} deals were won; {handoff_pct} of them reached every team that acts on them (target {target:handoff_pct}). {missing_contract} have no contract for accounting, {missing_sales_order} no sales order for procurement and {missing_delivery} no project or ticket for service delivery.',
  window: 'last-30-days',
  burst: { technician: 'owner_id', company: 'company_id' },
  metrics: {
    won: { label: 'Deals won', unit: 'count', better: 'none' },
    handed_off: { label: 'Handed off', unit: 'count', better: 'higher' },
    missing_contract: { label: 'Missing contract', unit: 'count', target: 0, better: 'lower' },
    missing_sales_order: { label: 'Missing sales order', unit: 'count', target: 0, better: 'lower' },
    missing_delivery: { label: 'Missing delivery', unit: 'count', target: 0, better: 'lower' },
    handoff_pct: { label: 'Handed off', unit: 'pct', target: 100, better: 'higher' },
  },
  columns: [
    { key: 'title', label: 'Deal', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'owner', label: 'Owner', unit: 'text' },
    { key: 'closed', label: 'Closed', unit: 'date' },
    { key: 'days_since_close', label: 'Days since close', unit: 'days' },
    { key: 'amount', label: 'Amount', unit: 'money' },
    { key: 'contract', label: 'Contract', unit: 'text' },
    { key: 'sales_order', label: 'Sales order', unit: 'text' },
    { key: 'delivery', label: 'Delivery', unit: 'text' },
  ],
  compute(ctx) {
    const rows = ctx.query<Found>().map((o) => ({
      opportunity_id: o.opportunity_id,
      title: o.title,
      company_id: o.company_id,
      company: companyName(o.company_id, o.company_name),
      owner_id: o.owner_id,
      owner: personName(o.owner_id, o.owner_first, o.owner_last),
      closed: o.closed.slice(0, 10),
      days_since_close: (ctx.asOf - ctx.dayStart(o.closed.slice(0, 10))) / DAY,
      amount: o.amount,
      contract: handoff(o.recurring > 0, o.has_contract),
      sales_order: handoff(o.onetime_cost > 0, o.has_sales_order),
      delivery: handoff(true, o.has_delivery),
    }));
    const missing = (r: (typeof rows)[number]) => r.contract === 'no' || r.sales_order === 'no' || r.delivery === 'no';
    rows.sort((a, b) => Number(missing(b)) - Number(missing(a)) || b.days_since_close - a.days_since_close || a.opportunity_id - b.opportunity_id);
    const won = rows.length;
    const handedOff = rows.filter((r) => !missing(r)).length;
    return {
      metrics: {
        won,
        handed_off: handedOff,
        missing_contract: rows.filter((r) => r.contract === 'no').length,
        missing_sales_order: rows.filter((r) => r.sales_order === 'no').length,
        missing_delivery: rows.filter((r) => r.delivery === 'no').length,
        handoff_pct: won === 0 ? null : (100 * handedOff) / won,
      },
      rows,
    };
  },
});
