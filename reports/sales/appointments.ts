import { defineReport } from '../../src/reporting/define.js';
import { personName } from '../../src/reporting/names.js';

interface Found {
  appointment_id: number;
  start_ms: number;
  resource_id: number | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
}

export default defineReport({
  title: 'Appointments in the next 7 days',
  description:
    'Calendar appointments booked in Autotask that start in the coming 7 days (from the as-of time up to, not ' +
    'including, the same time 7 days later), in start order, with the person they are booked for.',
  summary:
    '{appointments} appointments are booked in the next 7 days.',
  window: 'next-7-days',
  metrics: {
    appointments: { label: 'Appointments', unit: 'count' },
  },
  columns: [
    { key: 'start', label: 'Starts', unit: 'datetime' },
    { key: 'resource', label: 'With', unit: 'text' },
    { key: 'title', label: 'Appointment', unit: 'text' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const rows = ctx.query<Found>().map((a) => ({
      start: new Date(a.start_ms).toISOString(),
      resource_id: a.resource_id,
      resource: personName(a.resource_id, a.first_name, a.last_name),
      title: a.title,
    }));
    return { metrics: { appointments: rows.length }, rows };
  },
});
