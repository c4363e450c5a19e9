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

/** Records per JSON chunk when loading the history (a few MB of text each). */
const HISTORY_CHUNK = 50_000;

/** Column positions of a raw record. */
const ID = 0, TICKET = 1, CHANGED = 2, STATUS = 3, QUEUE = 4, ASSIGNED = 5, PRIORITY = 6, COMPLETED = 7, COMPLETED_BY = 8;
type RawRecord = (number | null)[];

const before = (a: RawRecord, b: RawRecord) =>
  a[TICKET]! - b[TICKET]! || a[CHANGED]! - b[CHANGED]! || a[ID]! - b[ID]!;

/** Loads every ticket state record once (a few hundred thousand rows at the large scale). */
export function loadTicketHistory(db: Db, settings: Settings, pl: Picklists): TicketHistory {
  // SQLite encodes each chunk of records as one JSON text and V8 parses it: faster than fetching the values
  // one by one. Chunks (keyset over the index order) bound the size of one text. Records stay raw arrays;
  // TicketState objects are made only for records() callers (the reports' queries read the arrays).
  const chunk = db.prepare(`SELECT json_group_array(json_array(id, ticket_id, changed_at, status, queue_id, assigned_resource_id,
      priority, completed_date, completed_by_resource_id))
    FROM (SELECT * FROM ticket_states WHERE (ticket_id, changed_at, id) > (:t, :c, :i) ORDER BY ticket_id, changed_at, id LIMIT ${HISTORY_CHUNK})`).pluck();
  let rows: RawRecord[] = [];
  const after = { t: Number.MIN_SAFE_INTEGER, c: Number.MIN_SAFE_INTEGER, i: Number.MIN_SAFE_INTEGER };
  for (;;) {
    const raw = JSON.parse(chunk.get(after) as string) as RawRecord[];
    rows = rows.length ? rows.concat(raw) : raw;
    if (raw.length < HISTORY_CHUNK) break;
    let last = raw[0]!;
    for (const r of raw) if (before(r, last) > 0) last = r;
    after.t = last[TICKET]!; after.c = last[CHANGED]!; after.i = last[ID]!;
  }
  // The aggregate reads its ordered subquery in order; should it not, the records are sorted here.
  for (let i = 1; i < rows.length; i++) {
    if (before(rows[i - 1]!, rows[i]!) > 0) { rows.sort(before); break; }
  }
  /** Ticket id → [first, end) positions of its records in `rows`. */
  const span = new Map<number, [number, number]>();
  for (let i = 0; i < rows.length;) {
    const t = rows[i]![TICKET]!;
    let j = i + 1;
    while (j < rows.length && rows[j]![TICKET] === t) j++;
    span.set(t, [i, j]);
    i = j;
  }
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
    const sp = span.get(ticketId);
    if (sp) {
      for (let i = sp[0]; i < sp[1]; i++) {
        const r = rows[i]!;
        if (isComplete(r[STATUS])) c.push({ ticketId, index: i - sp[0], at: r[COMPLETED] ?? r[CHANGED]!, resourceId: r[COMPLETED_BY] ?? r[ASSIGNED] ?? null });
      }
    }
    compCache.set(ticketId, c);
    return c;
  };
  return {
    records(t) {
      let recs = recCache.get(t);
      if (!recs) {
        const sp = span.get(t);
        recs = sp ? rows.slice(sp[0], sp[1]).map((r) => ({
          id: r[ID]!, ticketId: t, changedAt: r[CHANGED]!, status: r[STATUS] ?? null, queueId: r[QUEUE] ?? null,
          assignedResourceId: r[ASSIGNED] ?? null, priority: r[PRIORITY] ?? null, completedDate: r[COMPLETED] ?? null,
          completedByResourceId: r[COMPLETED_BY] ?? null,
        })) : [];
        recCache.set(t, recs);
      }
      return recs;
    },
    ticketIds: () => [...span.keys()],
    completions,
    firstCompletionIn(t, w) {
      for (const e of completions(t)) if (e.at >= w.from && e.at < w.to) return e;
      return null;
    },
    reopenedAfter(ev) {
      const sp = span.get(ev.ticketId);
      if (!sp) return false;
      for (let i = sp[0] + ev.index + 1; i < sp[1]; i++) {
        const r = rows[i]!;
        if (!isComplete(r[STATUS]) && r[CHANGED]! - ev.at <= reopenMs) return true;
      }
      return false;
    },
    escalated(t) {
      const sp = span.get(t);
      if (!sp) return false;
      for (let i = sp[0]; i < sp[1]; i++) {
        const r = rows[i]!;
        if ((r[STATUS] !== null && escStatus.has(r[STATUS]!)) || (r[QUEUE] !== null && escQueue.has(r[QUEUE]!))) return true;
      }
      return false;
    },
    firstAssigned(t) {
      const sp = span.get(t);
      if (!sp) return null;
      for (let i = sp[0]; i < sp[1]; i++) if (rows[i]![ASSIGNED] !== null) return rows[i]![ASSIGNED]!;
      return null;
    },
  };
}
