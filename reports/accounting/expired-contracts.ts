import { defineReport } from '../../src/reporting/define.js';
import { daysBetween } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Expired contracts still active',
  description:
    'Contracts whose status is still Active although their end date has passed (end date before today, in the ' +
    'report\'s time zone). Billing may still run against them, or a renewal was missed. days_expired = whole days ' +
    'from the end date to today. renewed = the contract names a renewal contract (renewedContractID), so only ' +
    'its status needs setting to Inactive. Rows: contracts not renewed first, then the longest expired first.',
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
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    const found = ctx.query<{ contract_id: number; contract: string | null; company_id: number | null; company_name: string | null; end_date: string; renewed_contract_id: number | null }>();
    const rows: Row[] = found
      .map((c) => ({
        contract_id: c.contract_id,
        contract: c.contract ?? `#${c.contract_id}`,
        company_id: c.company_id,
        company: c.company_name ?? (c.company_id === null ? null : `#${c.company_id}`),
        end_date: c.end_date,
        days_expired: daysBetween(c.end_date, ctx.today),
        renewed: c.renewed_contract_id !== null,
      }))
      .sort((a, b) => Number(a.renewed) - Number(b.renewed) || b.days_expired - a.days_expired || a.contract_id - b.contract_id);
    const renewed = rows.filter((r) => r.renewed).length;
    const warnings = renewed > 0
      ? [`${renewed} expired ${renewed === 1 ? 'contract has' : 'contracts have'} been renewed but ${renewed === 1 ? 'is' : 'are'} still marked Active; set ${renewed === 1 ? 'it' : 'them'} to Inactive.`]
      : [];
    return { metrics: { contracts: rows.length }, rows, warnings };
  },
});
