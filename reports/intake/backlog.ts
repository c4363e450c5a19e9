import { defineReport } from '../../src/reporting/define.js';
import { ratio } from '../../src/reporting/stats.js';
import { DAY, resolveWindow } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

interface OpenRow {
  ticket_id: number; ticket_number: string | null; title: string | null; company_id: number | null; company: string | null;
  status_value: number | null; workflow: string; resource_id: number | null; resource_name: string | null;
  create_ms: number; activity_ms: number | null;
}

export default defineReport({
  title: 'Ticket backlog',
  description:
    'Open backlog tickets at T: status not in settings.completeStatuses, no project, workflow flagged backlog ' +
    '(service-desk work, Unclassified included), created at or before T. age = (T − createDate) in days, with ' +
    'fractions; buckets age < 10, 10 ≤ age ≤ 30, age > 30; over_threshold = age > settings.backlogDays. ' +
    'kill_rate (a ratio, ≥ 1 means the backlog shrinks) is measured over the previous ISO week before T: ' +
    'backlog-workflow tickets with a completion event (kpi-spec §3) in that week, each counted once, ÷ ' +
    'backlog-workflow tickets created in that week; empty when none were created. Rows: the tickets over the ' +
    'threshold, oldest first; days_since_activity = (T − lastActivityDate) in days, empty without an activity date.',
  summary:
    '{open_tickets} service-desk tickets are open; {over_threshold} of them are older than {setting:backlogDays} days (target {target:over_threshold}). Last week the desk closed {kill_rate} tickets for every new one (1 or more means the backlog shrinks; target {target:kill_rate}).',
  window: 'point-in-time',
  burst: { technician: 'resource_id', company: 'company_id' },
  metrics: {
    open_tickets: { label: 'Open backlog', unit: 'count', better: 'lower', trend: true },
    over_threshold: { label: 'Older than {setting:backlogDays} days', unit: 'count', better: 'lower', target: 0, trend: true },
    age_lt_10d: { label: 'Under 10 days', unit: 'count', better: 'none', headline: false },
    age_10_30d: { label: '10–30 days', unit: 'count', better: 'none', headline: false },
    age_gt_30d: { label: 'Over 30 days', unit: 'count', better: 'lower', headline: false },
    kill_rate: { label: 'Kill rate (last week)', unit: 'ratio', better: 'higher', target: 1 },
  },
  columns: [
    { key: 'ticket_number', label: 'Ticket', unit: 'text' },
    { key: 'title', label: 'Title', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'status', label: 'Status', unit: 'text' },
    { key: 'workflow', label: 'Workflow', unit: 'text' },
    { key: 'assigned_resource', label: 'Assigned to', unit: 'text' },
    { key: 'age_days', label: 'Age', unit: 'days' },
    { key: 'days_since_activity', label: 'Since activity', unit: 'days' },
  ],
  compute(ctx) {
    const open = ctx.query<OpenRow>();
    let lt10 = 0;
    let mid = 0;
    let gt30 = 0;
    const rows: Row[] = [];
    for (const t of open) {
      const age = (ctx.asOf - t.create_ms) / DAY;
      if (age < 10) lt10++;
      else if (age <= 30) mid++;
      else gt30++;
      if (age > ctx.settings.backlogDays) {
        rows.push({
          ticket_id: t.ticket_id, ticket_number: t.ticket_number, title: t.title,
          company_id: t.company_id, company: t.company ?? (t.company_id === null ? null : `#${t.company_id}`),
          status: ctx.picklists.label('Tickets', 'status', t.status_value)?.trim() ?? null, workflow: t.workflow,
          resource_id: t.resource_id,
          assigned_resource: t.resource_id === null ? 'Unassigned' : t.resource_name ?? `#${t.resource_id}`,
          age_days: age,
          days_since_activity: t.activity_ms === null ? null : (ctx.asOf - t.activity_ms) / DAY,
        });
      }
    }
    // The point-in-time report measures its kill rate over the previous ISO week before T.
    const kw = resolveWindow('previous-week', ctx.asOf, ctx.tz)!;
    const killWindow = { killFrom: kw.from, killTo: kw.to };
    const [{ n: created }] = ctx.query<{ n: number }>('created', killWindow) as [{ n: number }];
    // Completion events read from the state records of that week only (not the whole history): each
    // backlog-workflow ticket once, tickets without records have no event.
    const [{ n: completed }] = ctx.query<{ n: number }>('completed', killWindow) as [{ n: number }];
    return {
      metrics: {
        open_tickets: open.length,
        over_threshold: rows.length,
        age_lt_10d: lt10,
        age_10_30d: mid,
        age_gt_30d: gt30,
        kill_rate: ratio(completed, created),
      },
      rows,
      charts: [{
        id: 'backlog-age', kind: 'bar', title: 'Open backlog by age',
        labels: ['< 10 days', '10–30 days', '> 30 days'],
        datasets: [{ label: 'Tickets', data: [lt10, mid, gt30] }],
        unit: 'count',
      }],
    };
  },
});
