import { defineReport } from '../../src/reporting/define.js';
import { norm } from '../../src/reporting/labels.js';
import { DAY } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

interface Found {
  ticket_id: number; ticket_number: string | null; title: string | null; company_id: number | null; company: string | null;
  workflow: string; status_value: number | null; resource_id: number | null; resource_name: string | null;
  create_ms: number | null; activity_ms: number | null;
  fr_at: number | null; fr_due: number | null; rp_at: number | null; rp_due: number | null; rs_at: number | null; rs_due: number | null;
}

/** The reasons in their order of urgency (kpi-spec §4): a row's reason is the first that applies. */
export const REASONS = ['breached', 'at_risk', 'unassigned', 'stale'] as const;
type Reason = (typeof REASONS)[number];
const H = 3_600_000;
const MIN = 60_000;

export default defineReport({
  title: 'Needs intervention',
  description:
    'The dispatcher\'s list: open tickets that need someone to act now. Population: tickets whose status is not in ' +
    'settings.completeStatuses (a status without a known label counts as open), without a project, whose workflow is ' +
    'flagged backlog, as last synced. Reasons (a ticket has each that applies): breached = an SLA event (first ' +
    'response, resolution plan, resolved) whose due time is set, whose actual time is empty and whose due time is ' +
    'before T; at_risk = not breached, and such an event due in [T, T + settings.slaRiskHours) (wall-clock hours: ' +
    'due exactly at T is at risk, exactly at T + 2 h is not); unassigned = no assigned resource and T − createDate ' +
    'more than settings.unassignedMinutes (a ticket assigned to an inactive resource is assigned); stale = status not ' +
    'in settings.onHoldStatuses nor settings.scheduledStatuses and T − lastActivityDate (createDate when empty) more ' +
    'than settings.staleDays × 24 h. SLA events are read on every ticket that has due times, with or without an SLA ' +
    'id. A ticket without createDate is never unassigned (no age) and, without lastActivityDate either, never ' +
    'stale. Rows: reason = the first reason in the order breached, at_risk, unassigned, stale (reasons lists them ' +
    'all); next_due = the earliest due time among events whose actual time is empty (past or future); ' +
    'minutes_to_due = next_due − T in minutes (negative when past); age_hours = T − createDate in hours. Order: by ' +
    'reason; breached and at_risk by next_due, unassigned by createDate, stale by the activity instant, oldest ' +
    'first; ties by ticket id.',
  summary:
    '{tickets} open tickets need a dispatcher now (target {target:tickets}): {breached} have missed an SLA time, {at_risk} will miss one within {setting:slaRiskHours} hours, {unassigned} have waited more than {setting:unassignedMinutes} minutes for a technician and {stale} have had no activity for {setting:staleDays} days. The list is most urgent first.',
  window: 'point-in-time',
  burst: { technician: 'resource_id', company: 'company_id' },
  metrics: {
    tickets: { label: 'Need intervention', unit: 'count', target: 0, better: 'lower' },
    breached: { label: 'SLA breached', unit: 'count', target: 0, better: 'lower' },
    at_risk: { label: 'SLA at risk', unit: 'count', better: 'lower' },
    unassigned: { label: 'Unassigned', unit: 'count', better: 'lower' },
    stale: { label: 'Stale', unit: 'count', better: 'lower' },
  },
  columns: [
    { key: 'reason', label: 'Reason', unit: 'text' },
    { key: 'ticket_number', label: 'Ticket', unit: 'text' },
    { key: 'title', label: 'Title', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'workflow', label: 'Workflow', unit: 'text' },
    { key: 'assigned_resource', label: 'Assigned to', unit: 'text' },
    { key: 'next_due', label: 'Next due', unit: 'datetime' },
    { key: 'minutes_to_due', label: 'Due in (− = overdue)', unit: 'minutes' },
    { key: 'age_hours', label: 'Age (hours)', unit: 'hours' },
  ],
  compute(ctx) {
    const T = ctx.asOf;
    const s = ctx.settings;
    const riskUntil = T + s.slaRiskHours * H;
    const waiting = new Set([...s.onHoldStatuses, ...s.scheduledStatuses].map(norm));
    const counts: Record<Reason, number> = { breached: 0, at_risk: 0, unassigned: 0, stale: 0 };
    const found: { row: Row; reason: Reason; key: number; id: number }[] = [];
    for (const t of ctx.query<Found>()) {
      const open = ([[t.fr_at, t.fr_due], [t.rp_at, t.rp_due], [t.rs_at, t.rs_due]] as const)
        .filter(([a, d]) => d !== null && a === null).map(([, d]) => d!);
      const reasons: Reason[] = [];
      const breached = open.some((d) => d < T);
      if (breached) reasons.push('breached');
      if (!breached && open.some((d) => d >= T && d < riskUntil)) reasons.push('at_risk');
      if (t.resource_id === null && t.create_ms !== null && T - t.create_ms > s.unassignedMinutes * MIN) reasons.push('unassigned');
      const activity = t.activity_ms ?? t.create_ms;
      const label = t.status_value === null ? null : ctx.picklists.normLabel('Tickets', 'status', t.status_value);
      if (!(label !== null && waiting.has(label)) && activity !== null && T - activity > s.staleDays * DAY) reasons.push('stale');
      if (!reasons.length) continue;
      for (const r of reasons) counts[r]++;
      const reason = reasons[0]!;
      const nextDue = open.length ? Math.min(...open) : null;
      const key = reason === 'breached' || reason === 'at_risk' ? nextDue! : reason === 'unassigned' ? t.create_ms! : activity!;
      found.push({
        reason, key, id: t.ticket_id,
        row: {
          ticket_id: t.ticket_id, ticket_number: t.ticket_number, title: t.title,
          company_id: t.company_id, company: t.company ?? (t.company_id === null ? null : `#${t.company_id}`),
          workflow: t.workflow, resource_id: t.resource_id,
          assigned_resource: t.resource_id === null ? 'Unassigned' : t.resource_name ?? `#${t.resource_id}`,
          reason, reasons: reasons.join(', '),
          next_due: nextDue === null ? null : new Date(nextDue).toISOString(),
          minutes_to_due: nextDue === null ? null : (nextDue - T) / MIN,
          age_hours: t.create_ms === null ? null : (T - t.create_ms) / H,
        },
      });
    }
    found.sort((a, b) => REASONS.indexOf(a.reason) - REASONS.indexOf(b.reason) || a.key - b.key || a.id - b.id);
    return {
      metrics: { tickets: found.length, ...counts },
      rows: found.map((f) => f.row),
      charts: found.length === 0 ? [] : [{
        id: 'reasons', kind: 'bar', title: 'Tickets by reason', unit: 'count',
        labels: ['Breached', 'At risk', 'Unassigned', 'Stale'], datasets: [{ label: 'Tickets', data: REASONS.map((r) => counts[r]) }],
      }],
    };
  },
});
