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
  outcome: 'won' | 'lost';
  closed_on: string;
  amount: number | null;
}

export default defineReport({
  title: 'Last week\'s wins and losses',
  description:
    'Deals decided in the last 7 days. Won = status Closed or Implemented with a close date in the period; lost = ' +
    'status Lost with a lost date in the period. The dates are calendar dates, read as 00:00 in the report\'s time ' +
    'zone, so the period holds the dates whose midnight falls in the last 7 × 24 hours before the as-of time. ' +
    'Amounts are the deals\' amounts (empty counts 0). Rows are ordered by outcome (the first column: wins, then ' +
    'losses), then by amount, largest first. outcome is "won" or "lost"; the table shows it as Won or Lost.',
  summary:
    'In the last 7 days {won} deals worth {won_amount} were won and {lost} worth {lost_amount} were lost.',
  window: 'last-7-days',
  metrics: {
    won: { label: 'Deals won', unit: 'count', better: 'higher' },
    won_amount: { label: 'Value won', unit: 'money', better: 'higher', trend: true },
    lost: { label: 'Deals lost', unit: 'count', better: 'lower' },
    lost_amount: { label: 'Value lost', unit: 'money', better: 'lower' },
  },
  columns: [
    { key: 'outcome_label', label: 'Outcome', unit: 'text' },
    { key: 'title', label: 'Deal', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'owner', label: 'Owner', unit: 'text' },
    { key: 'amount', label: 'Amount', unit: 'money' },
    { key: 'date', label: 'Decided on', unit: 'date' },
  ],
  burst: { technician: 'owner_id' },
  compute(ctx) {
    let won = 0, wonAmount = 0, lost = 0, lostAmount = 0;
    const rows = ctx.query<Found>().map((o) => {
      if (o.outcome === 'won') { won++; wonAmount += o.amount ?? 0; } else { lost++; lostAmount += o.amount ?? 0; }
      return {
        opportunity_id: o.opportunity_id,
        title: o.title,
        company_id: o.company_id,
        company: companyName(o.company_id, o.company_name),
        owner_id: o.owner_id,
        owner: personName(o.owner_id, o.owner_first, o.owner_last),
        outcome: o.outcome,
        outcome_label: o.outcome === 'won' ? 'Won' : 'Lost',
        amount: o.amount,
        date: o.closed_on,
      };
    });
    return {
      metrics: { won, won_amount: wonAmount, lost, lost_amount: lostAmount },
      rows,
      charts: rows.length === 0 ? [] : [{
        id: 'won-lost', kind: 'bar', title: 'Value won and lost', unit: 'money',
        labels: ['Won', 'Lost'], datasets: [{ label: 'Amount', data: [wonAmount, lostAmount] }],
      }],
    };
  },
});
