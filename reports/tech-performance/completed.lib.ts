import type { ReportContext } from '../../src/reporting/context.js';
import type { CompletionEvent } from '../../src/reporting/history.js';
import { pct } from '../../src/reporting/stats.js';
import type { ChartSpec, Row } from '../../src/types.js';

/** A ticket counted once for a window, through its first completion event in the window. */
export interface CountedCompletion {
  /** Ticket id. */
  ticketId: number;
  /** The first completion event of the ticket inside the window. */
  first: CompletionEvent;
  /** Every completion event of the ticket inside the window, in order. */
  inWindow: CompletionEvent[];
}

/**
 * Tickets among `ticketIds` with a completion event in the window (kpi-spec §3), each once. Tickets missing
 * from `ticketIds` (other workflows, or deleted and gone from the store) are skipped.
 */
export function completionsInWindow(ctx: ReportContext, ticketIds: Iterable<number>): CountedCompletion[] {
  const w = ctx.window!;
  // The window's events grouped by ticket, each ticket's in the order of its history (as completions() has them).
  const byTicket = new Map<number, CompletionEvent[]>();
  for (const e of ctx.history().completionsIn(w)) {
    const list = byTicket.get(e.ticketId);
    if (list) list.push(e); else byTicket.set(e.ticketId, [e]);
  }
  for (const list of byTicket.values()) if (list.length > 1) list.sort((a, b) => a.index - b.index);
  const out: CountedCompletion[] = [];
  for (const id of ticketIds) {
    const inWindow = byTicket.get(id);
    if (inWindow) out.push({ ticketId: id, first: inWindow[0]!, inWindow: inWindow.slice() });
  }
  return out;
}

/**
 * completionsInWindow over the tickets of backlog-flagged workflows, read by the calling report's SQL file
 * (escalation-rate and reopen-rate select the same tickets), computed once per session, T and window.
 */
export function backlogCompletions(ctx: ReportContext): CountedCompletion[] {
  const w = ctx.window!;
  return ctx.shared(`tech-performance/backlog-completions|${w.from}|${w.to}`,
    () => completionsInWindow(ctx, ctx.query<{ ticket_id: number }>().map((r) => r.ticket_id)));
}

/** Per-resource counts of a rate: rows sorted by resource name, with `<num>` and `<rate>` columns. */
export function rateRows(ctx: ReportContext, items: { resourceId: number | null; hit: boolean }[], denKey: string, numKey: string, rateKey: string): Row[] {
  const cap = ctx.capacity();
  const by = new Map<number | null, { den: number; num: number }>();
  for (const i of items) {
    let a = by.get(i.resourceId);
    if (!a) { a = { den: 0, num: 0 }; by.set(i.resourceId, a); }
    a.den++;
    if (i.hit) a.num++;
  }
  const rows: Row[] = [...by.entries()].map(([id, a]) => ({
    resource_id: id, resource: cap.resourceName(id), [denKey]: a.den, [numKey]: a.num, [rateKey]: pct(a.num, a.den),
  }));
  rows.sort((a, b) => String(a.resource).localeCompare(String(b.resource)) || Number(a.resource_id ?? -1) - Number(b.resource_id ?? -1));
  return rows;
}

/** Bar chart of a per-resource rate. */
export function rateChart(id: string, title: string, rows: Row[], rateKey: string, label: string, target?: number | null): ChartSpec[] {
  return rows.length ? [{
    id, kind: 'horizontal-bar', title, unit: 'pct',
    ...(target !== null && target !== undefined ? { target } : {}),
    labels: rows.map((r) => String(r.resource)),
    datasets: [{ label, data: rows.map((r) => r[rateKey] as number | null) }],
  }] : [];
}
