import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../src/config.js';
import { createContext, openSession } from '../../../src/reporting/context.js';
import { resolveWindow } from '../../../src/reporting/time.js';
import { makeStore, seedPicklists } from '../../helpers/store.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const root = path.resolve(__dirname, '../../../reports');

/** The reports that select time entries by work instant must read only the window, never all history. */
describe('profitability query plans', () => {
  it.each(['profitability/resource-utilization', 'profitability/rhem', 'profitability/labor-profitability'])('%s reads the window entries from the covering work-instant index', (id) => {
    const settings = SettingsSchema.parse({});
    const s = openSession(store.db, settings, root);
    const asOf = Date.parse('2026-11-26T12:00:00Z');
    const ctx = createContext(s, id, asOf, resolveWindow('previous-month', asOf, 'UTC'));
    const sql = fs.readFileSync(path.join(root, `${id}.sql`), 'utf8');
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...ctx.params, lastDay: '2026-10-31' }) as { detail: string }[]).map((r) => r.detail);
    expect(plan.some((d) => /SEARCH te USING COVERING INDEX time_entries_work \(startDateTime>\? AND startDateTime<\?\)/.test(d))).toBe(true);
    expect(plan.some((d) => /SEARCH te USING COVERING INDEX time_entries_work \(startDateTime=\? AND dateWorked>\? AND dateWorked<\?\)/.test(d))).toBe(true);
    expect(plan.some((d) => /SCAN te\b/.test(d))).toBe(false);
  });
});

describe('the unposted-time note and the trend periods of labour profitability', () => {
  const plan = (id: string, name: string) => {
    const settings = SettingsSchema.parse({});
    const s = openSession(store.db, settings, root);
    const asOf = Date.parse('2026-11-26T12:00:00Z');
    const ctx = createContext(s, id, asOf, resolveWindow('previous-month', asOf, 'UTC'));
    const sql = fs.readFileSync(path.join(root, `${id}.${name}.sql`), 'utf8');
    return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(ctx.params) as { detail: string }[]).map((r) => r.detail);
  };
  it('reads the unapproved entries from their covering partial index, not each window entry\'s row', () => {
    const p = plan('profitability/labor-profitability', 'unposted');
    expect(p.some((d) => /SCAN te USING COVERING INDEX time_entries_unapproved/.test(d))).toBe(true);
    expect(p.some((d) => /time_entries_start/.test(d))).toBe(false);
  });
  it('sums a past period by resource from the covering resource index only, reading no ticket, task or project', () => {
    const p = plan('profitability/labor-profitability', 'trend');
    expect(p.some((d) => /SEARCH te USING COVERING INDEX time_entries_resource \(resourceID=\? AND startDateTime>\? AND startDateTime<\?\)/.test(d))).toBe(true);
    expect(p.some((d) => /tickets|tasks|projects|SCAN te\b/.test(d))).toBe(false);
  });
});
