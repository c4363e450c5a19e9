import { defineReport } from '../../src/reporting/define.js';
import { pct } from '../../src/reporting/stats.js';
import { backlogCompletions, rateChart, rateRows } from './completed.lib.js';

export default defineReport({
  title: 'Escalation rate',
  description:
    'Completed = tickets of backlog workflows (service-desk work) with a completion event in the window, each ' +
    'counted once. Escalated = those with any recorded state in an escalation status (settings.escalationStatuses) ' +
    'or queue (settings.escalationQueues), at any time. Each ticket is credited to the first resource ever ' +
    'recorded as assigned to it (states before the first assignment are skipped; Unassigned when it never had one). ' +
    'Rows by resource name.',
  summary:
    'Of {completed} service-desk tickets completed in the period, {escalated} were escalated: an escalation rate of {escalation_rate_pct}.',
  window: 'previous-month',
  metrics: {
    completed: { label: 'Completed', unit: 'count', better: 'none' },
    escalated: { label: 'Escalated', unit: 'count', better: 'lower' },
    escalation_rate_pct: { label: 'Escalation rate', unit: 'pct', better: 'lower', trend: true, sample: { metric: 'completed', noun: 'tickets' } },
  },
  columns: [
    { key: 'resource', label: 'Resource', unit: 'text' },
    { key: 'completed', label: 'Completed', unit: 'count' },
    { key: 'escalated', label: 'Escalated', unit: 'count' },
    { key: 'escalation_rate_pct', label: 'Escalation rate', unit: 'pct' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const h = ctx.history();
    const done = backlogCompletions(ctx);
    const items = done.map((c) => ({
      resourceId: h.firstAssigned(c.ticketId),
      hit: h.escalated(c.ticketId),
    }));
    const escalated = items.filter((i) => i.hit).length;
    const rows = rateRows(ctx, items, 'completed', 'escalated', 'escalation_rate_pct');
    return {
      metrics: { completed: items.length, escalated, escalation_rate_pct: pct(escalated, items.length) },
      rows,
      charts: rateChart('escalation-rate-by-resource', 'Escalation rate by resource', rows, 'escalation_rate_pct', 'Escalation rate'),
    };
  },
});
