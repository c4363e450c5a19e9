import { defineReport } from '../../src/reporting/define.js';
import { daysBetween } from '../../src/reporting/time.js';
import { personName } from '../../src/reporting/names.js';
import type { Row } from '../../src/types.js';
import { lastRecurring, type RecurringItem } from './contracts.lib.js';

export default defineReport({
  title: 'Expired contracts still active',
  description:
    'Contracts whose status is still Active although their end date has passed (end date before today, in the ' +
    'report\'s time zone). Billing may still run against them, or a renewal was missed. days_expired = whole days ' +
    'from the end date to today. renewed = the contract names a renewal contract (renewedContractID), so only ' +
    'its status needs setting to Inactive. Rows: contracts not renewed first, then the longest expired first. ' +
    'Beside the spec\'s columns each row carries value = the contract\'s estimated revenue, recurring_amount = what ' +
    'it bills per period as last billed (the sum of its Recurring Contract Service and Adjustment items dated in the ' +
    'month of its latest Recurring Contract Service item; empty when never billed) and account_manager = the ' +
    'company\'s account manager (its owner resource).',
  summary:
    '{contracts} contracts have passed their end date but are still active, so billing may still run against them or a renewal was missed (target {target:contracts}).',
  window: 'point-in-time',
  metrics: {
    contracts: { label: 'Expired but active', unit: 'count', target: 0, better: 'lower' },
  },
  columns: [
    { key: 'contract', label: 'Contract', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'end_date', label: 'Ended', unit: 'date' },
    { key: 'days_expired', label: 'Days expired', unit: 'count' },
    { key: 'renewed', label: 'Renewed', unit: 'bool' },
    { key: 'value', label: 'Contract value', unit: 'money' },
    { key: 'recurring_amount', label: 'Recurring amount', unit: 'money' },
    { key: 'account_manager', label: 'Account manager', unit: 'text' },
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    const found = ctx.query<{
      contract_id: number; contract: string | null; company_id: number | null; company_name: string | null; end_date: string; renewed_contract_id: number | null;
      estimated_revenue: number | null; manager_id: number | null; manager_first: string | null; manager_last: string | null;
    }>();
    const recurring = lastRecurring(ctx.query<RecurringItem>('recurring'), ctx.settings.timezone);
    const rows: Row[] = found
      .map((c) => ({
        contract_id: c.contract_id,
        contract: c.contract ?? `#${c.contract_id}`,
        company_id: c.company_id,
        company: c.company_name ?? (c.company_id === null ? null : `#${c.company_id}`),
        end_date: c.end_date,
        days_expired: daysBetween(c.end_date, ctx.today),
        renewed: c.renewed_contract_id !== null,
        value: c.estimated_revenue,
        recurring_amount: recurring.get(c.contract_id) ?? null,
        account_manager_id: c.manager_id,
        account_manager: c.manager_id === null ? null : personName(c.manager_id, c.manager_first, c.manager_last),
      }))
      .sort((a, b) => Number(a.renewed) - Number(b.renewed) || b.days_expired - a.days_expired || a.contract_id - b.contract_id);
    const renewed = rows.filter((r) => r.renewed).length;
    const warnings = renewed > 0
      ? [`${renewed} expired ${renewed === 1 ? 'contract has' : 'contracts have'} been renewed but ${renewed === 1 ? 'is' : 'are'} still marked Active; set ${renewed === 1 ? 'it' : 'them'} to Inactive.`]
      : [];
    return { metrics: { contracts: rows.length }, rows, warnings };
  },
});
