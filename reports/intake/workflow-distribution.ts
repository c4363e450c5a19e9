import { defineReport } from '../../src/reporting/define.js';
import { pct } from '../../src/reporting/stats.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Ticket intake by workflow',
  description:
    'Tickets created in the window (createDate in [from, to)), grouped by workflow (settings.workflows, first ' +
    'matching rule wins, else Unclassified). Every workflow of the settings is listed, with 0 where empty. ' +
    'hours = Σ hoursWorked of time entries whose work instant (startDateTime, else dateWorked at 00:00 in the ' +
    'zone) is in the window, on tickets of that workflow whatever their create date — so a workflow can show ' +
    'hours and no new tickets. share_pct = 100 × tickets ÷ tickets_total. workflows_used counts workflows ' +
    'with at least one ticket, Unclassified excluded. Workflows are decided on the tickets\' current labels.',
  summary:
    '{tickets_total} tickets were created in the period across {workflows_used} workflows; {unclassified_pct} matched no workflow rule.',
  window: 'previous-month',
  metrics: {
    tickets_total: { label: 'Tickets created', unit: 'count', better: 'none', trend: true },
    workflows_used: { label: 'Workflows used', unit: 'count', better: 'none' },
    unclassified_pct: { label: 'Unclassified', unit: 'pct', better: 'lower', trend: true },
  },
  columns: [
    { key: 'workflow', label: 'Workflow', unit: 'text' },
    { key: 'tickets', label: 'Tickets', unit: 'count' },
    { key: 'share_pct', label: 'Share', unit: 'pct' },
    { key: 'hours', label: 'Hours worked', unit: 'hours' },
  ],
  compute(ctx) {
    const tickets = new Map(ctx.query<{ workflow: string; tickets: number }>().map((r) => [r.workflow, r.tickets]));
    // Hours are in the rows only, which a past period of a trend does not keep: not read for one.
    const hours = new Map(ctx.trendPeriod ? [] : ctx.query<{ workflow: string; hours: number | null }>('hours').map((r) => [r.workflow, r.hours ?? 0]));
    let total = 0;
    for (const n of tickets.values()) total += n;
    const unclassified = ctx.workflows.find((w) => w.name === 'Unclassified')!;
    const rows: Row[] = ctx.workflows.map((w) => {
      const n = tickets.get(w.name) ?? 0;
      return { workflow: w.name, tickets: n, share_pct: pct(n, total), hours: hours.get(w.name) ?? 0 };
    });
    const unclassifiedN = tickets.get(unclassified.name) ?? 0;
    const unclassifiedPct = pct(unclassifiedN, total);
    const warnings: string[] = [];
    if (unclassifiedN > 0) {
      warnings.push(`${unclassifiedN} of ${total} tickets created in the window (${unclassifiedPct!.toFixed(1)} %) match no workflow rule and are Unclassified; ` +
        'add workflow rules in the settings (by ticket type, priority, queue, issue type…) so they are measured with the right workflow.');
    }
    return {
      metrics: {
        tickets_total: total,
        workflows_used: ctx.workflows.filter((w) => w.name !== unclassified.name && (tickets.get(w.name) ?? 0) > 0).length,
        unclassified_pct: unclassifiedPct,
      },
      rows,
      warnings,
      charts: [{
        id: 'tickets-by-workflow', kind: 'horizontal-bar', title: 'Tickets created by workflow',
        labels: rows.map((r) => r.workflow as string),
        datasets: [{ label: 'Tickets', data: rows.map((r) => r.tickets as number) }],
        unit: 'count',
      }, {
        id: 'hours-by-workflow', kind: 'horizontal-bar', title: 'Hours worked by workflow',
        labels: rows.map((r) => r.workflow as string),
        datasets: [{ label: 'Hours', data: rows.map((r) => r.hours as number) }],
        unit: 'hours',
      }],
    };
  },
});
