import { defineReport } from '../../src/reporting/define.js';
import { DAY } from '../../src/reporting/time.js';
import type { Instant } from '../../src/types.js';
import { companyName, personName } from '../../src/reporting/names.js';

interface Found {
  opportunity_id: number;
  title: string | null;
  company_id: number | null;
  company_name: string | null;
  owner_id: number | null;
  owner_first: string | null;
  owner_last: string | null;
  create_ms: number | null;
  last_activity_ms: number | null;
}

interface State {
  opportunity_id: number;
  changed_at: number;
  stage: number | null;
}

export default defineReport({
  title: 'Deals stuck in sales engineering',
  description:
    'Open deals (status Active) that have sat in the sales engineering stage (settings.salesEngineeringStage, ' +
    'default "Sales Engineering") for more than settings.stuckDays days (default 14) — usually waiting for a ' +
    'technical design or quote. Days in stage = as-of time − the time the deal entered the stage, read from the ' +
    'recorded stage history: the first record of the latest unbroken run of records in that stage. A change of ' +
    'status alone does not end a run, and a deal that left the stage and came back starts a new run. A deal with ' +
    'no recorded history counts from its create date; a deal whose latest record shows another stage (it moved ' +
    'after the last sync recorded it) counts from its last activity. Both cases are named in a warning. ' +
    'days_in_stage is in days with fractions (not rounded); the threshold compares it with stuckDays × 24 h. Rows ' +
    'are ordered by days in stage, longest first.',
  summary:
    '{opportunities} deals have sat in {setting:salesEngineeringStage} for more than {setting:stuckDays} days (target {target:opportunities}).',
  window: 'point-in-time',
  metrics: {
    opportunities: { label: 'Deals stuck', unit: 'count', target: 0, better: 'lower' },
  },
  columns: [
    { key: 'title', label: 'Deal', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'owner', label: 'Owner', unit: 'text' },
    { key: 'days_in_stage', label: 'Days in stage', unit: 'days' },
  ],
  burst: { technician: 'owner_id' },
  compute(ctx) {
    const stage = ctx.params.salesEngineeringStage as string;
    const states = new Map<number, State[]>();
    for (const s of ctx.query<State>('states')) {
      let list = states.get(s.opportunity_id);
      if (!list) { list = []; states.set(s.opportunity_id, list); }
      list.push(s);
    }
    let noHistory = 0, unrecorded = 0, noDate = 0;
    const rows = [];
    for (const o of ctx.query<Found>()) {
      const list = states.get(o.opportunity_id) ?? [];
      let since: Instant | null = null;
      if (list.length === 0) {
        noHistory++;
        since = o.create_ms;
      } else if (ctx.picklists.normLabel('Opportunities', 'stage', list[list.length - 1]!.stage) !== stage) {
        unrecorded++;
        since = o.last_activity_ms ?? o.create_ms;
      } else {
        // Walk back over the latest run of records in the stage; status-only records stay inside the run.
        let i = list.length - 1;
        while (i > 0 && ctx.picklists.normLabel('Opportunities', 'stage', list[i - 1]!.stage) === stage) i--;
        since = list[i]!.changed_at;
      }
      if (since === null) { noDate++; continue; }
      const days = (ctx.asOf - since) / DAY;
      if (days <= ctx.settings.stuckDays) continue;
      rows.push({
        opportunity_id: o.opportunity_id,
        title: o.title,
        company_id: o.company_id,
        company: companyName(o.company_id, o.company_name),
        owner_id: o.owner_id,
        owner: personName(o.owner_id, o.owner_first, o.owner_last),
        days_in_stage: days,
      });
    }
    rows.sort((a, b) => b.days_in_stage - a.days_in_stage || a.opportunity_id - b.opportunity_id);
    const warnings: string[] = [];
    if (noHistory > 0) warnings.push(`${noHistory} ${noHistory === 1 ? 'deal' : 'deals'} in the stage ${noHistory === 1 ? 'has' : 'have'} no recorded stage history; days in stage are counted from the create date.`);
    if (unrecorded > 0) warnings.push(`${unrecorded} ${unrecorded === 1 ? 'deal entered' : 'deals entered'} the stage after the last recorded history; days in stage are counted from the last activity.`);
    if (noDate > 0) warnings.push(`${noDate} ${noDate === 1 ? 'deal' : 'deals'} in the stage ${noDate === 1 ? 'has' : 'have'} neither history nor a create date and ${noDate === 1 ? 'is' : 'are'} left out.`);
    return { metrics: { opportunities: rows.length }, rows, warnings };
  },
});
