import { defineReport } from '../../src/reporting/define.js';
import { companyName, personName } from '../../src/reporting/names.js';

interface Found {
  opportunity_id: number;
  title: string | null;
  company_id: number | null;
  company_name: string | null;
  owner_id: number | null;
  owner_first: string | null;
  owner_last: string | null;
  stage_value: number | null;
  amount: number | null;
  probability: number | null;
  projected_close: string | null;
}

export default defineReport({
  title: 'Deals about to close',
  description:
    'Open deals (opportunities with status Active) that are expected to close in the next 30 days — projected ' +
    'close date from today to today + 30 days, both included, in the report\'s time zone — or that sales rates ' +
    'at 75 % or more likely to close, whatever their date. A likely deal whose projected close date has already ' +
    'passed is listed too and counted in a warning, as its date needs updating. Rows are ordered by expected close ' +
    'date (the first column), earliest first, deals without a date last; deals closing on the same day by amount, ' +
    'largest first. Stage names are the tenant\'s labels (one typed all in lower case gets a capital first letter).',
  summary:
    '{opportunities} deals worth {amount} are expected to close in the next 30 days or are rated 75 % or more likely to close.',
  window: 'point-in-time',
  metrics: {
    opportunities: { label: 'Deals about to close', unit: 'count' },
    amount: { label: 'Value about to close', unit: 'money', trend: true },
  },
  // The column the rows are ordered by comes first, so it is among the five an email shows.
  columns: [
    { key: 'projected_close', label: 'Expected close', unit: 'date' },
    { key: 'title', label: 'Deal', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'stage', label: 'Stage', unit: 'text' },
    { key: 'amount', label: 'Amount', unit: 'money' },
    { key: 'owner', label: 'Owner', unit: 'text' },
    { key: 'probability', label: 'Probability %', unit: 'count' },
  ],
  burst: { technician: 'owner_id' },
  compute(ctx) {
    const found = ctx.query<Found>();
    let amount = 0;
    let pastDue = 0;
    const rows = found.map((o) => {
      amount += o.amount ?? 0;
      if (o.projected_close !== null && o.projected_close < ctx.today) pastDue++;
      return {
        opportunity_id: o.opportunity_id,
        title: o.title,
        company_id: o.company_id,
        company: companyName(o.company_id, o.company_name),
        owner_id: o.owner_id,
        owner: personName(o.owner_id, o.owner_first, o.owner_last),
        stage: ctx.picklists.display('Opportunities', 'stage', o.stage_value),
        amount: o.amount,
        probability: o.probability,
        projected_close: o.projected_close,
      };
    });
    const warnings = pastDue > 0
      ? [`${pastDue} likely ${pastDue === 1 ? 'deal has a projected close date' : 'deals have projected close dates'} in the past; ${pastDue === 1 ? 'its date needs' : 'their dates need'} updating.`]
      : [];
    return { metrics: { opportunities: rows.length, amount }, rows, warnings };
  },
});
