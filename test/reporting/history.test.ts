import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { loadTicketHistory, type CompletionEvent } from '../../src/reporting/history.js';
import { loadPicklists } from '../../src/reporting/labels.js';
import { Rng } from '../../src/simulator/prng.js';
import { makeStore, seedPicklists } from '../helpers/store.js';

/**
 * The ticket history reads the records of the tickets a report asks about (a window's completions through
 * the index of completion instants, then those tickets' records), not every record. Held here to a reading
 * of every record that applies kpi-spec §3 directly, on records made to hit the edges: several completions
 * per ticket (reopened), equal change instants (ties by id), records inserted out of order, completedDate
 * before, at and after the record's change, null and unknown statuses, escalation by status and by queue,
 * states before the first assignment, and windows whose edges fall on event instants.
 */
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); });
afterEach(() => store.cleanup());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-10-01T00:00:00Z');
const STATUSES = [1, 5, 5, 8, 12, 17, 40, null]; // 5 Complete, 12 Escalate, 40 unknown
const QUEUES = [29682833, 29682834, 29682835, 29682836, null]; // Tier 2 and Tier 3 escalate
const RESOURCES = [null, null, 7, 8, 9];

interface Rec { id: number; ticket: number; changed: number; status: number | null; queue: number | null; assigned: number | null; completed: number | null; completedBy: number | null }

function seed(): { recs: Rec[]; instants: number[] } {
  seedPicklists(store.db);
  const r = new Rng(29);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r.next() * xs.length)]!;
  const rows: Omit<Rec, 'id'>[] = [];
  for (let ticket = 1; ticket <= 300; ticket++) {
    const n = ticket % 13 === 0 ? 0 : r.int(1, 7);
    let t = T0 + r.int(0, 40) * DAY + r.int(0, 23) * HOUR;
    for (let k = 0; k < n; k++) {
      const c = r.next();
      rows.push({
        ticket, changed: t, status: pick(STATUSES), queue: pick(QUEUES), assigned: pick(RESOURCES),
        completed: c < 0.4 ? null : c < 0.6 ? t : t + r.int(-5, 5) * DAY, completedBy: pick(RESOURCES),
      });
      t += r.next() < 0.25 ? 0 : r.int(1, 20) * HOUR; // equal instants: ties by id
    }
  }
  // Inserted in a shuffled order: ids do not follow the ticket or the time.
  for (let i = rows.length - 1; i > 0; i--) { const j = r.int(0, i); [rows[i], rows[j]] = [rows[j]!, rows[i]!]; }
  const ins = store.db.prepare(`INSERT INTO ticket_states (ticket_id, changed_at, status, queue_id, assigned_resource_id, completed_date,
    completed_by_resource_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)`);
  const recs: Rec[] = [];
  store.db.transaction(() => {
    for (const x of rows) {
      const id = Number(ins.run(x.ticket, x.changed, x.status, x.queue, x.assigned, x.completed, x.completedBy).lastInsertRowid);
      recs.push({ id, ...x });
    }
  })();
  return { recs, instants: [...new Set(rows.flatMap((x) => [x.changed, x.completed ?? x.changed]))] };
}

/** kpi-spec §3 over every record, read at once. */
function reference(recs: Rec[], settings: { reopenDays: number }) {
  const byTicket = new Map<number, Rec[]>();
  for (const x of recs) byTicket.set(x.ticket, [...(byTicket.get(x.ticket) ?? []), x]);
  for (const list of byTicket.values()) list.sort((a, b) => a.changed - b.changed || a.id - b.id);
  const completions = (t: number): CompletionEvent[] => (byTicket.get(t) ?? []).flatMap((x, index) =>
    x.status === 5 ? [{ ticketId: t, index, at: x.completed ?? x.changed, resourceId: x.completedBy ?? x.assigned ?? null }] : []);
  const tickets = [...byTicket.keys()].sort((a, b) => a - b);
  return {
    tickets,
    records: (t: number) => byTicket.get(t) ?? [],
    completions,
    completionsIn: (w: { from: number; to: number }) =>
      tickets.flatMap(completions).filter((e) => e.at >= w.from && e.at < w.to).sort((a, b) => a.at - b.at),
    reopenedAfter: (e: CompletionEvent) => byTicket.get(e.ticketId)!.slice(e.index + 1)
      .some((x) => x.status !== 5 && x.changed - e.at <= settings.reopenDays * DAY),
    escalated: (t: number) => (byTicket.get(t) ?? []).some((x) => x.status === 12 || x.queue === 29682835 || x.queue === 29682836),
    firstAssigned: (t: number) => (byTicket.get(t) ?? []).find((x) => x.assigned !== null)?.assigned ?? null,
  };
}

describe('ticket history', () => {
  it('answers what a reading of every record answers, for every ticket and for windows on event instants', () => {
    const { recs, instants } = seed();
    const settings = SettingsSchema.parse({});
    const ref = reference(recs, settings);
    const windows = [{ from: T0 - 10 * DAY, to: T0 + 90 * DAY }];
    const r = new Rng(3);
    for (let i = 0; i < 40; i++) {
      const a = instants[r.int(0, instants.length - 1)]!;
      windows.push({ from: a, to: a + r.int(0, 10) * DAY + (i % 2) });
    }
    // A fresh history per order of questions: a window first (its tickets read together), or a ticket first.
    const h = loadTicketHistory(store.db, settings, loadPicklists(store.db));
    let events = 0;
    for (const w of windows) {
      const got = h.completionsIn(w);
      expect(got).toEqual(ref.completionsIn(w));
      events += got.length;
      for (const e of got) expect(h.reopenedAfter(e)).toBe(ref.reopenedAfter(e));
    }
    expect(events).toBeGreaterThan(100);
    const fresh = loadTicketHistory(store.db, settings, loadPicklists(store.db));
    expect(fresh.ticketIds()).toEqual(ref.tickets);
    for (const t of [...ref.tickets, 13, 9999]) {
      for (const hist of [fresh, h]) {
        expect(hist.records(t).map((x) => x.id)).toEqual(ref.records(t).map((x) => x.id));
        expect(hist.completions(t)).toEqual(ref.completions(t));
        expect(hist.escalated(t)).toBe(ref.escalated(t));
        expect(hist.firstAssigned(t)).toBe(ref.firstAssigned(t));
        for (const w of windows.slice(0, 5)) {
          expect(hist.firstCompletionIn(t, w)).toEqual(ref.completions(t).find((e) => e.at >= w.from && e.at < w.to) ?? null);
        }
      }
    }
    // The edges are hit: escalated and not, reopened and not, tickets never assigned.
    expect(new Set(ref.tickets.map(ref.escalated))).toEqual(new Set([true, false]));
    expect(ref.tickets.some((t) => ref.completions(t).some(ref.reopenedAfter))).toBe(true);
    expect(ref.tickets.some((t) => ref.firstAssigned(t) === null)).toBe(true);
  });
});
