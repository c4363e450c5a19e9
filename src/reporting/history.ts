import type { Settings } from '../config.js';
import type { Db } from '../store/db.js';
import { ticketStateReader, type TicketStateRow } from '../store/ticket-states.js';
import type { Instant, Window } from '../types.js';
import { DAY } from './time.js';
import type { Picklists } from './labels.js';

/** One ticket state record (kpi-spec §3), as stored by the sync (read by store/ticket-states.ts). */
export type TicketState = TicketStateRow;

/** A completion event: a record whose status is complete, at `completedDate` (fallback `changedAt`). */
export interface CompletionEvent {
  /** Ticket id. */
  ticketId: number;
  /** Index of the record in the ticket's ordered history. */
  index: number;
  /** Completion time. */
  at: Instant;
  /** completedByResource of the record, else its assignedResource. */
  resourceId: number | null;
}

/** Ticket history queries of kpi-spec §3. */
export interface TicketHistory {
  /** Ordered records of a ticket. */
  records(ticketId: number): TicketState[];
  /** Ticket ids that have any record. */
  ticketIds(): number[];
  /** Completion events of a ticket, in order. */
  completions(ticketId: number): CompletionEvent[];
  /** Every completion event (of every ticket) whose time is in the window, by time. */
  completionsIn(w: Window): CompletionEvent[];
  /** The first completion event in the window (a ticket counts once), or null. */
  firstCompletionIn(ticketId: number, w: Window): CompletionEvent | null;
  /** Whether a non-complete record follows the completion within settings.reopenDays. */
  reopenedAfter(ev: CompletionEvent): boolean;
  /** Whether any record has an escalation status or queue. */
  escalated(ticketId: number): boolean;
  /** The first resource ever recorded as assigned (records before the first assignment skipped), or null. */
  firstAssigned(ticketId: number): number | null;
}

/**
 * The ticket history of kpi-spec §3, read ticket by ticket as reports ask: a window's completions come from
 * the index of completion instants (the tickets with such an event in the window, then every record of those
 * tickets), and a ticket's records are read once, on first use. Reports ask about the tickets completed in
 * their periods, a few thousand at the large scale, where reading every record of every ticket cost about
 * half a second per store change (test/reporting/history.test.ts holds it to a reading of every record).
 */
export function loadTicketHistory(db: Db, settings: Settings, pl: Picklists): TicketHistory {
  const reader = ticketStateReader(db);
  const completeList = pl.valuesOf('Tickets', 'status', settings.completeStatuses);
  const completeVals = new Set(completeList);
  const escStatus = new Set(pl.valuesOf('Tickets', 'status', settings.escalationStatuses));
  const escQueue = new Set(pl.valuesOf('Tickets', 'queueID', settings.escalationQueues));
  const isComplete = (s: number | null | undefined) => s !== null && s !== undefined && completeVals.has(s);
  const reopenMs = settings.reopenDays * DAY;
  /** Ticket id → its records in order (empty when it has none), for the tickets read so far. */
  const byTicket = new Map<number, TicketState[]>();
  const compCache = new Map<number, CompletionEvent[]>();
  const windows = new Map<string, CompletionEvent[]>();

  /** Reads the records of those tickets not read yet (one query). */
  const load = (ids: readonly number[]): void => {
    const missing = ids.filter((t) => !byTicket.has(t));
    if (!missing.length) return;
    for (const t of missing) byTicket.set(t, []);
    for (const r of reader.ofTickets(missing)) byTicket.get(r.ticketId)!.push(r);
  };
  const records = (t: number): TicketState[] => {
    load([t]);
    return byTicket.get(t)!;
  };
  const completions = (ticketId: number): CompletionEvent[] => {
    let c = compCache.get(ticketId);
    if (c) return c;
    c = [];
    for (const [index, r] of records(ticketId).entries()) {
      if (isComplete(r.status)) c.push({ ticketId, index, at: r.completedDate ?? r.changedAt, resourceId: r.completedByResourceId ?? r.assignedResourceId ?? null });
    }
    compCache.set(ticketId, c);
    return c;
  };
  /** A window's events by time; ties in ticket order, then in each ticket's record order (a stable sort). */
  const completionsIn = (w: Window): CompletionEvent[] => {
    const key = `${w.from}|${w.to}`;
    let out = windows.get(key);
    if (!out) {
      const ids = reader.ticketsWithStatusAt(completeList, w.from, w.to);
      load(ids);
      out = [];
      for (const t of ids) for (const e of completions(t)) if (e.at >= w.from && e.at < w.to) out.push(e);
      out.sort((a, b) => a.at - b.at);
      windows.set(key, out);
    }
    return out.slice();
  };
  return {
    completionsIn,
    records,
    ticketIds: () => reader.ticketIds(),
    completions,
    firstCompletionIn(t, w) {
      for (const e of completions(t)) if (e.at >= w.from && e.at < w.to) return e;
      return null;
    },
    reopenedAfter(ev) {
      const recs = records(ev.ticketId);
      for (let i = ev.index + 1; i < recs.length; i++) {
        if (!isComplete(recs[i]!.status) && recs[i]!.changedAt - ev.at <= reopenMs) return true;
      }
      return false;
    },
    escalated(t) {
      return records(t).some((r) => (r.status !== null && escStatus.has(r.status)) || (r.queueId !== null && escQueue.has(r.queueId)));
    },
    firstAssigned(t) {
      for (const r of records(t)) if (r.assignedResourceId !== null) return r.assignedResourceId;
      return null;
    },
  };
}
