import { defineReport } from '../../src/reporting/define.js';
import { daysBetween } from '../../src/reporting/time.js';
import { lastRecurring, type RecurringItem } from './contracts.lib.js';
import { personName } from '../../src/reporting/names.js';
import type { Row } from '../../src/types.js';

/** Renewal buckets by days left d (kpi-spec §7): d ≤ 30, 31–60, 61–90, 91–120. */
const BUCKETS = [
  { metric: 'due_30', label: '0–30 days', max: 30 },
  { metric: 'due_60', label: '31–60 days', max: 60 },
  { metric: 'due_90', label: '61–90 days', max: 90 },
  { metric: 'due_120', label: '91–120 days', max: 120 },
] as const;

/** The bucket of a contract ending in `d` days (0 ≤ d ≤ 120). */
function renewalBucket(d: number): (typeof BUCKETS)[number] {
  return BUCKETS.find((b) => d <= b.max) ?? BUCKETS[BUCKETS.length - 1]!;
}

export default defineReport({
  title: 'Contracts up for renewal',
  description:
    'Active contracts whose end date falls between today and today + 120 days (calendar dates in the report\'s ' +
    'time zone, both ends included). days_left = whole days from today to the end date; a contract ending today ' +
    'has 0 days left and sits in the 0–30 bucket. Buckets: 0–30, 31–60, 61–90 and 91–120 days. ' +
    'estimated_revenue = the sum of the contracts\' estimated revenue (empty counts 0). has_open_opportunity = ' +
    'the contract\'s company has at least one opportunity with status Active, a sign that the renewal is being worked. ' +
    'Beside the spec\'s columns each row carries value = the contract\'s estimated revenue (empty stays empty); ' +
    'recurring_amount = what the contract bills per period as last billed: the sum of its billing items of type ' +
    'Recurring Contract Service or Recurring Contract Service Adjustment dated in the calendar month of its latest ' +
    'Recurring Contract Service item before the as-of time (empty when it was never billed); and account_manager = ' +
    'the company\'s account manager (its owner resource). Rows are ordered by end date, earliest first, then by contract id.',
  summary:
    '{due_30} contracts end in the next 30 days, {due_60} in 31–60 days, {due_90} in 61–90 days and {due_120} in 91–120 days, with an estimated {estimated_revenue} of revenue up for renewal.',
  window: 'point-in-time',
  metrics: {
    due_30: { label: 'Ending in 30 days', unit: 'count' },
    due_60: { label: 'Ending in 31–60 days', unit: 'count' },
    due_90: { label: 'Ending in 61–90 days', unit: 'count' },
    due_120: { label: 'Ending in 91–120 days', unit: 'count' },
    estimated_revenue: { label: 'Estimated revenue up for renewal', unit: 'money' },
  },
  columns: [
    { key: 'contract', label: 'Contract', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'end_date', label: 'Ends', unit: 'date' },
    { key: 'days_left', label: 'Days left', unit: 'count' },
    // Money and the account manager before the bucket (which repeats days left): an email shows five columns.
    { key: 'value', label: 'Contract value', unit: 'money' },
    { key: 'recurring_amount', label: 'Recurring amount', unit: 'money' },
    { key: 'account_manager', label: 'Account manager', unit: 'text' },
    { key: 'bucket', label: 'Due in', unit: 'text' },
    { key: 'has_open_opportunity', label: 'Open opportunity', unit: 'bool' },
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    const found = ctx.query<{
      contract_id: number; contract: string | null; company_id: number | null; company_name: string | null; end_date: string;
      estimated_revenue: number | null; has_open_opportunity: number | null;
      manager_id: number | null; manager_first: string | null; manager_last: string | null;
    }>();
    const recurring = lastRecurring(ctx.query<RecurringItem>('recurring'), ctx.settings.timezone);
    const counts = new Map<string, number>(BUCKETS.map((b) => [b.metric, 0]));
    const revenue = new Map<string, number>(BUCKETS.map((b) => [b.metric, 0]));
    let estimated = 0;
    let withoutRevenue = 0;
    const rows: Row[] = found.map((c) => {
      const d = daysBetween(ctx.today, c.end_date);
      const b = renewalBucket(d);
      counts.set(b.metric, counts.get(b.metric)! + 1);
      revenue.set(b.metric, revenue.get(b.metric)! + (c.estimated_revenue ?? 0));
      estimated += c.estimated_revenue ?? 0;
      if (c.estimated_revenue === null) withoutRevenue++;
      return {
        contract_id: c.contract_id,
        contract: c.contract ?? `#${c.contract_id}`,
        company_id: c.company_id,
        company: c.company_name ?? (c.company_id === null ? null : `#${c.company_id}`),
        end_date: c.end_date,
        days_left: d,
        bucket: b.label,
        has_open_opportunity: c.has_open_opportunity === 1,
        value: c.estimated_revenue,
        recurring_amount: recurring.get(c.contract_id) ?? null,
        account_manager_id: c.manager_id,
        account_manager: c.manager_id === null ? null : personName(c.manager_id, c.manager_first, c.manager_last),
      };
    });
    const warnings = withoutRevenue > 0
      ? [`${withoutRevenue} ${withoutRevenue === 1 ? 'contract' : 'contracts'} up for renewal ${withoutRevenue === 1 ? 'has' : 'have'} no estimated revenue; counted as 0.`]
      : [];
    const labels = BUCKETS.map((b) => b.label);
    return {
      metrics: {
        due_30: counts.get('due_30')!, due_60: counts.get('due_60')!, due_90: counts.get('due_90')!, due_120: counts.get('due_120')!,
        estimated_revenue: estimated,
      },
      rows,
      warnings,
      charts: [
        { id: 'renewals-by-days-left', kind: 'bar', title: 'Contracts up for renewal by days left', unit: 'count', labels, datasets: [{ label: 'Contracts', data: BUCKETS.map((b) => counts.get(b.metric)!) }] },
        { id: 'renewal-revenue-by-days-left', kind: 'bar', title: 'Estimated revenue up for renewal by days left', unit: 'money', labels, datasets: [{ label: 'Estimated revenue', data: BUCKETS.map((b) => revenue.get(b.metric)!) }] },
      ],
    };
  },
});
