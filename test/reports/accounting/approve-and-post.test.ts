import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../src/config.js';
import { openSession } from '../../../src/reporting/context.js';
import def from '../../../reports/accounting/approve-and-post.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';
import { toJsonShape } from '../../../src/app.js';
import { burstResults } from '../../../src/reporting/personal.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const DAY = 86_400_000;
const T = '2026-11-26T12:00:00Z';
const t = Date.parse(T);
const at = (ms: number) => new Date(ms).toISOString();

function seedRefs() {
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme', isActive: true }, { id: 20, companyName: 'Globex', isActive: true }]);
  insert(store.db, 'Roles', [{ id: 1, name: 'Engineer', hourlyRate: 150 }, { id: 2, name: 'Helpdesk', hourlyRate: 100 }, { id: 3, name: 'No rate', hourlyRate: null }]);
  insert(store.db, 'Tickets', [{ id: 100, ticketNumber: 'T1', title: 'x', companyID: 10, status: pv('Tickets', 'status', 'New'), createDate: '2026-10-01T00:00:00Z' }]);
  insert(store.db, 'Projects', [{ id: 500, projectName: 'Migration', companyID: 20 }]);
  insert(store.db, 'Tasks', [{ id: 600, projectID: 500, title: 'Move mail' }]);
}
const entry = (id: number, e: Record<string, unknown>) => ({ id, resourceID: 1, roleID: 1, isNonBillable: false, billingApprovalDateTime: null, hoursWorked: 1, ...e });

