import { defineReport } from '../../src/reporting/define.js';
import { pct } from '../../src/reporting/stats.js';
import { completionsInWindow, rateChart, rateRows } from './completed.lib.js';

export default defineReport({
  title: 'First-contact resolution',
  description:
    'Eligible = tickets of FCR workflows (incidents and quick hits by default) with a completion event in the ' +
    'window, each counted once through its first completion event in the window. Resolved on first contact = ' +
    'eligible tickets that were never reopened (no non-complete state within settings.reopenDays after any of ' +
    'their completion events), have exactly one time entry (ever), and took at most settings.fcrMaxBusinessHours ' +
    'business hours from creation to that first completion in the window. Each ticket is credited to the resource ' +
    'of that completion (the completing resource, else the assigned one). Rows by resource name. Benchmark 65–80 %.',
  summary:
    '{first_contact_resolved} of {eligible} eligible incidents and quick hits were resolved on first contact (one time entry, within {setting:fcrMaxBusinessHours} business hour, not reopened): {fcr_pct} against a target of {target:fcr_pct}.',
  window: 'previous-month',
  metrics: {
    eligible: { label: 'Eligible', unit: 'count', better: 'none' },
    first_contact_resolved: { label: 'Resolved on first contact', unit: 'count', better: 'higher' },
    fcr_pct: { label: 'First-contact resolution', unit: 'pct', target: 65, better: 'higher', sample: { metric: 'eligible', noun: 'tickets' } },
  },
  columns: [
    { key: 'resource', label: 'Resource', unit: 'text' },
    { key: 'eligible', label: 'Eligible', unit: 'count' },
    { key: 'first_contact_resolved', label: 'First contact', unit: 'count' },
    { key: 'fcr_pct', label: 'FCR', unit: 'pct' },
  ],
  burst: { technician: 'resource_id' },
  compute(ctx) {
    const h = ctx.history();
    const eligible = completionsInWindow(ctx, ctx.query<{ ticket_id: number }>().map((r) => r.ticket_id));
    const info = ctx.query<{ ticket_id: number; created_ms: number | null; entries: number }>('entries', { ids: JSON.stringify(eligible.map((c) => c.ticketId)) });
    const created = new Map(info.map((r) => [r.ticket_id, r.created_ms]));
    const entries = new Map(info.map((r) => [r.ticket_id, r.entries]));
    const maxBh = ctx.settings.fcrMaxBusinessHours;
    const items = eligible.map((c) => {
      const createdMs = created.get(c.ticketId) ?? null;
      const hit = createdMs !== null
        && entries.get(c.ticketId) === 1
        && ctx.bh(createdMs, c.first.at) <= maxBh
        && !h.completions(c.ticketId).some((e) => h.reopenedAfter(e));
      return { resourceId: c.first.resourceId, hit };
    });
    const resolved = items.filter((i) => i.hit).length;
    const rows = rateRows(ctx, items, 'eligible', 'first_contact_resolved', 'fcr_pct');
    return {
      metrics: { eligible: items.length, first_contact_resolved: resolved, fcr_pct: pct(resolved, items.length) },
      rows,
      charts: rateChart('fcr-by-resource', 'First-contact resolution by resource', rows, 'fcr_pct', 'FCR', ctx.target('fcr_pct', 65)),
    };
  },
});
