import { defineReport } from '../../src/reporting/define.js';
import { pct, targetOf } from '../../src/reporting/stats.js';
import { daysBetween } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

export default defineReport({
  title: 'Resource utilization',
  description:
    'Per service resource (active, with time whose work instant is in [T − 56 × 24 h, T)): available hours are their ' +
    'daily available hours (ResourceDailyAvailabilities, else settings.defaultDailyHours Monday–Friday) summed over ' +
    'the calendar days of the window, holidays counting 0. Client hours are hours logged on tickets, or tasks of ' +
    'projects, whose company is a client (set and not 0, the MSP itself); entries on internal company work or on ' +
    'neither a ticket nor a task do not count. Billable hours are the client hours not flagged non-billable. ' +
    'utilization = client ÷ available; billable utilization = billable ÷ available; goal attainment = client ÷ ' +
    '(weekly billable hours goal × days in the window ÷ 7), blank without a goal (or a goal of 0). Rows are by name. Hours of resources that are not ' +
    'service resources (inactive people) are left out of every total. Target 70 % (industry average); 80 % and ' +
    'above is best in class.',
  summary:
    'The service team spent {utilization_pct} of its {available_hours} available hours on client work (target {target:utilization_pct}); {billable_utilization_pct} was billable.',
  window: 'previous-week',
  metrics: {
    utilization_pct: { label: 'Utilization', unit: 'pct', target: 70, better: 'higher' },
    billable_utilization_pct: { label: 'Billable utilization', unit: 'pct', better: 'higher', trend: true },
    available_hours: { label: 'Available hours', unit: 'hours', better: 'none' },
    client_hours: { label: 'Client hours', unit: 'hours', better: 'none' },
  },
  columns: [
    { key: 'resource', label: 'Resource', unit: 'text' },
    { key: 'available_hours', label: 'Available', unit: 'hours' },
    { key: 'client_hours', label: 'Client', unit: 'hours' },
    { key: 'billable_hours', label: 'Billable', unit: 'hours' },
    { key: 'utilization_pct', label: 'Utilization', unit: 'pct' },
    { key: 'billable_utilization_pct', label: 'Billable utilization', unit: 'pct' },
    { key: 'goal_attainment_pct', label: 'Goal attainment', unit: 'pct' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const cap = ctx.capacity();
    const fromDay = ctx.params.fromDay as string;
    const toDay = ctx.params.toDay as string;
    const days = Math.max(0, daysBetween(fromDay, toDay));
    const hours = new Map(ctx.query<{ resource_id: number; client_hours: number | null; billable_hours: number | null }>()
      .map((r) => [r.resource_id, r]));
    const rows: Row[] = [];
    const noAvailability: string[] = [];
    let totAvail = 0;
    let totClient = 0;
    let totBillable = 0;
    for (const res of cap.serviceResources()) {
      const available = cap.availableHours(res.id, fromDay, toDay);
      const h = hours.get(res.id);
      const client = h?.client_hours ?? 0;
      const billable = h?.billable_hours ?? 0;
      const goal = cap.weeklyGoal(res.id);
      if (!cap.hasAvailability(res.id)) noAvailability.push(res.name);
      totAvail += available;
      totClient += client;
      totBillable += billable;
      rows.push({
        resource_id: res.id,
        resource: res.name,
        available_hours: available,
        client_hours: client,
        billable_hours: billable,
        utilization_pct: pct(client, available),
        billable_utilization_pct: pct(billable, available),
        goal_attainment_pct: goal === null ? null : pct(client, (goal * days) / 7),
      });
    }
    const service = new Set(rows.map((r) => r.resource_id as number));
    const others = [...hours.values()].filter((h) => !service.has(h.resource_id) && (h.client_hours ?? 0) > 0);
    rows.sort((a, b) => String(a.resource).localeCompare(String(b.resource)) || Number(a.resource_id) - Number(b.resource_id));
    const warnings: string[] = [];
    if (noAvailability.length) {
      warnings.push(`${noAvailability.length} resource(s) have no availability record and were given ${ctx.settings.defaultDailyHours} h Monday–Friday: ${noAvailability.sort().join(', ')}.`);
    }
    if (others.length) {
      const h = others.reduce((a, o) => a + (o.client_hours ?? 0), 0);
      warnings.push(`${Math.round(h * 100) / 100} client hours in the window by ${others.length} resource(s) that are not service resources (inactive) are left out: ${others.map((o) => cap.resourceName(o.resource_id)).sort().join(', ')}.`);
    }
    // Above 100 % a person logged more client time than they were available: missing availability or wrong entries.
    const over = rows.filter((r) => typeof r.utilization_pct === 'number' && r.utilization_pct > 100);
    if (over.length) {
      warnings.push(`${over.length} ${over.length === 1 ? 'person is' : 'people are'} above 100 % utilization (more client time than available hours; check their availability and time entries): ${over.map((r) => `${String(r.resource)} ${(r.utilization_pct as number).toFixed(0)} %`).join(', ')}.`);
    }
    return {
      metrics: {
        utilization_pct: pct(totClient, totAvail),
        billable_utilization_pct: pct(totBillable, totAvail),
        available_hours: totAvail,
        client_hours: totClient,
      },
      rows,
      warnings,
      charts: rows.length ? [{
        id: 'utilization-by-resource', kind: 'bar', title: 'Utilization by resource', unit: 'pct',
        ...targetOf(ctx.target('utilization_pct', 70)),
        labels: rows.map((r) => String(r.resource)),
        datasets: [
          { label: 'Utilization', data: rows.map((r) => r.utilization_pct as number | null) },
          { label: 'Billable utilization', data: rows.map((r) => r.billable_utilization_pct as number | null) },
        ],
      }] : [],
    };
  },
});