describe('accounting/approve-and-post', () => {
  it('counts unapproved billable time with its exclusions, ages and company grouping', () => {
    seedRefs();
    insert(store.db, 'TimeEntries', [
      entry(1, { ticketID: 100, roleID: 1, startDateTime: at(t - 2 * DAY), hoursToBill: 2 }),          // 2 × 150 = 300, 2 d
      entry(2, { ticketID: 100, roleID: 2, startDateTime: at(t - 7 * DAY), hoursToBill: 1.5 }),        // 1.5 × 100 = 150, exactly 7 d: not over 7 d
      entry(3, { ticketID: 100, roleID: 1, startDateTime: at(t - 7 * DAY - 1000), hoursToBill: 1 }),   // 150, just over 7 d
      entry(4, { taskID: 600, roleID: 2, dateWorked: '2026-10-27', hoursToBill: 3 }),                  // 300, 30.5 d: over 30 d; company via project
      entry(5, { taskID: 600, roleID: 1, startDateTime: at(t - 30 * DAY), hoursToBill: 1 }),           // 150, exactly 30 d: over 7 d only
      entry(11, { ticketID: 100, roleID: 3, dateWorked: '2026-11-26', hoursToBill: 0.5 }),             // 00:00 UTC < T: in; no rate → value 0
      entry(13, { roleID: 1, startDateTime: at(t - DAY), hoursToBill: 1 }),                            // no ticket or task: "No company", 150
      // excluded:
      entry(6, { ticketID: 100, startDateTime: at(t - DAY), hoursToBill: 1, billingApprovalDateTime: at(t - 1000) }), // approved
      entry(7, { ticketID: 100, startDateTime: at(t - DAY), hoursToBill: 1, isNonBillable: true }),   // non-billable
      entry(8, { ticketID: 100, startDateTime: at(t - DAY), hoursToBill: 0 }),                        // nothing to bill
      entry(9, { ticketID: 100, startDateTime: T, hoursToBill: 1 }),                                  // work instant exactly at T
      entry(10, { ticketID: 100, startDateTime: at(t - DAY), hoursToBill: 1 }),                       // already billed (below)
      entry(12, { ticketID: 100, dateWorked: '2026-11-27', hoursToBill: 1 }),                         // tomorrow
    ]);
    insert(store.db, 'BillingItems', [{ id: 9000, billingItemType: pv('BillingItems', 'billingItemType', 'Labor'), timeEntryID: 10, contractID: null, extendedPrice: 150, itemDate: at(t - DAY) }]);

    const r = runReport(store.db, 'accounting/approve-and-post', def, { asOf: T });
    // included: 1, 2, 3, 4, 5, 11, 13
    expect(r.metrics).toEqual({
      entries: 7,
      hours: 2 + 1.5 + 1 + 3 + 1 + 0.5 + 1, // 10
      value: 300 + 150 + 150 + 300 + 150 + 0 + 150, // 1200
      over_7d: 3, // 3, 4, 5
      over_30d: 1, // 4
    });
    expect(r.rows).toEqual([
      // Acme: 1, 2, 3, 11 → 2 + 1.5 + 1 + 0.5 h; 300 + 150 + 150 + 0; oldest is entry 3 at 7 d + 1 s
      { company_id: 10, company: 'Acme', entries: 4, hours: 5, value: 600, oldest_days: 7 + 1000 / DAY },
      // Globex (task → project): 4, 5 → 3 + 1 h; 300 + 150; oldest is entry 4, 2026-10-27 00:00 UTC = T − 30.5 d
      { company_id: 20, company: 'Globex', entries: 2, hours: 4, value: 450, oldest_days: 30.5 },
      { company_id: null, company: 'No company', entries: 1, hours: 1, value: 150, oldest_days: 1 },
    ]);
    expect(r.charts[0]).toMatchObject({
      id: 'value-by-age', kind: 'bar', unit: 'money',
      // ≤ 7 d: 1, 2, 11, 13 = 300 + 150 + 0 + 150; 8–30 d: 3, 5 = 150 + 150; > 30 d: 4 = 300
      datasets: [{ label: 'Value', data: [600, 300, 300] }],
    });
    expect(r.warnings.join(' ')).toMatch(/1 unapproved entry has no role hourly rate/);
  });

  it('reads dateWorked as 00:00 in the time zone (America/New_York)', () => {
    seedRefs();
    const TNY = '2026-11-26T03:00:00Z'; // 2026-11-25 22:00 in New York
    insert(store.db, 'TimeEntries', [
      entry(1, { ticketID: 100, dateWorked: '2026-11-26', hoursToBill: 1 }), // 00:00 EST = 05:00Z, after T: out
      entry(2, { ticketID: 100, dateWorked: '2026-11-25', hoursToBill: 2 }), // 00:00 EST = 2026-11-25T05:00Z: in, 22 h old
    ]);
    const r = runReport(store.db, 'accounting/approve-and-post', def, { asOf: TNY, settings: { timezone: 'America/New_York' } });
    expect(r.metrics).toEqual({ entries: 1, hours: 2, value: 300, over_7d: 0, over_30d: 0 });
    expect(r.rows[0]!.oldest_days).toBeCloseTo(22 / 24, 12);
    // In UTC both dates are before T (00:00Z of the 26th < 03:00Z).
    const u = runReport(store.db, 'accounting/approve-and-post', def, { asOf: TNY });
    expect(u.metrics.entries).toBe(2);
  });

  it('is all zeros with no unapproved time', () => {
    seedRefs();
    const r = runReport(store.db, 'accounting/approve-and-post', def, { asOf: T });
    expect(r.metrics).toEqual({ entries: 0, hours: 0, value: 0, over_7d: 0, over_30d: 0 });
    expect(r.rows).toEqual([]);
  });

  it('lists the unapproved time per resource and per entry, beside the spec rows and outside the JSON shape', () => {
    seedRefs();
    insert(store.db, 'Resources', [{ id: 1, firstName: 'Ada', lastName: 'Lovelace', isActive: true }, { id: 2, firstName: 'Ben', lastName: 'Ng', isActive: true }]);
    insert(store.db, 'TimeEntries', [
      entry(1, { resourceID: 1, ticketID: 100, roleID: 1, startDateTime: at(t - 2 * DAY), hoursToBill: 2 }),      // 300, 2 d
      entry(2, { resourceID: 2, ticketID: 100, roleID: 2, startDateTime: at(t - 9 * DAY), hoursToBill: 1.5 }),    // 150, 9 d
      entry(3, { resourceID: 2, taskID: 600, roleID: 1, dateWorked: '2026-10-27', hoursToBill: 3 }),              // 450, 30.5 d
      entry(4, { resourceID: 1, taskID: 600, roleID: 3, dateWorked: '2026-11-25', hoursToBill: 1 }),              // no rate: 0, 1.5 d
      entry(5, { resourceID: 2, ticketID: 100, startDateTime: at(t - DAY), hoursToBill: 1, billingApprovalDateTime: at(t - 1000) }), // approved: out
    ]);
    const r = runReport(store.db, 'accounting/approve-and-post', def, { asOf: T });
    expect(r.metrics).toEqual({ entries: 4, hours: 7.5, value: 900, over_7d: 2, over_30d: 1 });
    const [byResource, byEntry] = r.lists!;
    expect(byResource!.title).toBe('Unapproved time by resource');
    // Largest value first: Ben 150 + 450 = 600, Ada 300 + 0.
    expect(byResource!.rows).toEqual([
      { resource_id: 2, resource: 'Ben Ng', entries: 2, hours: 4.5, value: 600, over_7d: 2, oldest_days: 30.5 },
      { resource_id: 1, resource: 'Ada Lovelace', entries: 2, hours: 3, value: 300, over_7d: 0, oldest_days: 2 },
    ]);
    // The per-resource table adds up to the report's totals.
    expect(byResource!.rows.reduce((a, x) => a + (x.value as number), 0)).toBe(r.metrics.value);
    // Oldest first, with the date worked, the ticket number and title or the project and task.
    expect(byEntry!.rows.map((e) => [e.time_entry_id, e.date, e.resource, e.company, e.work_item, e.hours, e.value])).toEqual([
      [3, '2026-10-27', 'Ben Ng', 'Globex', 'Migration: Move mail', 3, 450],
      [2, '2026-11-17', 'Ben Ng', 'Acme', 'T1 x', 1.5, 150],
      [1, '2026-11-24', 'Ada Lovelace', 'Acme', 'T1 x', 2, 300],
      [4, '2026-11-25', 'Ada Lovelace', 'Globex', 'Migration: Move mail', 1, 0],
    ]);
    expect(byEntry!.rows[0]!.age_days).toBe(30.5);
    expect(byEntry!.columns.map((c) => c.label)).toEqual(['Date worked', 'Resource', 'Ticket or project task', 'Hours', 'Value', 'Company', 'Age (days)']);
    // The spec's rows are unchanged, and the tables are not part of the JSON shape.
    expect(r.rows.map((x) => Object.keys(x))).toEqual(r.rows.map(() => ['company_id', 'company', 'entries', 'hours', 'value', 'oldest_days']));
    expect(Object.keys(toJsonShape(r))).toEqual(['report', 'title', 'asOf', 'window', 'metrics', 'rows']);
  });

  it('keeps a company\'s own entries in its copy and leaves the per-resource table out', () => {
    seedRefs();
    insert(store.db, 'TimeEntries', [
      entry(1, { ticketID: 100, startDateTime: at(t - 2 * DAY), hoursToBill: 2 }),
      entry(2, { taskID: 600, startDateTime: at(t - 3 * DAY), hoursToBill: 1 }),
    ]);
    const r = runReport(store.db, 'accounting/approve-and-post', def, { asOf: T });
    const { results } = burstResults([r], 'company', 20);
    expect(results[0]!.lists!.map((l) => l.title)).toEqual(['Unapproved entries by age']);
    expect(results[0]!.lists![0]!.rows.map((e) => e.time_entry_id)).toEqual([2]);
  });

  it('reads unapproved entries through the partial index, not by scanning time_entries', () => {
    openSession(store.db, SettingsSchema.parse({})); // registers work_ms and the other SQL functions
    const sql = fs.readFileSync(path.resolve(__dirname, '../../../reports/accounting/approve-and-post.sql'), 'utf8');
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ asOf: t, toDay: '2026-11-27' }) as { detail: string }[]).map((p) => p.detail);
    expect(plan.some((d) => /SCAN te USING COVERING INDEX time_entries_unapproved/.test(d))).toBe(true);
  });
});
