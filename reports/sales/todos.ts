import { defineReport } from '../../src/reporting/define.js';
import type { Row } from '../../src/types.js';
import { personName } from '../../src/reporting/names.js';

interface Found {
  resource_id: number | null;
  first_name: string | null;
  last_name: string | null;
  open: number;
  overdue: number;
  next_due_ms: number | null;
  without_start: number;
}

export default defineReport({
  title: 'Open sales to-dos',
  description:
    'Follow-ups on companies (calls, meetings, quotes to send) that are not completed yet. A to-do is overdue when ' +
    'its start time is before the as-of time. One row per assigned person: open and overdue to-dos, and next_due = ' +
    'the earliest start time at or after the as-of time (empty when nothing is coming up). To-dos without a start ' +
    'time count as open but neither overdue nor next; to-dos assigned to nobody are grouped as "Unassigned". ' +
    'Most overdue first.',
  summary:
    '{open} sales to-dos are open; {overdue} of them are overdue (target {target:overdue}).',
  window: 'point-in-time',
  metrics: {
    open: { label: 'Open to-dos', unit: 'count' },
    overdue: { label: 'Overdue to-dos', unit: 'count', target: 0, better: 'lower' },
  },
  columns: [
    { key: 'resource', label: 'Assigned to', unit: 'text' },
    { key: 'open', label: 'Open', unit: 'count' },
    { key: 'overdue', label: 'Overdue', unit: 'count' },
    { key: 'next_due', label: 'Next due', unit: 'datetime' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const found = ctx.query<Found>();
    let open = 0, overdue = 0, withoutStart = 0;
    const rows = found.map((g) => {
      open += g.open; overdue += g.overdue; withoutStart += g.without_start;
      return {
        resource_id: g.resource_id,
        resource: personName(g.resource_id, g.first_name, g.last_name),
        open: g.open,
        overdue: g.overdue,
        next_due: g.next_due_ms === null ? null : new Date(g.next_due_ms).toISOString(),
      };
    }).sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.resource.localeCompare(b.resource));
    const warnings = withoutStart > 0
      ? [`${withoutStart} open ${withoutStart === 1 ? 'to-do has' : 'to-dos have'} no start time and cannot be overdue.`]
      : [];
    return { metrics: { open, overdue }, rows: rows as Row[], warnings };
  },
});
