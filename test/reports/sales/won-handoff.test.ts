import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/sales/won-handoff.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  seedPicklists(store.db, { SalesOrders: { status: { 7: 'Canceled' } } });
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Sam', lastName: 'Seller', isActive: true }]);
  insert(store.db, 'Opportunities', [
    opp(1, 'Closed', '2026-11-20', { monthlyRevenue: 100, onetimeCost: 500 }),      // all three, all done
    opp(2, 'Closed', '2026-11-10', { quarterlyRevenue: null }),                     // no recurring revenue, no goods: delivery only
    opp(3, 'Implemented', '2026-10-28', { yearlyRevenue: 1200, onetimeCost: 300 }), // contract and delivery missing
    opp(4, 'Closed', '2026-10-27', { monthlyRevenue: 100 }),                        // 00:00 of 27 Oct is before T − 30 d
    opp(5, 'Closed', '2026-11-26', { semiannualRevenue: 10 }),                      // today: in; delivery missing
    opp(6, 'Lost', '2026-11-20', {}),
    opp(7, 'Closed', '2026-11-01', {}),                                             // a contract though none was needed
  ]);
  insert(store.db, 'Contracts', [{ id: 101, companyID: 10, opportunityID: 1 }, { id: 105, companyID: 10, opportunityID: 5 }, { id: 107, companyID: 10, opportunityID: 7 }]);
  insert(store.db, 'SalesOrders', [{ id: 201, opportunityID: 1 }, { id: 203, opportunityID: 3, status: 7 }]); // a canceled order still counts
  insert(store.db, 'Tickets', [
    { id: 301, opportunityID: 1, status: pv('Tickets', 'status', 'Complete') },                              // a completed delivery ticket counts
    { id: 307, opportunityID: 7, status: pv('Tickets', 'status', 'New') },
  ]);
  insert(store.db, 'Projects', [{ id: 402, opportunityID: 2, companyID: 10 }]);
});
afterEach(() => store.cleanup());

function opp(id: number, status: string, closedDate: string, e: Record<string, unknown>) {
  return { id, title: `Deal ${id}`, companyID: 10, ownerResourceID: 1, status: pv('Opportunities', 'status', status), stage: pv('Opportunities', 'stage', 'Proposal'), closedDate, amount: 1000 * id, ...e };
}

describe('sales/won-handoff', () => {
  it('judges each hand-off yes / no / n/a and lists deals with a gap first', () => {
    const r = runReport(store.db, 'sales/won-handoff', def, { asOf: '2026-11-26T12:00:00Z' });
    expect(r.window).toEqual({ from: '2026-10-27T12:00:00.000Z', to: '2026-11-26T12:00:00.000Z' });
    expect(r.metrics).toEqual({ won: 5, handed_off: 3, missing_contract: 1, missing_sales_order: 0, missing_delivery: 2, handoff_pct: 60 });
    expect(r.rows.map((x) => [x.opportunity_id, x.contract, x.sales_order, x.delivery, x.days_since_close])).toEqual([
      [3, 'no', 'yes', 'no', 29.5],
      [5, 'yes', 'n/a', 'no', 0.5],
      [7, 'yes', 'n/a', 'yes', 25.5],
      [2, 'n/a', 'n/a', 'yes', 16.5],
      [1, 'yes', 'yes', 'yes', 6.5],
    ]);
    expect(r.rows[0]).toMatchObject({ title: 'Deal 3', company: 'Acme', owner: 'Sam Seller', closed: '2026-10-28', amount: 3000 });
  });

  it('a window without wins has no percentage', () => {
    const r = runReport(store.db, 'sales/won-handoff', def, { asOf: '2026-06-01T12:00:00Z' });
    expect(r.metrics).toEqual({ won: 0, handed_off: 0, missing_contract: 0, missing_sales_order: 0, missing_delivery: 0, handoff_pct: null });
  });
});
