import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../reports/profitability/labor-profitability.js';
import utilization from '../../reports/profitability/resource-utilization.js';
import { SettingsSchema } from '../../src/config.js';
import { computeReports } from '../../src/reporting/engine.js';
import type { ReportDefinition } from '../../src/reporting/define.js';
import { openDb } from '../../src/store/db.js';
import { insert, makeStore, pv, seedPicklists } from '../helpers/store.js';

/**
 * The past periods of a trend are reused from the store while nothing they read changed, and recomputed
 * on the next view once a sync (or any writer) changes a row they read.
 */
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); teId = 1; biId = 1; });
afterEach(() => store.cleanup());

const T = Date.parse('2026-12-02T12:00:00Z'); // a Wednesday: the window is the week of 23 Nov, trend weeks before it
const ID = 'profitability/labor-profitability';
let teId = 1;
let biId = 1;

function seed(): void {
  insert(store.db, 'Companies', [{ id: 0, companyName: 'Our MSP' }, { id: 1, companyName: 'Acme' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true, internalCost: 50 }]);
  insert(store.db, 'Tickets', [{ id: 10, ticketNumber: 'T10', title: 'a', companyID: 1 }]);
  // Each of the nine weeks: 1000 of labour revenue against 4 h × 50 = 200 of cost (ratio 5).
  for (let k = 0; k < 9; k++) {
    const day = new Date(Date.parse('2026-11-25T10:00:00Z') - k * 7 * 86_400_000).toISOString();
    insert(store.db, 'TimeEntries', [{ id: teId++, resourceID: 1, ticketID: 10, hoursWorked: 4, startDateTime: day, dateWorked: day.slice(0, 10) }]);
    insert(store.db, 'BillingItems', [{ id: biId++, companyID: 1, billingItemType: pv('BillingItems', 'billingItemType', 'Labor'), extendedPrice: 1000, itemDate: day, itemName: 'Labor' }]);
  }
}

function trend(report: ReportDefinition = def, id = ID, readOnly = false): { labels: string[]; values: (number | null)[] } {
  const [r] = computeReports(store.db, [{ id, group: id.split('/')[0]!, def: report }], {
    settings: SettingsSchema.parse({}), asOf: T, windowKind: 'previous-week', trend: true, ...(readOnly ? { readOnly } : {}),
  });
  if (!r!.ok) throw r!.error;
  const s = r!.value.series[0]!;
  return { labels: s.labels, values: s.values };
}

const cached = () => store.db.prepare('SELECT count(*) FROM period_cache').pluck().get() as number;

describe('the past-period cache', () => {
  it('a read-only computation (a dry run) stores no period, and reads those stored', () => {
    seed();
    expect(trend(def, ID, true).values).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(cached()).toBe(0);
    trend();
    expect(cached()).toBe(8);
    store.db.prepare('UPDATE period_cache SET value = json_set(value, \'$.metrics.labor_profitability_ratio\', 42)').run();
    expect(trend(def, ID, true).values).toContain(42);
  });

  it('serves a past period from the store while the rows it read are unchanged', () => {
    seed();
    const first = trend();
    expect(first.values).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(cached()).toBe(8);
    // Proof that the next view reads the store, not the rows: a stored value marked by hand comes back.
    const key = store.db.prepare(`SELECT key FROM period_cache ORDER BY key LIMIT 1`).pluck().get() as string;
    const stored = JSON.parse(store.db.prepare('SELECT value FROM period_cache WHERE key = ?').pluck().get(key) as string) as { metrics: Record<string, number> };
    stored.metrics.labor_profitability_ratio = 42;
    store.db.prepare('UPDATE period_cache SET value = ? WHERE key = ?').run(JSON.stringify(stored), key);
    expect(trend().values).toContain(42);
  });

  it('a late time entry synced into a past week changes that week\'s trend point on the next view', () => {
    seed();
    const before = trend();
    expect(before.values).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5]);
    // Three weeks before the window, 4 more hours are entered late: that week's cost doubles (ratio 2.5).
    insert(store.db, 'TimeEntries', [{ id: teId++, resourceID: 1, ticketID: 10, hoursWorked: 4, startDateTime: '2026-11-04T09:00:00Z', dateWorked: '2026-11-04' }]);
    const after = trend();
    expect(after.labels).toEqual(before.labels);
    expect(after.values).toEqual([5, 5, 5, 5, 5, 2.5, 5, 5, 5]);
  });

  it('an updated row counts as a change too (a resource\'s cost), and so does a write by another connection', () => {
    seed();
    trend();
    store.db.prepare('UPDATE resources SET internalCost = 100 WHERE id = 1').run();
    expect(trend().values).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
    const other = openDb(store.file);
    try {
      other.prepare('DELETE FROM billing_items WHERE id = 1').run(); // the window's own week (23 Nov)
      other.prepare(`UPDATE billing_items SET extendedPrice = 500 WHERE id = 2`).run(); // the week before it
    } finally { other.close(); }
    expect(trend().values).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 1.25, 0]);
  });

  it('a period that reads the as-of instant (service resources: time in the 56 days before T) is not stored', () => {
    seed();
    trend(utilization, 'profitability/resource-utilization');
    expect(cached()).toBe(0);
  });
});
