import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/accounting/commissions.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Sam', lastName: 'Seller', isActive: true }, { id: 2, firstName: 'Kim', lastName: 'Closer', isActive: true }]);
  insert(store.db, 'Opportunities', [
    opp(1, 1, 'Closed', '2026-11-05', 1000, 600),        // profit 400
    opp(2, 1, 'Implemented', '2026-11-30', 500, 700),    // a loss-making deal: −200, earns nothing
    opp(3, 2, 'Closed', '2026-11-10', 2000, null),       // empty cost counts 0
    opp(4, 2, 'Closed', '2026-10-31', 9000, 0),          // before the month
    opp(5, 2, 'Closed', '2026-12-01', 9000, 0),          // after it
    opp(6, 1, 'Lost', '2026-11-12', 9000, 0),            // lost, whatever its closedDate
    opp(7, 1, 'Active', '2026-11-12', 9000, 0),
    opp(8, null, 'Closed', '2026-11-15', null, 100),     // no owner, no amount: −100
  ]);
});
afterEach(() => store.cleanup());

function opp(id: number, owner: number | null, status: string, closedDate: string, amount: number | null, cost: number | null) {
  return { id, title: `Deal ${id}`, companyID: 10, ownerResourceID: owner, status: pv('Opportunities', 'status', status), stage: pv('Opportunities', 'stage', 'Proposal'), closedDate, amount, cost };
}

describe('accounting/commissions', () => {
  it('gross-profit basis: per-owner rate, default rate, a loss earns nothing and takes nothing back', () => {
    const r = runReport(store.db, 'accounting/commissions', def, { asOf: '2026-12-03T09:00:00Z', settings: { commission: { rates: { 2: 0.05 } } } });
    expect(r.window).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    // gross profit 400 − 200 + 2000 − 100 = 2100; commission 400 × 0.10 + 2000 × 0.05 = 140; margin 2100 / 3500.
    expect(r.metrics).toEqual({ won: 4, revenue: 3500, gross_profit: 2100, commission: 140, margin_pct: 60 });
    expect(r.rows).toEqual([
      { resource_id: 2, owner: 'Kim Closer', won: 1, revenue: 2000, gross_profit: 2000, rate: 0.05, commission: 100 },
      { resource_id: 1, owner: 'Sam Seller', won: 2, revenue: 1500, gross_profit: 200, rate: 0.1, commission: 40 },
      { resource_id: null, owner: 'Unassigned', won: 1, revenue: 0, gross_profit: -100, rate: 0.1, commission: 0 },
    ]);
  });

  it('revenue basis pays on the amount; an empty month has no margin', () => {
    const r = runReport(store.db, 'accounting/commissions', def, { asOf: '2026-12-03T09:00:00Z', settings: { commission: { basis: 'revenue', defaultRate: 0.08, rates: { 2: 0.05 } } } });
    // 1000 × 0.08 + 500 × 0.08 + 2000 × 0.05 = 220
    expect(r.metrics.commission).toBeCloseTo(220, 9);
    expect(r.rows.map((x) => [x.resource_id, x.commission])).toEqual([[1, 120], [2, 100], [null, 0]]);
    const empty = runReport(store.db, 'accounting/commissions', def, { asOf: '2026-09-03T09:00:00Z' });
    expect(empty.metrics).toEqual({ won: 0, revenue: 0, gross_profit: 0, commission: 0, margin_pct: null });
  });

  it('rejects a rate above 1 or a key that is not a resource id, naming the setting', () => {
    expect(() => runReport(store.db, 'accounting/commissions', def, { asOf: '2026-12-03T09:00:00Z', settings: { commission: { defaultRate: 10 } } })).toThrow(/defaultRate/);
    expect(() => runReport(store.db, 'accounting/commissions', def, { asOf: '2026-12-03T09:00:00Z', settings: { commission: { rates: { sam: 0.1 } } } })).toThrow(/resource id/);
  });
});
