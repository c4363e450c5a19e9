import { defineReport } from '../../src/reporting/define.js';
import { companyName } from '../../src/reporting/names.js';
import { DAY } from '../../src/reporting/time.js';

interface Found { company_id: number | null; company_name: string | null; items: number; amount: number; oldest_ms: number }

export default defineReport({
  title: 'Unbilled expenses',
  description:
    'Billable expenses that were approved but never reached an invoice: expense items billable to the company, ' +
    'with an expense date before T, on an expense report whose status label is Approved for Payment, Paid or ' +
    'Transferred to QuickBooks, and with no billing item made from them (BillingItems.expenseItemID). amount = ' +
    'internalCurrencyExpenseAmount (empty counts 0); oldest_days = T − the oldest expense date, in days with ' +
    'fractions. An item of a report no longer synced is left out. companies counts distinct company ids (the MSP ' +
    'itself, id 0, included; items without a company are not a company). Rows: per company, largest amount first, ' +
    'ties by company id.',
  summary:
    '{items} billable, approved expense items worth {amount}, for {companies} companies, are on no invoice yet (target {target:items}): post them or they are never billed.',
  window: 'point-in-time',
  burst: { company: 'company_id' },
  metrics: {
    items: { label: 'Unbilled items', unit: 'count', target: 0, better: 'lower' },
    amount: { label: 'Unbilled amount', unit: 'money', better: 'lower', trend: true },
    companies: { label: 'Companies', unit: 'count', better: 'lower' },
  },
  columns: [
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'items', label: 'Items', unit: 'count' },
    { key: 'amount', label: 'Amount', unit: 'money' },
    { key: 'oldest_days', label: 'Oldest (days)', unit: 'days' },
  ],
  compute(ctx) {
    const found = ctx.query<Found>();
    const rows = found
      .map((f) => ({ company_id: f.company_id, company: companyName(f.company_id, f.company_name) ?? 'No company', items: f.items, amount: f.amount, oldest_days: (ctx.asOf - f.oldest_ms) / DAY }))
      .sort((a, b) => b.amount - a.amount || (a.company_id ?? Infinity) - (b.company_id ?? Infinity));
    return {
      metrics: {
        items: rows.reduce((s, r) => s + r.items, 0),
        amount: rows.reduce((s, r) => s + r.amount, 0),
        companies: rows.filter((r) => r.company_id !== null).length,
      },
      rows,
    };
  },
});
