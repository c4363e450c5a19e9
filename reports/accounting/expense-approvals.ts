import { defineReport } from '../../src/reporting/define.js';
import { personName } from '../../src/reporting/names.js';
import { DAY } from '../../src/reporting/time.js';

interface Found {
  expense_report_id: number; name: string | null; submitter_id: number | null; submitter_first: string | null; submitter_last: string | null;
  submit_ms: number | null; total: number | null; status: string;
}

export default defineReport({
  title: 'Expenses awaiting approval',
  description:
    'Expense reports whose status label is Awaiting Approval, oldest first. age = T − submitDate in days (24 h ' +
    'each, with fractions); amount = internalCurrencyExpenseTotal, the report total in internal currency (empty ' +
    'counts 0). over_7d counts awaiting reports older than 7 days. approved_unpaid_amount = the amount of reports ' +
    'whose status label is Approved for Payment (approved, not yet paid). A report awaiting approval without a ' +
    'submit date has no age, is not counted in over_7d and is listed last. Ties by report id.',
  summary:
    '{reports} expense reports worth {amount} are waiting for approval, oldest first; {approved_unpaid_amount} is approved but not yet paid out.',
  window: 'point-in-time',
  burst: { technician: 'submitter_id' },
  metrics: {
    reports: { label: 'Awaiting approval', unit: 'count', better: 'lower' },
    amount: { label: 'Amount awaiting', unit: 'money', better: 'lower', trend: true },
    over_7d: { label: 'Waiting over 7 days', unit: 'count', target: 0, better: 'lower' },
    approved_unpaid_amount: { label: 'Approved, unpaid', unit: 'money', better: 'lower' },
  },
  columns: [
    { key: 'name', label: 'Expense report', unit: 'text' },
    { key: 'submitter', label: 'Submitted by', unit: 'text' },
    { key: 'submitted', label: 'Submitted', unit: 'datetime' },
    { key: 'age_days', label: 'Age (days)', unit: 'days' },
    { key: 'amount', label: 'Amount', unit: 'money' },
  ],
  compute(ctx) {
    const T = ctx.asOf;
    const found = ctx.query<Found>();
    const awaiting = found.filter((f) => f.status === 'awaiting approval')
      .sort((a, b) => (a.submit_ms ?? Infinity) - (b.submit_ms ?? Infinity) || a.expense_report_id - b.expense_report_id);
    const rows = awaiting.map((f) => ({
      expense_report_id: f.expense_report_id,
      name: f.name,
      submitter_id: f.submitter_id,
      submitter: personName(f.submitter_id, f.submitter_first, f.submitter_last),
      submitted: f.submit_ms === null ? null : new Date(f.submit_ms).toISOString(),
      age_days: f.submit_ms === null ? null : (T - f.submit_ms) / DAY,
      amount: f.total ?? 0,
    }));
    return {
      metrics: {
        reports: rows.length,
        amount: rows.reduce((s, r) => s + r.amount, 0),
        over_7d: rows.filter((r) => r.age_days !== null && r.age_days > 7).length,
        approved_unpaid_amount: found.filter((f) => f.status === 'approved for payment').reduce((s, f) => s + (f.total ?? 0), 0),
      },
      rows,
    };
  },
});
