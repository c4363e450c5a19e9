import type { Settings } from '../config.js';
import type { Db } from '../store/db.js';
import { ticketStateChunks } from '../store/ticket-states.js';
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

/** Records per JSON chunk when loading the history (a few MB of text each). */
const HISTORY_CHUNK = 50_000;

/** The record columns, in load order. */
const COLUMNS = ['id', 'ticket_id', 'changed_at', 'status', 'queue_id', 'assigned_resource_id', 'priority', 'completed_date',
  'completed_by_resource_id'] as const;
type Column = (number | null)[];

/** Loads every ticket state record once (a few hundred thousand rows at the large scale). */
export function loadTicketHistory(db: Db, settings: Settings, pl: Picklists): TicketHistory {
  // SQLite encodes each chunk as one JSON array per column and V8 parses them into flat number arrays:
  // far fewer values crossing the driver and no object per record. Chunks (keyset over the index order)
  // bound the size of one text. TicketState objects are made only for records() callers.
  const chunk = ticketStateChunks(db, COLUMNS, HISTORY_CHUNK);
  let cols: Column[] = COLUMNS.map(() => []);
  const after = { t: Number.MIN_SAFE_INTEGER, c: Number.MIN_SAFE_INTEGER, i: Number.MIN_SAFE_INTEGER };
  for (;;) {
    const part = chunk(after).map((j) => JSON.parse(j) as Column);
    const n = part[0]!.length;
    cols = cols[0]!.length ? cols.map((c, k) => c.concat(part[k]!)) : part;
    if (n < HISTORY_CHUNK) break;
    const [pid, pticket, pchanged] = part as [Column, Column, Column];
    let last = 0;
    for (let i = 1; i < n; i++) if ((pticket[i]! - pticket[last]! || pchanged[i]! - pchanged[last]! || pid[i]! - pid[last]!) > 0) last = i;
    after.t = pticket[last]!; after.c = pchanged[last]!; after.i = pid[last]!;
  }
  const [ids, tickets, changed, status, queue, assigned, priority, completed, completedBy] = cols as [Column, Column, Column, Column, Column, Column, Column, Column, Column];
  const order = (a: number, b: number) => tickets[a]! - tickets[b]! || changed[a]! - changed[b]! || ids[a]! - ids[b]!;
  // The aggregate reads its ordered subquery in order; should it not, the records are put in order here.
  for (let i = 1; i < ids.length; i++) {
    if (order(i - 1, i) > 0) {
      const perm = ids.map((_, k) => k).sort(order);
      for (const c of cols) { const copy = c.slice(); perm.forEach((p, k) => { c[k] = copy[p] ?? null; }); }
      break;
    }
  }
  /** Ticket id → position of its first record; its records run while the ticket id stays the same. */
  const first = new Map<number, number>();
  for (let i = 0; i < tickets.length; i++) if (i === 0 || tickets[i] !== tickets[i - 1]) first.set(tickets[i]!, i);
  const completeVals = new Set(pl.valuesOf('Tickets', 'status', settings.completeStatuses));
  const escStatus = new Set(pl.valuesOf('Tickets', 'status', settings.escalationStatuses));
  const escQueue = new Set(pl.valuesOf('Tickets', 'queueID', settings.escalationQueues));
  const isComplete = (s: number | null | undefined) => s !== null && s !== undefined && completeVals.has(s);
  const reopenMs = settings.reopenDays * DAY;
  const compCache = new Map<number, CompletionEvent[]>();
  const recCache = new Map<number, TicketState[]>();

  const completions = (ticketId: number): CompletionEvent[] => {
    let c = compCache.get(ticketId);
    if (c) return c;
    c = [];
    const s0 = first.get(ticketId);
    if (s0 !== undefined) {
      for (let i = s0; i < tickets.length && tickets[i] === ticketId; i++) {
        if (isComplete(status[i])) c.push({ ticketId, index: i - s0, at: completed[i] ?? changed[i]!, resourceId: completedBy[i] ?? assigned[i] ?? null });
      }
    }
    compCache.set(ticketId, c);
    return c;
  };
  // Every ticket's completion events by time, made on first use: a window's events are then a range of it
  // (the trend's past periods each ask for theirs), not a walk over every ticket.
  let byTime: CompletionEvent[] | null = null;
  const completionsIn = (w: Window): CompletionEvent[] => {
    if (!byTime) {
      byTime = [];
      for (const t of first.keys()) for (const e of completions(t)) byTime.push(e);
      byTime.sort((a, b) => a.at - b.at);
    }
    let lo = 0, hi = byTime.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (byTime[mid]!.at < w.from) lo = mid + 1; else hi = mid; }
    const out: CompletionEvent[] = [];
    for (let i = lo; i < byTime.length && byTime[i]!.at < w.to; i++) out.push(byTime[i]!);
    return out;
  };
  return {
    completionsIn,
    records(t) {
      let recs = recCache.get(t);
      if (!recs) {
        recs = [];
        const s0 = first.get(t);
        if (s0 !== undefined) {
          for (let i = s0; i < tickets.length && tickets[i] === t; i++) {
            recs.push({
              id: ids[i]!, ticketId: t, changedAt: changed[i]!, status: status[i] ?? null, queueId: queue[i] ?? null,
              assignedResourceId: assigned[i] ?? null, priority: priority[i] ?? null, completedDate: completed[i] ?? null,
              completedByResourceId: completedBy[i] ?? null,
            });
          }
        }
        recCache.set(t, recs);
      }
      return recs;
    },
    ticketIds: () => [...first.keys()],
    completions,
    firstCompletionIn(t, w) {
      for (const e of completions(t)) if (e.at >= w.from && e.at < w.to) return e;
      return null;
    },
    reopenedAfter(ev) {
      const s0 = first.get(ev.ticketId);
      if (s0 === undefined) return false;
      for (let i = s0 + ev.index + 1; i < tickets.length && tickets[i] === ev.ticketId; i++) {
        if (!isComplete(status[i]) && changed[i]! - ev.at <= reopenMs) return true;
      }
      return false;
    },
    escalated(t) {
      const s0 = first.get(t);
      if (s0 === undefined) return false;
      for (let i = s0; i < tickets.length && tickets[i] === t; i++) {
        if ((status[i] !== null && escStatus.has(status[i]!)) || (queue[i] !== null && escQueue.has(queue[i]!))) return true;
      }
      return false;
    },
    firstAssigned(t) {
      const s0 = first.get(t);
      if (s0 === undefined) return null;
      for (let i = s0; i < tickets.length && tickets[i] === t; i++) if (assigned[i] !== null) return assigned[i]!;
      return null;
    },
  };
}
