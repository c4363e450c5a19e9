import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/sales/closed-last-week.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Sam', lastName: 'Seller', isActive: true }]);
  insert(store.db, 'Opportunities', [
    opp(1, 'Closed', { closedDate: '2026-11-20', amount: 1000 }),
    opp(2, 'Implemented', { closedDate: '2026-11-26', amount: 2000 }),
    opp(3, 'Closed', { closedDate: '2026-11-19', amount: 4000 }),
    opp(4, 'Closed', { closedDate: '2026-11-27', amount: 8000 }),
    opp(5, 'Lost', { lostDate: '2026-11-22', amount: 500 }),
    opp(6, 'Lost', { lostDate: '2026-11-19', amount: 250 }),
    opp(7, 'Active', { closedDate: '2026-11-22', amount: 9999 }),                         // still open
    opp(8, 'Lost', { closedDate: '2026-11-22', lostDate: '2026-11-01', amount: 9999 }),   // lost by lostDate, before
    opp(9, 'Closed', { closedDate: null, lostDate: '2026-11-22', amount: 9999 }),          // won needs closedDate
  ]);
});
afterEach(() => store.cleanup());

function opp(id: number, status: string, e: Record<string, unknown>) {
  return { id, title: `Deal ${id}`, companyID: 10, ownerResourceID: 1, status: pv('Opportunities', 'status', status), stage: pv('Opportunities', 'stage', 'Proposal'), probability: 50, ...e };
}

describe('sales/closed-last-week', () => {
  it('counts dates whose 00:00 lies in [T − 7 d, T)', () => {
    // T = 26 Nov 12:00Z: window [19 Nov 12:00, 26 Nov 12:00) holds the midnights of 20…26 Nov.
    const r = runReport(store.db, 'sales/closed-last-week', def, { asOf: '2026-11-26T12:00:00Z' });
    expect(r.window).toEqual({ from: '2026-11-19T12:00:00.000Z', to: '2026-11-26T12:00:00.000Z' });
    expect(r.metrics).toEqual({ won: 2, won_amount: 3000, lost: 1, lost_amount: 500 });
    expect(r.rows).toEqual([
      { opportunity_id: 2, title: 'Deal 2', company_id: 10, company: 'Acme', owner_id: 1, owner: 'Sam Seller', outcome: 'won', outcome_label: 'Won', amount: 2000, date: '2026-11-26' },
      { opportunity_id: 1, title: 'Deal 1', company_id: 10, company: 'Acme', owner_id: 1, owner: 'Sam Seller', outcome: 'won', outcome_label: 'Won', amount: 1000, date: '2026-11-20' },
      { opportunity_id: 5, title: 'Deal 5', company_id: 10, company: 'Acme', owner_id: 1, owner: 'Sam Seller', outcome: 'lost', outcome_label: 'Lost', amount: 500, date: '2026-11-22' },
    ]);
    // The table shows the outcome in words, first, and the rows are ordered by it, then by the amount shown.
    expect(r.columns.slice(0, 5).map((c) => c.key)).toEqual(['outcome_label', 'title', 'company', 'owner', 'amount']);
  });

  it('includes the midnight at `from` and excludes the one at `to`', () => {
    // T = 26 Nov 00:00Z: window [19 Nov 00:00, 26 Nov 00:00) → 19 Nov in (3 won, 6 lost), 26 Nov out (2).
    const r = runReport(store.db, 'sales/closed-last-week', def, { asOf: '2026-11-26T00:00:00Z' });
    expect(r.metrics).toEqual({ won: 2, won_amount: 4000 + 1000, lost: 2, lost_amount: 500 + 250 });
    expect(r.rows.map((x) => x.opportunity_id)).toEqual([3, 1, 5, 6]);
  });

  it('reads the dates as 00:00 in the time zone (America/New_York)', () => {
    // T = 26 Nov 03:00Z (25 Nov 22:00 EST): window [19 Nov 03:00Z, 26 Nov 03:00Z).
    // New York midnights are 05:00Z: 19 Nov in, 26 Nov out. In UTC: 19 Nov out, 26 Nov in.
    const ny = runReport(store.db, 'sales/closed-last-week', def, { asOf: '2026-11-26T03:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(ny.rows.map((x) => x.opportunity_id)).toEqual([3, 1, 5, 6]);
    const utc = runReport(store.db, 'sales/closed-last-week', def, { asOf: '2026-11-26T03:00:00Z' });
    expect(utc.rows.map((x) => x.opportunity_id)).toEqual([2, 1, 5]);
  });

  it('keeps the exact 7 × 24 h window across a DST change (America/New_York, fall back on 1 Nov 2026)', () => {
    insert(store.db, 'Opportunities', [
      opp(21, 'Closed', { closedDate: '2026-10-29', amount: 1 }),
      opp(22, 'Closed', { closedDate: '2026-10-30', amount: 2 }),
      opp(23, 'Closed', { closedDate: '2026-11-04', amount: 4 }),
      opp(24, 'Closed', { closedDate: '2026-11-05', amount: 8 }),
    ]);
    // T = 5 Nov 00:00 EST = 05:00Z; T − 7 × 24 h = 29 Oct 05:00Z = 01:00 EDT. 29 Oct 00:00 EDT (04:00Z) is
    // before the start, 30 Oct 00:00 EDT is in, 5 Nov 00:00 EST is the end (out): dates 30 Oct … 4 Nov.
    const r = runReport(store.db, 'sales/closed-last-week', def, { asOf: '2026-11-05T05:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.window).toEqual({ from: '2026-10-29T05:00:00.000Z', to: '2026-11-05T05:00:00.000Z' });
    // Opportunity 8 of the shared fixture was lost on 1 Nov (the DST day itself): in.
    expect(r.rows.map((x) => x.opportunity_id)).toEqual([23, 22, 8]);
    expect(r.metrics).toEqual({ won: 2, won_amount: 2 + 4, lost: 1, lost_amount: 9999 });
  });
});

