import type { Settings } from '../config.js';
import type { Db } from '../store/db.js';
import type { Instant, Window } from '../types.js';
import { DAY } from './time.js';
import type { Picklists } from './labels.js';

/** One ticket state record (kpi-spec §3), as stored by the sync. */
export interface TicketState {
  /** Row id (ties break by it). */
  id: number;
  /** Ticket id. */
  ticketId: number;
  /** When the state was recorded as changed (ms). */
  changedAt: Instant;
  /** Status value. */
  status: number | null;
  /** Queue value. */
  queueId: number | null;
  /** Assigned resource. */
  assignedResourceId: number | null;
  /** Priority value. */
  priority: number | null;
  /** completedDate at the time (ms). */
  completedDate: Instant | null;
  /** completedByResourceID at the time. */
  completedByResourceId: number | null;
}

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
  /** The first completion event in the window (a ticket counts once), or null. */
  firstCompletionIn(ticketId: number, w: Window): CompletionEvent | null;
  /** Whether a non-complete record follows the completion within settings.reopenDays. */
  reopenedAfter(ev: CompletionEvent): boolean;
  /** Whether any record has an escalation status or queue. */
  escalated(ticketId: number): boolean;
  /** The first resource ever recorded as assigned (records before the first assignment skipped), or null. */
  firstAssigned(ticketId: number): number | null;
}

/** Loads every ticket state record once (a few hundred thousand rows at the large scale). */
export function loadTicketHistory(db: Db, settings: Settings, pl: Picklists): TicketHistory {
  // Raw arrays, not objects: a few hundred thousand records load several times faster this way.
  const raw = db.prepare(`SELECT id, ticket_id, changed_at, status, queue_id, assigned_resource_id, priority,
      completed_date, completed_by_resource_id
    FROM ticket_states ORDER BY ticket_id, changed_at, id`).raw(true).all() as (number | null)[][];
  const by = new Map<number, TicketState[]>();
  let cur: TicketState[] | null = null;
  let curId = -1;
  for (const r of raw) {
    const ticketId = r[1] as number;
    if (ticketId !== curId) {
      cur = [];
      by.set(ticketId, cur);
      curId = ticketId;
    }
    cur!.push({
      id: r[0] as number, ticketId, changedAt: r[2] as number, status: r[3] as number | null, queueId: r[4] as number | null,
      assignedResourceId: r[5] as number | null, priority: r[6] as number | null, completedDate: r[7] as number | null,
      completedByResourceId: r[8] as number | null,
    });
  }
  const completeVals = new Set(pl.valuesOf('Tickets', 'status', settings.completeStatuses));
  const escStatus = new Set(pl.valuesOf('Tickets', 'status', settings.escalationStatuses));
  const escQueue = new Set(pl.valuesOf('Tickets', 'queueID', settings.escalationQueues));
  const isComplete = (s: number | null) => s !== null && completeVals.has(s);
  const reopenMs = settings.reopenDays * DAY;
  const compCache = new Map<number, CompletionEvent[]>();

  const completions = (ticketId: number): CompletionEvent[] => {
    let c = compCache.get(ticketId);
    if (c) return c;
    c = [];
    const recs = by.get(ticketId) ?? [];
    recs.forEach((r, index) => {
      if (isComplete(r.status)) c!.push({ ticketId, index, at: r.completedDate ?? r.changedAt, resourceId: r.completedByResourceId ?? r.assignedResourceId });
    });
    compCache.set(ticketId, c);
    return c;
  };
  return {
    records: (t) => by.get(t) ?? [],
    ticketIds: () => [...by.keys()],
    completions,
    firstCompletionIn(t, w) {
      for (const e of completions(t)) if (e.at >= w.from && e.at < w.to) return e;
      return null;
    },
    reopenedAfter(ev) {
      const recs = by.get(ev.ticketId) ?? [];
      for (let i = ev.index + 1; i < recs.length; i++) {
        const r = recs[i]!;
        if (!isComplete(r.status) && r.changedAt - ev.at <= reopenMs) return true;
      }
      return false;
    },
    escalated(t) {
      return (by.get(t) ?? []).some((r) => (r.status !== null && escStatus.has(r.status)) || (r.queueId !== null && escQueue.has(r.queueId)));
    },
    firstAssigned(t) {
      return (by.get(t) ?? []).find((r) => r.assignedResourceId !== null)?.assignedResourceId ?? null;
    },
  };
}
