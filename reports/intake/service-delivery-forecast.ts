import { defineReport } from '../../src/reporting/define.js';
import { pct, ratio } from '../../src/reporting/stats.js';
import type { Row } from '../../src/types.js';
import { availabilityWarning, serviceForecast } from './forecast.lib.js';

export default defineReport({
  title: 'Service delivery forecast',
  description:
    'Service-desk capacity against demand for the next settings.forecastWeeks (N) weeks. Week 1 starts at ' +
    '00:00 on the Monday of the ISO week containing T (W0) in the settings zone; weeks step by calendar days, ' +
    'so a week with a DST change is 167 or 169 hours. available = Σ over service resources (active, with time ' +
    'in [T − 56 × 24 h, T), like last-7-days) of their daily available hours (ResourceDailyAvailabilities, else ' +
    'settings.defaultDailyHours Monday–Friday; holidays 0); capacity = available × settings.targetUtilization. ' +
    'baseline = hours worked on tickets without a project in the 8 calendar weeks [W0 − 56 d, W0) ÷ 8. ' +
    'backlog remaining = Σ over open tickets without a project (every workflow and company, the MSP\'s own included; the latest synced state) of max(estimatedHours − all hours ' +
    'ever worked on it, 0); a ticket without an estimate adds 0 and is counted in open_tickets_without_estimate. ' +
    'demand per week = baseline + backlog remaining ÷ N. fte_gap = gap_hours ÷ (N × 40 × targetUtilization): ' +
    'positive means spare technicians, negative means technicians short. load_pct is judged against 100 % ' +
    '(demand within capacity).',
  summary: (x) => {
    const fte = x.raw('fte_gap');
    const gap = x.raw('gap_hours');
    const spare = fte === null || gap === null ? ''
      : fte >= 0 ? ` That leaves spare capacity of ${x.format(fte, 'fte')} (${x.format(gap, 'hours')}).`
        : ` The desk is short by ${x.format(-fte, 'fte')} (${x.format(-(gap), 'hours')} more work than capacity).`;
    const util = x.format(x.settings.targetUtilization * 100, 'pct');
    return `Over the next ${x.settings.forecastWeeks} weeks the service desk has ${x.value('capacity_hours')} of capacity (at ${util} target utilisation) `
      + `for ${x.value('demand_hours')} of expected work: a load of ${x.value('load_pct')} (target ${x.target('load_pct') ?? '100 %'} or less).${spare}`;
  },
  window: 'point-in-time',
  metrics: {
    capacity_hours: { label: 'Capacity', unit: 'hours', better: 'none' },
    demand_hours: { label: 'Demand', unit: 'hours', better: 'none' },
    gap_hours: { label: 'Spare hours (capacity − demand)', unit: 'hours', better: 'higher' },
    load_pct: { label: 'Load', unit: 'pct', better: 'lower', target: 100, trend: true },
    fte_gap: { label: 'Spare capacity (negative: short)', unit: 'fte', better: 'higher' },
    open_tickets_without_estimate: { label: 'Open tickets without estimate', unit: 'count', better: 'lower' },
  },
  columns: [
    { key: 'week_start', label: 'Week of', unit: 'date' },
    { key: 'available_hours', label: 'Available', unit: 'hours' },
    { key: 'capacity_hours', label: 'Capacity', unit: 'hours' },
    { key: 'demand_hours', label: 'Demand', unit: 'hours' },
    { key: 'gap_hours', label: 'Spare', unit: 'hours' },
  ],
  compute(ctx) {
    const f = serviceForecast(ctx);
    const n = f.weeks.length;
    const rows: Row[] = f.weeks.map((w) => ({
      week_start: w.start, available_hours: w.available, capacity_hours: w.capacity, demand_hours: w.demand, gap_hours: w.capacity - w.demand,
    }));
    let capacity = 0;
    let demand = 0;
    for (const w of f.weeks) { capacity += w.capacity; demand += w.demand; }
    const gap = capacity - demand;
    const warnings: string[] = [];
    const av = availabilityWarning(ctx, f);
    if (av) warnings.push(av);
    if (f.withoutEstimate > 0) {
      warnings.push(`${f.withoutEstimate} of ${f.openTickets} open tickets without a project have no estimated hours; their remaining work is counted as 0, so demand is understated.`);
    }
    const demandBaseline = f.weeks.map(() => f.baseline);
    const demandBacklog = f.weeks.map(() => f.backlogRemaining / n);
    return {
      metrics: {
        capacity_hours: capacity,
        demand_hours: demand,
        gap_hours: gap,
        load_pct: pct(demand, capacity),
        fte_gap: ratio(gap, n * 40 * ctx.settings.targetUtilization),
        open_tickets_without_estimate: f.withoutEstimate,
      },
      rows,
      warnings,
      charts: [{
        id: 'demand-by-week', kind: 'stacked-bar', title: 'Demand by week (baseline + backlog)',
        labels: f.weeks.map((w) => w.start),
        datasets: [{ label: 'Baseline', data: demandBaseline }, { label: 'Backlog', data: demandBacklog }],
        unit: 'hours',
      }, {
        id: 'capacity-vs-demand', kind: 'bar', title: 'Capacity and demand by week',
        labels: f.weeks.map((w) => w.start),
        datasets: [{ label: 'Capacity', data: f.weeks.map((w) => w.capacity) }, { label: 'Demand', data: f.weeks.map((w) => w.demand) }],
        unit: 'hours',
      }],
    };
  },
});
