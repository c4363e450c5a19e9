import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../src/config.js';
import { createContext, openSession } from '../../../src/reporting/context.js';
import { resolveWindow } from '../../../src/reporting/time.js';
import { insert, makeStore, seedPicklists } from '../../helpers/store.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const root = path.resolve(__dirname, '../../../reports');

/** The plain form of a past period's hours by resource: one GROUP BY over the window's entries. */
const REFERENCE = `SELECT te.resourceID AS resource_id, SUM(COALESCE(te.hoursWorked, 0)) AS hours
FROM time_entries te
WHERE (te.startDateTime >= :from AND te.startDateTime < :to)
   OR (te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay)
GROUP BY te.resourceID`;

describe('labour profitability past-period hours (resource by resource through time_entries_resource)', () => {
  it('gives the rows, order and float sums of a GROUP BY over the window, entries without a resource included', () => {
    // Hours whose sums depend on the order of addition (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1), ties on start
    // time broken by ticket, date-only entries, entries outside the window and entries without a resource.
    const hours = [0.1, 0.2, 0.3, 0.7, 1e-3, 1 / 3, 2.675, 0.15, 1e10, 0.01];
    const entries: Record<string, unknown>[] = [];
    let id = 1;
    for (const resourceID of [null, 3, 1, 2]) {
      hours.forEach((h, i) => {
        const day = String(3 + (i % 4)).padStart(2, '0');
        entries.push({ id: id++, resourceID, ticketID: 100 - i, hoursWorked: h, startDateTime: `2026-10-${day}T09:00:00Z`, dateWorked: `2026-10-${day}` });
        entries.push({ id: id++, resourceID, ticketID: 50 + i, hoursWorked: hours[(i + 3) % hours.length], startDateTime: null, dateWorked: `2026-10-${day}` });
      });
      entries.push({ id: id++, resourceID, ticketID: 7, hoursWorked: 5, startDateTime: '2026-09-30T09:00:00Z', dateWorked: '2026-09-30' });
      entries.push({ id: id++, resourceID, ticketID: 7, hoursWorked: 5, startDateTime: null, dateWorked: '2026-11-01' });
    }
    entries.push({ id: id++, resourceID: 9, ticketID: 7, hoursWorked: 5, startDateTime: '2026-11-02T09:00:00Z', dateWorked: '2026-11-02' });
    insert(store.db, 'TimeEntries', entries);
    const s = openSession(store.db, SettingsSchema.parse({}), root);
    const asOf = Date.parse('2026-11-26T12:00:00Z');
    const ctx = createContext(s, 'profitability/labor-profitability', asOf, resolveWindow('previous-month', asOf, 'UTC'));
    const sql = fs.readFileSync(path.join(root, 'profitability/labor-profitability.trend.sql'), 'utf8');
    const got = store.db.prepare(sql).all(ctx.params);
    const want = store.db.prepare(REFERENCE).all(ctx.params);
    expect(want.map((r) => (r as { resource_id: number | null }).resource_id)).toEqual([null, 1, 2, 3]);
    expect(got).toEqual(want);
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(ctx.params) as { detail: string }[]).map((r) => r.detail);
    expect(plan.some((d) => /USE TEMP B-TREE/.test(d))).toBe(false);
  });
});
