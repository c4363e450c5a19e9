import { defineReport } from '../../src/reporting/define.js';
import { norm } from '../../src/reporting/labels.js';
import type { Row } from '../../src/types.js';

interface Part {
  stage_value: number | null;
  opportunities: number;
  amount: number;
  weighted_amount: number;
  without_probability: number;
  without_amount: number;
}

export default defineReport({
  title: 'Sales pipeline by stage',
  description:
    'All open deals (opportunities with status Active) grouped by their sales stage, in the order the stages are ' +
    'set up in Autotask. amount = the total deal value. weighted_amount = the sum of each deal\'s amount × its ' +
    'probability of closing ÷ 100: what the pipeline is likely to be worth. A deal without an amount counts 0, ' +
    'one without a probability adds nothing to the weighted amount; both are named in a warning. Stages that share ' +
    'a label are shown as one; deals without a stage appear as "No stage". Stage names are the tenant\'s labels ' +
    '(one typed all in lower case gets a capital first letter).',
  summary:
    '{open_opportunities} open deals are worth {open_amount}; weighted by their chance of closing, the pipeline is worth {weighted_amount}.',
  window: 'point-in-time',
  metrics: {
    open_opportunities: { label: 'Open deals', unit: 'count' },
    open_amount: { label: 'Pipeline value', unit: 'money', trend: true },
    weighted_amount: { label: 'Weighted pipeline', unit: 'money', trend: true },
  },
  columns: [
    { key: 'stage', label: 'Stage', unit: 'text' },
    { key: 'opportunities', label: 'Deals', unit: 'count' },
    { key: 'amount', label: 'Amount', unit: 'money' },
    { key: 'weighted_amount', label: 'Weighted amount', unit: 'money' },
  ],
  compute(ctx) {
    const parts = ctx.query<Part>();
    const byLabel = new Map<string, { stage: string; opportunities: number; amount: number; weighted_amount: number }>();
    let open = 0, amount = 0, weighted = 0, withoutProbability = 0, withoutAmount = 0;
    for (const p of parts) {
      const label = ctx.picklists.display('Opportunities', 'stage', p.stage_value)
        ?? (p.stage_value === null ? 'No stage' : `Stage ${p.stage_value}`);
      const key = norm(label);
      let row = byLabel.get(key);
      if (!row) { row = { stage: label, opportunities: 0, amount: 0, weighted_amount: 0 }; byLabel.set(key, row); }
      row.opportunities += p.opportunities; row.amount += p.amount; row.weighted_amount += p.weighted_amount;
      open += p.opportunities; amount += p.amount; weighted += p.weighted_amount;
      withoutProbability += p.without_probability; withoutAmount += p.without_amount;
    }
    const rows: Row[] = [...byLabel.values()];
    const warnings: string[] = [];
    if (withoutAmount > 0) warnings.push(`${withoutAmount} open ${withoutAmount === 1 ? 'deal has' : 'deals have'} no amount; counted as 0.`);
    if (withoutProbability > 0) warnings.push(`${withoutProbability} open ${withoutProbability === 1 ? 'deal has' : 'deals have'} no probability; ${withoutProbability === 1 ? 'it adds' : 'they add'} nothing to the weighted amount.`);
    return {
      metrics: { open_opportunities: open, open_amount: amount, weighted_amount: weighted },
      rows,
      warnings,
      charts: rows.length === 0 ? [] : [{
        id: 'pipeline-by-stage', kind: 'horizontal-bar', title: 'Pipeline by stage', unit: 'money',
        labels: rows.map((r) => String(r.stage)),
        datasets: [{ label: 'Amount', data: rows.map((r) => r.amount as number) }, { label: 'Weighted amount', data: rows.map((r) => r.weighted_amount as number) }],
      }],
    };
  },
});
