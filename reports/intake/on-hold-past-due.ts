import { defineReport } from '../../src/reporting/define.js';
import { DAY } from '../../src/reporting/time.js';

interface Found {
  ticket_id: number; ticket_number: string; title: string; status_value: number; due_ms: number;
  company_id: number | null; company: string | null; resource_id: number | null; resource_name: string | null;
}

export default defineReport({
  title: 'On hold and past due',
  description:
    'Open tickets waiting in an on-hold status (settings.onHoldStatuses) whose due date has passed. ' +
    'days_past_due = (T − dueDateTime) in days, to one decimal in rendering. A ticket whose status is both ' +
    'on-hold and complete (a tenant misconfiguration) is treated as complete and left out. Rows: longest past due first.',
  summary:
    '{tickets} tickets are on hold ({setting:onHoldStatuses}) with their due date already passed (target {target:tickets}).',
  window: 'point-in-time',
  burst: { technician: 'resource_id', company: 'company_id' },
  metrics: {
    tickets: { label: 'On hold past due', unit: 'count', target: 0, better: 'lower' },
  },
  columns: [
    { key: 'ticket_number', label: 'Ticket', unit: 'text' },
    { key: 'title', label: 'Title', unit: 'text' },
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'status', label: 'Status', unit: 'text' },
    { key: 'assigned_resource', label: 'Assigned to', unit: 'text' },
    { key: 'due', label: 'Due', unit: 'datetime' },
    { key: 'days_past_due', label: 'Days past due', unit: 'days' },
  ],
  compute(ctx) {
    const rows = ctx.query<Found>().map((r) => ({
      ticket_id: r.ticket_id,
      ticket_number: r.ticket_number,
      title: r.title,
      status: ctx.picklists.label('Tickets', 'status', r.status_value)?.trim() ?? null,
      due: new Date(r.due_ms).toISOString(),
      days_past_due: (ctx.asOf - r.due_ms) / DAY,
      // Ids and names beyond the spec's columns: for per-technician / per-company copies and readable rows.
      company_id: r.company_id,
      company: r.company,
      resource_id: r.resource_id,
      assigned_resource: r.resource_id === null ? 'Unassigned' : r.resource_name ?? `#${r.resource_id}`,
    }));
    return { metrics: { tickets: rows.length }, rows };
  },
});
