import { defineReport } from '../../src/reporting/define.js';

interface Found {
  ticket_id: number; ticket_number: string | null; title: string | null; status_value: number | null;
  company_id: number | null; company: string | null; resource_id: number | null; resource_name: string | null; last_call_ms: number | null;
}

export default defineReport({
  title: 'Scheduled without a future service call',
  description:
    'Open tickets whose status is in settings.scheduledStatuses but that have no linked service call ' +
    '(ServiceCallTickets) starting after T that is neither complete nor cancelled — work promised to a ' +
    'customer with nothing on the calendar. last_service_call_start = the start of the latest linked call in ' +
    'any state (completed, cancelled or past), empty when the ticket never had one. Tickets that never had a ' +
    'call come first, then the longest since their last call. A ticket whose status is both scheduled and ' +
    'complete (a tenant misconfiguration) is treated as complete and left out.',
  summary:
    '{tickets} tickets are marked as scheduled ({setting:scheduledStatuses}) but have no upcoming service call on the calendar (target {target:tickets}).',
  window: 'point-in-time',
  burst: { technician: 'resource_id', company: 'company_id' },
  metrics: {
    tickets: { label: 'Scheduled, no future call', unit: 'count', target: 0, better: 'lower' },
  },
  columns: [
    { key: 'ticket_number', label: 'Ticket', unit: 'text' },
    { key: 'title', label: 'Title', unit: 'text' },
    { key: 'status', label: 'Status', unit: 'text' },
    { key: 'assigned_resource', label: 'Assigned to', unit: 'text' },
    { key: 'last_service_call_start', label: 'Last service call', unit: 'datetime' },
  ],
  compute(ctx) {
    const rows = ctx.query<Found>().map((r) => ({
      ticket_id: r.ticket_id,
      ticket_number: r.ticket_number,
      title: r.title,
      status: ctx.picklists.label('Tickets', 'status', r.status_value)?.trim() ?? null,
      company_id: r.company_id,
      company: r.company,
      resource_id: r.resource_id,
      assigned_resource: r.resource_id === null ? 'Unassigned' : r.resource_name ?? `#${r.resource_id}`,
      last_service_call_start: r.last_call_ms === null ? null : new Date(r.last_call_ms).toISOString(),
    }));
    return { metrics: { tickets: rows.length }, rows };
  },
});
