import { defineReport } from '../../src/reporting/define.js';
import { pct } from '../../src/reporting/stats.js';
import { backlogCompletions, rateChart, rateRows } from './completed.lib.js';

export default defineReport({
  title: 'Reopen rate',
  description:
    'Completed = tickets of backlog workflows (service-desk work, not Project, Alert or Recurring Maintenance) ' +
    'with a completion event in the window, each counted once. Reopened = those where a non-complete state ' +
    'follows one of those completion events within settings.reopenDays (the reopen itself may fall after the ' +
    'window). Each ticket is credited to the resource of its first completion event in the window (the ' +
    'completing resource, else the assigned one), reopened or not. Rows by resource name.',
  summary:
    'Of {completed} service-desk tickets completed in the period, {reopened} were reopened within {setting:reopenDays} days: a reopen rate of {reopen_rate_pct}.',
  window: 'previous-month',
  metrics: {
    completed: { label: 'Completed', unit: 'count', better: 'none' },
    reopened: { label: 'Reopened', unit: 'count', better: 'lower' },
    reopen_rate_pct: { label: 'Reopen rate', unit: 'pct', better: 'lower', trend: true, sample: { metric: 'completed', noun: 'tickets' } },
  },
  columns: [
    { key: 'resource', label: 'Resource', unit: 'text' },
    { key: 'completed', label: 'Completed', unit: 'count' },
    { key: 'reopened', label: 'Reopened', unit: 'count' },
    { key: 'reopen_rate_pct', label: 'Reopen rate', unit: 'pct' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const h = ctx.history();
    const done = backlogCompletions(ctx);
    const items = done.map((c) => ({ resourceId: c.first.resourceId, hit: c.inWindow.some((e) => h.reopenedAfter(e)) }));
    const reopened = items.filter((i) => i.hit).length;
    const rows = rateRows(ctx, items, 'completed', 'reopened', 'reopen_rate_pct');
    return {
      metrics: { completed: items.length, reopened, reopen_rate_pct: pct(reopened, items.length) },
      rows,
      charts: rateChart('reopen-rate-by-resource', 'Reopen rate by resource', rows, 'reopen_rate_pct', 'Reopen rate'),
    };
  },
});
