import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/profitability/labor-profitability.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'profitability/labor-profitability';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-12-02T12:00:00Z'; // window November 2026
let teId = 1;
const entry = (resourceID: number, hours: number, o: { ticket?: number; task?: number; start?: string; date?: string }) => ({
  id: teId++, resourceID, ticketID: o.ticket ?? null, taskID: o.task ?? null, hoursWorked: hours, startDateTime: o.start ?? null, dateWorked: o.date ?? o.start?.slice(0, 10),
});
let biId = 1;
const item = (companyID: number, type: string, price: number, itemDate: string) => ({
  id: biId++, companyID, billingItemType: pv('BillingItems', 'billingItemType', type), extendedPrice: price, itemDate, itemName: type,
});

function seed(): void {
  insert(store.db, 'Companies', [{ id: 0, companyName: 'Our MSP' }, { id: 1, companyName: 'Acme' }, { id: 2, companyName: 'Beta' }, { id: 3, companyName: 'Gamma' }]);
  insert(store.db, 'Resources', [
    { id: 1, firstName: 'Alice', lastName: 'A', isActive: true, internalCost: 50 },
    { id: 2, firstName: 'Bob', lastName: 'B', isActive: true, internalCost: null },
    { id: 3, firstName: 'Carol', lastName: 'C', isActive: true, internalCost: 0 },
    { id: 4, firstName: 'Dave', lastName: 'D', isActive: true, internalCost: 40 },
  ]);
  insert(store.db, 'Tickets', [{ id: 10, ticketNumber: 'T10', title: 'a', companyID: 1 }, { id: 20, ticketNumber: 'T20', title: 'i', companyID: 0 }]);
  insert(store.db, 'Projects', [{ id: 50, projectName: 'p', companyID: 2 }]);
  insert(store.db, 'Tasks', [{ id: 500, projectID: 50, title: 'task' }]);
  insert(store.db, 'TimeEntries', [
    entry(1, 4, { ticket: 10, start: '2026-11-01T00:00:00Z' }),  // at from: Acme 4 × 50 = 200
    entry(1, 2, { task: 500, date: '2026-11-30' }),              // Beta via the task's project: 100
    entry(1, 1, { ticket: 20, start: '2026-11-05T10:00:00Z' }),  // internal: 50, total only
    entry(4, 1, { start: '2026-11-05T10:00:00Z' }),              // no ticket or task: 40, total only
    entry(2, 3, { ticket: 10, start: '2026-11-05T10:00:00Z' }),  // Bob, no cost: 3 h without cost
    entry(3, 2, { task: 500, start: '2026-11-05T10:00:00Z' }),   // Carol, cost 0: costs 0, not "without cost"
    entry(1, 10, { ticket: 10, start: '2026-12-01T00:00:00Z' }), // at to: out
    entry(4, 5, { ticket: 10, date: '2026-10-31' }),             // before the window
  ]);
  insert(store.db, 'BillingItems', [
    item(1, 'Labor', 600, '2026-11-01T00:00:00Z'),              // at from: in
    item(1, 'Recurring Contract Service', 400, '2026-11-15T00:00:00Z'),
    item(1, 'Product', 1000, '2026-11-15T00:00:00Z'),           // not service revenue
    item(1, 'Labor', 999, '2026-12-01T00:00:00Z'),              // at to: out
    item(2, 'Labor', 150, '2026-11-15T00:00:00Z'),
    item(2, 'Labor Adjustment', -50, '2026-11-16T00:00:00Z'),
    item(3, 'Labor', 300, '2026-11-20T00:00:00Z'),
  ]);
}

describe('profitability/labor-profitability', () => {
  it('revenue by item type and date, labour cost over every entry, rows per client company', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // Revenue 600 + 400 + 150 − 50 + 300 = 1400. Cost 200 + 100 + 50 + 40 = 390.
    expect(r.metrics).toEqual({
      service_revenue: 1400, labor_cost: 390, labor_profitability_ratio: 1400 / 390, labor_margin_pct: (100 * (1400 - 390)) / 1400, hours_without_cost: 3,
    });
    expect(r.rows).toEqual([
      { company_id: 1, company: 'Acme', service_revenue: 1000, labor_cost: 200, ratio: 5 },
      { company_id: 3, company: 'Gamma', service_revenue: 300, labor_cost: 0, ratio: null },
      { company_id: 2, company: 'Beta', service_revenue: 100, labor_cost: 100, ratio: 1 },
    ]);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toContain('Bob B (3 h)');
    expect(r.warnings[0]).not.toContain('Carol');
    expect(r.warnings[1]).toMatch(/internal cost of 0.*Carol C \(2 h\)/);
    expect(r.warnings.join(' ')).not.toContain('Alice');
    expect(r.headlines.find((h) => h.metric === 'labor_profitability_ratio')).toMatchObject({ target: 2.5, light: 'green' });
  });

  it('item type labels match trimmed and case-insensitively', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { serviceRevenueItemTypes: ['  LABOR '] } });
    // Only Labor items: 600 + 150 + 300 = 1050.
    expect(r.metrics.service_revenue).toBe(1050);
    expect(r.rows.find((x) => x.company_id === 2)).toMatchObject({ service_revenue: 150 });
  });

  it('window edges by New York days for entries without a start time', () => {
    seed();
    // In New York, November starts 2026-11-01T04:00Z: the entry and the item at 00:00Z fall in October.
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    // Revenue: the 600 (Oct 31 20:00 EDT) is out; the 999 at Dec 1 00:00Z (Nov 30 19:00 EST) is in: 1400 − 600 + 999 = 1799.
    // Cost: Alice's 4 h at 00:00Z out (−200); her 10 h at Dec 1 00:00Z in (+500): 390 − 200 + 500 = 690.
    expect(r.metrics.service_revenue).toBe(1799);
    expect(r.metrics.labor_cost).toBe(690);
  });

  it('empty denominators give null', () => {
    const r = runReport(store.db, ID, def, { asOf: T });
    expect(r.metrics).toEqual({ service_revenue: 0, labor_cost: 0, labor_profitability_ratio: null, labor_margin_pct: null, hours_without_cost: 0 });
    expect(r.rows).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});
