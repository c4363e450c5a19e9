import { defineReport } from '../../src/reporting/define.js';
import type { Row } from '../../src/types.js';
import { availabilityWarning, serviceForecast, type ForecastWeek } from './forecast.lib.js';

interface TaskRow {
  id: number; title: string | null; project_id: number | null; project: string | null;
  start_ms: number | null; end_ms: number | null;
  remaining_hours: number | null; estimated_hours: number | null; worked: number | null;
}

/**
 * Spreads a task's remaining hours over the forecast weeks (kpi-spec §4): overdue → week 1; without both
 * dates → evenly; otherwise by overlap of [max(start, W0), end) with each week; hours past week N are dropped.
 */
export function spreadTask(weeks: ForecastWeek[], remaining: number, start: number | null, end: number | null): number[] {
  const out = weeks.map(() => 0);
  const n = weeks.length;
  if (n === 0 || remaining === 0) return out;
  const w0 = weeks[0]!.from;
  if (end !== null && end <= w0) {
    out[0] = remaining;
    return out;
  }
  if (start === null || end === null) {
    for (let i = 0; i < n; i++) out[i] = remaining / n;
    return out;
  }
  const s = Math.max(start, w0);
  const len = end - s;
  if (len <= 0) {
    // Start after end (bad dates): a zero-length span, due at its end; counted in that week if within the horizon.
    const i = weeks.findIndex((w) => end >= w.from && end < w.to);
    if (i >= 0) out[i] = remaining;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const overlap = Math.min(weeks[i]!.to, end) - Math.max(weeks[i]!.from, s);
    if (overlap > 0) out[i] = (remaining * overlap) / len;
  }
  return out;
}

export default defineReport({
  title: 'Project availability forecast',
  description:
    'Hours left for project work in the weeks of the service delivery forecast (same W0, N weeks and capacity). ' +
    'project capacity = service capacity − service demand per week (negative when the service desk alone ' +
    'overloads the team). Open tasks are those whose status label is not in settings.completeTaskStatuses. ' +
    'remaining = remainingHours when set (a negative value counts as 0), else max(estimatedHours − hours worked on the task, 0). A task whose ' +
    'end is at or before W0 is overdue and puts all its remaining hours in week 1; a task missing its start or ' +
    'its end spreads them evenly over the N weeks; otherwise week i gets remaining × overlap of ' +
    '[max(start, W0), end) with week i ÷ the span length, and hours past week N are left out of the weeks (but ' +
    'stay in project_backlog_hours); a task that starts after its end (bad data) puts them in the week of its end. weeks_to_clear = project_backlog_hours ÷ (project_capacity_hours ÷ N), ' +
    'empty when project capacity is 0 or less.',
  summary:
    'Over the next {setting:forecastWeeks} weeks the team has {available_project_hours} free for project work against {project_backlog_hours} of open project tasks: about {weeks_to_clear} weeks to clear the project backlog at that pace.',
  window: 'point-in-time',
  metrics: {
    project_capacity_hours: { label: 'Project capacity', unit: 'hours', better: 'none' },
    scheduled_project_hours: { label: 'Scheduled project work', unit: 'hours', better: 'none' },
    available_project_hours: { label: 'Available for projects', unit: 'hours', better: 'higher' },
    project_backlog_hours: { label: 'Project backlog', unit: 'hours', better: 'none' },
    weeks_to_clear: { label: 'Weeks to clear backlog', unit: 'ratio', better: 'lower', trend: true },
  },
  columns: [
    { key: 'week_start', label: 'Week of', unit: 'date' },
    { key: 'project_capacity_hours', label: 'Project capacity', unit: 'hours' },
    { key: 'scheduled_hours', label: 'Scheduled', unit: 'hours' },
    { key: 'project_available_hours', label: 'Available', unit: 'hours' },
  ],
  compute(ctx) {
    const f = serviceForecast(ctx);
    const n = f.weeks.length;
    const scheduled = f.weeks.map(() => 0);
    let backlog = 0;
    let withoutHours = 0;
    let undated = 0;
    for (const t of ctx.query<TaskRow>()) {
      const remaining = t.remaining_hours !== null ? Math.max(t.remaining_hours, 0) : Math.max((t.estimated_hours ?? 0) - (t.worked ?? 0), 0);
      if (t.remaining_hours === null && !t.estimated_hours) withoutHours++;
      backlog += remaining;
      if (remaining !== 0 && (t.start_ms === null || t.end_ms === null) && !(t.end_ms !== null && t.end_ms <= f.weeks[0]!.from)) undated++;
      const s = spreadTask(f.weeks, remaining, t.start_ms, t.end_ms);
      for (let i = 0; i < n; i++) scheduled[i]! += s[i]!;
    }
    const rows: Row[] = f.weeks.map((w, i) => {
      const pc = w.capacity - w.demand;
      return { week_start: w.start, project_capacity_hours: pc, scheduled_hours: scheduled[i]!, project_available_hours: pc - scheduled[i]! };
    });
    let pcTotal = 0;
    let schedTotal = 0;
    for (const r of rows) { pcTotal += r.project_capacity_hours as number; schedTotal += r.scheduled_hours as number; }
    const warnings: string[] = [];
    const av = availabilityWarning(ctx, f);
    if (av) warnings.push(av);
    if (withoutHours > 0) warnings.push(`${withoutHours} open task(s) have neither remaining nor estimated hours and add nothing to the project backlog.`);
    if (undated > 0) warnings.push(`${undated} open task(s) lack a start or end date; their remaining hours are spread evenly over the ${n} weeks.`);
    if (pcTotal <= 0) warnings.push('Service demand uses all capacity in the forecast weeks: no capacity is left for projects.');
    return {
      metrics: {
        project_capacity_hours: pcTotal,
        scheduled_project_hours: schedTotal,
        available_project_hours: pcTotal - schedTotal,
        project_backlog_hours: backlog,
        weeks_to_clear: pcTotal > 0 ? backlog / (pcTotal / n) : null,
      },
      rows,
      warnings,
      charts: [{
        id: 'project-capacity-by-week', kind: 'bar', title: 'Project capacity and scheduled work by week',
        labels: f.weeks.map((w) => w.start),
        datasets: [
          { label: 'Project capacity', data: rows.map((r) => r.project_capacity_hours as number) },
          { label: 'Scheduled', data: rows.map((r) => r.scheduled_hours as number) },
        ],
        unit: 'hours',
      }],
    };
  },
});
