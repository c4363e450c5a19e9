import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/backlog.js';
import { SettingsSchema, type Settings } from '../../../src/config.js';
import { createContext, openSession } from '../../../src/reporting/context.js';
import { loadTicketHistory } from '../../../src/reporting/history.js';
import { loadPicklists } from '../../../src/reporting/labels.js';
import { ratio } from '../../../src/reporting/stats.js';
import { resolveWindow } from '../../../src/reporting/time.js';
import { createClassifier, type TicketLabelsInput } from '../../../src/reporting/workflows.js';
import { runReport } from '../../helpers/report.js';
import { PICKLISTS, insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';

/**
 * The backlog's kill rate counts completion events from the state records of one week
 * (reports/intake/backlog.completed.sql), not from the whole ticket history. This compares that count with
 * the history's own definition (src/reporting/history.ts: firstCompletionIn over every backlog-workflow
 * ticket, as the report counted before) on a tenant made to hit every edge: reopened tickets completed
 * twice, completions exactly at the week's start and end (in three zones), a completedDate outside the
 * week while the record changed inside it (and the reverse), complete statuses under two labels and a
 * renumbered duplicate, unknown and null statuses, tickets without records and records of deleted tickets.
 */

let store: ReturnType<typeof makeStore>;
afterEach(() => store.cleanup());

// Two labels count as complete (settings below); value 31 is a second "Complete" (renumbered, inactive),
// 33 carries the second label with stray case and spaces; 40 has no label at all (open).
const LISTS = {
  ...PICKLISTS,
  Tickets: { ...PICKLISTS.Tickets, status: { ...PICKLISTS.Tickets!.status, 31: 'Complete', 33: '  closed - billed ' } },
};
const COMPLETES = [5, 31, 33];
const OPENS = [1, 8, 12, 17, 40];
const TYPES = ['Incident', 'Service Request', 'Alert', 'Problem', null] as const;

/** A deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The instants the records cluster on: Monday 00:00 of each week in each zone, ± 1 ms, ± 1 h. */
function edges(): number[] {
  const out: number[] = [];
  for (const tz of ['UTC', 'America/New_York', 'Pacific/Auckland']) {
    for (let t = Date.parse('2026-10-12T12:00:00Z'); t < Date.parse('2026-12-01T00:00:00Z'); t += 7 * DAY) {
      const w = resolveWindow('previous-week', t, tz)!;
      for (const e of [w.from, w.to]) out.push(e - HOUR, e - 1, e, e + 1, e + HOUR);
    }
  }
  return out;
}

function seed(db: typeof store.db): void {
  seedPicklists(db, LISTS);
  const r = rng(13);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const near = edges();
  const at = () => (r() < 0.6 ? pick(near) : Date.parse('2026-10-01T00:00:00Z') + Math.floor(r() * 70 * DAY));
  const tickets: Record<string, unknown>[] = [];
  const states: (number | null)[][] = [];
  for (let id = 1; id <= 400; id++) {
    const deleted = id % 37 === 0; // records stay, the ticket is gone
    if (!deleted) {
      const type = pick(TYPES);
      tickets.push({
        id, ticketNumber: `T${id}`, title: `ticket ${id}`, companyID: 3, createDate: new Date(at() - 20 * DAY).toISOString(),
        status: pick([...COMPLETES, ...OPENS]), ticketType: type === null ? null : pv('Tickets', 'ticketType', type),
        priority: pv('Tickets', 'priority', pick(['High', 'Medium', 'Low'])), projectID: r() < 0.1 ? 40 : null,
      });
    }
    const n = id % 11 === 0 ? 0 : Math.floor(r() * 6); // some tickets have no record
    let t = at();
    for (let k = 0; k < n; k++) {
      // A reopen: complete, then open again, then complete (completed twice, maybe in the same week).
      const status = r() < 0.08 ? null : r() < 0.5 ? pick(COMPLETES) : pick(OPENS);
      const c = r();
      // completedDate: absent (the event falls back to changedAt), the same, or across a week edge from it.
      const completed = c < 0.35 ? null : c < 0.55 ? t : c < 0.8 ? pick(near) : t - Math.floor(r() * 9 * DAY);
      states.push([id, t, status, completed]);
      t += r() < 0.3 ? 0 : Math.floor(r() * 4 * DAY); // equal changedAt: ties broken by id
    }
  }
  insert(db, 'Tickets', tickets);
  const ins = db.prepare('INSERT INTO ticket_states (ticket_id, changed_at, status, completed_date, recorded_at) VALUES (?, ?, ?, ?, 0)');
  db.transaction(() => { for (const s of states) ins.run(...s); })();
}

/** The count as the history defines it: backlog-workflow tickets with a completion event in the week. */
function historyCount(db: typeof store.db, settings: Settings, w: { from: number; to: number }): number {
  const pl = loadPicklists(db);
  const h = loadTicketHistory(db, settings, pl);
  const classify = createClassifier(settings, pl);
  const tickets = db.prepare('SELECT id, ticketType, priority, queueID, issueType, subIssueType, ticketCategory, source, status, projectID FROM tickets').all() as (TicketLabelsInput & { id: number })[];
  return tickets.filter((t) => classify(t).backlog && h.firstCompletionIn(t.id, w) !== null).length;
}

describe('intake/backlog: completions read from the week agree with the history', () => {
  beforeEach(() => { store = makeStore(); seed(store.db); });

  it('counts the same tickets for every as-of day over seven weeks, in three time zones', () => {
    let compared = 0;
    let nonZero = 0;
    for (const timezone of ['UTC', 'America/New_York', 'Pacific/Auckland']) {
      const settings = SettingsSchema.parse({ timezone, completeStatuses: ['Complete', 'Closed - Billed'] });
      const session = openSession(store.db, settings);
      for (let asOf = Date.parse('2026-10-13T00:00:00Z'); asOf < Date.parse('2026-12-01T00:00:00Z'); asOf += DAY + HOUR) {
        const w = resolveWindow('previous-week', asOf, timezone)!;
        const ctx = createContext(session, 'intake/backlog', asOf, null);
        const [{ n }] = ctx.query<{ n: number }>('completed', { killFrom: w.from, killTo: w.to }) as [{ n: number }];
        const want = historyCount(store.db, settings, w);
        expect({ timezone, asOf: new Date(asOf).toISOString(), n }).toEqual({ timezone, asOf: new Date(asOf).toISOString(), n: want });
        compared++;
        if (want > 0) nonZero++;
      }
    }
    // The fixture does exercise the count (not a comparison of zeros).
    expect(compared).toBeGreaterThan(100);
    expect(nonZero).toBeGreaterThan(compared * 0.9);
  });

  it('gives the report the kill rate the history gives', () => {
    const settings = { timezone: 'America/New_York', completeStatuses: ['Complete', 'Closed - Billed'] };
    for (const asOf of ['2026-10-26T05:00:00Z', '2026-11-09T04:59:59.999Z', '2026-11-16T05:00:00Z', '2026-11-23T05:00:00Z']) {
      const r = runReport(store.db, 'intake/backlog', def, { asOf, settings });
      const parsed = SettingsSchema.parse(settings);
      const w = resolveWindow('previous-week', Date.parse(asOf), parsed.timezone)!;
      const ctx = createContext(openSession(store.db, parsed), 'intake/backlog', Date.parse(asOf), null);
      const [{ n: created }] = ctx.query<{ n: number }>('created', { killFrom: w.from, killTo: w.to }) as [{ n: number }];
      expect(created).toBeGreaterThan(0);
      expect(r.metrics.kill_rate).toBe(ratio(historyCount(store.db, parsed, w), created));
    }
  });
});

/** The board recomputes the backlog after every sync: it must read the week's events and the open tickets only. */
describe('intake/backlog query plans', () => {
  beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
  const plan = (name: string) => {
    const settings = SettingsSchema.parse({});
    const asOf = Date.parse('2026-11-26T12:00:00Z');
    const w = resolveWindow('previous-week', asOf, 'UTC')!;
    const ctx = createContext(openSession(store.db, settings), 'intake/backlog', asOf, null);
    const sql = fs.readFileSync(path.join(__dirname, '../../../reports/intake', `backlog${name ? `.${name}` : ''}.sql`), 'utf8');
    return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...ctx.params, killFrom: w.from, killTo: w.to }) as { detail: string }[]).map((r) => r.detail);
  };

  it('reads the completion events of the week from the completion-time index, not every state record', () => {
    const p = plan('completed');
    expect(p.some((d) => /SEARCH s USING COVERING INDEX ticket_states_completion \(<expr>>\? AND <expr><\?\)/.test(d))).toBe(true);
    expect(p.some((d) => /SCAN s\b/.test(d))).toBe(false);
  });

  it('reads the open tickets one status range at a time, not the whole status index', () => {
    const p = plan('');
    // One search for the ranges of the statuses not complete, one for the NULL status.
    expect(p.filter((d) => /SEARCH (tk|tickets) USING COVERING INDEX tickets_status_cover \(status=\? AND projectID=\?\)/.test(d))).toHaveLength(2);
    expect(p.some((d) => /SCAN (tickets|tk|t)\b/.test(d))).toBe(false);
  });
});
