import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pipeline from '../../../reports/sales/pipeline.js';
import readyToClose from '../../../reports/sales/ready-to-close.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Sam', lastName: 'Seller', isActive: true }]);
});
afterEach(() => store.cleanup());

const T = '2026-11-26T12:00:00Z'; // today = 2026-11-26 (UTC)
const TNY = '2026-11-26T03:00:00Z'; // today = 2026-11-25 in New York
const opp = (id: number, status: string, stage: string, e: Record<string, unknown> = {}) => ({
  id, title: `Deal ${id}`, companyID: 10, ownerResourceID: 1, status: pv('Opportunities', 'status', status), stage: pv('Opportunities', 'stage', stage),
  amount: 1000, probability: 10, createDate: '2026-09-01T00:00:00Z', ...e,
});

describe('sales/pipeline', () => {
  it('groups open deals by stage label with amount × probability / 100 as the weighted amount', () => {
    insert(store.db, 'Opportunities', [
      opp(1, 'Active', 'Qualification', { amount: 1000, probability: 10 }),     // weighted 100
      opp(2, 'Active', 'Qualification', { amount: 3000, probability: 20 }),     // 600
      opp(3, 'Active', 'Sales Engineering', { amount: 5000, probability: 50 }), // 2500
      opp(4, 'Active', 'Proposal', { amount: 8000, probability: 75 }),          // 6000
      opp(5, 'Active', 'Proposal', { amount: null, probability: 50 }),          // 0, no amount
      opp(6, 'Active', 'Proposal', { amount: 2000, probability: null }),        // amount 2000, weighted 0
      opp(7, 'Lost', 'Proposal', { amount: 9999 }),
      opp(8, 'Closed', 'Proposal', { amount: 9999 }),
      opp(9, 'Implemented', 'Qualification', { amount: 9999 }),
    ]);
    const r = runReport(store.db, 'sales/pipeline', pipeline, { asOf: T });
    expect(r.rows).toEqual([
      { stage: 'Qualification', opportunities: 2, amount: 4000, weighted_amount: 700 },
      { stage: 'Sales Engineering', opportunities: 1, amount: 5000, weighted_amount: 2500 },
      { stage: 'Proposal', opportunities: 3, amount: 10000, weighted_amount: 6000 },
    ]);
    expect(r.metrics).toEqual({ open_opportunities: 6, open_amount: 19000, weighted_amount: 700 + 2500 + 6000 });
    expect(r.charts[0]).toMatchObject({ id: 'pipeline-by-stage', labels: ['Qualification', 'Sales Engineering', 'Proposal'], datasets: [{ data: [4000, 5000, 10000] }, { data: [700, 2500, 6000] }] });
    expect(r.warnings).toEqual(['1 open deal has no amount; counted as 0.', '1 open deal has no probability; it adds nothing to the weighted amount.']);
  });

  it('follows the picklist sort order and merges stage values sharing a label (inactive included)', () => {
    store.db.prepare("UPDATE picklists SET sort_order = CASE value WHEN 3 THEN 1 WHEN 1 THEN 2 ELSE 3 END WHERE entity = 'Opportunities' AND field = 'stage'").run();
    store.db.prepare("INSERT INTO picklists (entity, field, value, label, is_active, is_system, sort_order) VALUES ('Opportunities', 'stage', 9, ' proposal ', 0, 0, 9)").run();
    insert(store.db, 'Opportunities', [
      opp(1, 'Active', 'Qualification', { amount: 100, probability: 50 }),
      opp(2, 'Active', 'Proposal', { amount: 200, probability: 50 }),
      { ...opp(3, 'Active', 'Proposal', { amount: 400, probability: 25 }), stage: 9 },
    ]);
    const r = runReport(store.db, 'sales/pipeline', pipeline, { asOf: T });
    // Proposal (sort 1) = 2 + 3: 600, 100 + 100; Qualification (sort 2): 100, 50
    expect(r.rows).toEqual([
      { stage: 'Proposal', opportunities: 2, amount: 600, weighted_amount: 200 },
      { stage: 'Qualification', opportunities: 1, amount: 100, weighted_amount: 50 },
    ]);
  });

  it('is empty without open deals', () => {
    const r = runReport(store.db, 'sales/pipeline', pipeline, { asOf: T });
    expect(r.metrics).toEqual({ open_opportunities: 0, open_amount: 0, weighted_amount: 0 });
    expect(r.rows).toEqual([]);
  });
});

describe('sales/ready-to-close', () => {
  it('lists open deals closing between today and today + 30 days, or with probability ≥ 75', () => {
    insert(store.db, 'Opportunities', [
      opp(1, 'Active', 'Proposal', { projectedCloseDate: '2026-11-26', probability: 10, amount: 100 }), // today
      opp(2, 'Active', 'Proposal', { projectedCloseDate: '2026-12-26', probability: 10, amount: 200 }), // today + 30
      opp(3, 'Active', 'Proposal', { projectedCloseDate: '2026-12-27', probability: 74, amount: 400 }), // + 31, < 75: out
      opp(4, 'Active', 'Proposal', { projectedCloseDate: '2026-12-27', probability: 75, amount: 800 }), // by probability
      opp(5, 'Active', 'Proposal', { projectedCloseDate: '2026-11-25', probability: 50, amount: 1600 }), // yesterday: out
      opp(6, 'Active', 'Sales Engineering', { projectedCloseDate: '2026-11-20', probability: 90, amount: 3200 }), // likely, date passed
      opp(7, 'Lost', 'Proposal', { projectedCloseDate: '2026-12-01', probability: 90, amount: 6400 }), // not open
      opp(8, 'Active', 'Proposal', { projectedCloseDate: null, probability: 80, amount: 12800 }), // no date
    ]);
    const r = runReport(store.db, 'sales/ready-to-close', readyToClose, { asOf: T });
    expect(r.rows.map((x) => x.opportunity_id)).toEqual([6, 1, 2, 4, 8]);
    expect(r.metrics).toEqual({ opportunities: 5, amount: 3200 + 100 + 200 + 800 + 12800 });
    expect(r.rows[0]).toEqual({
      opportunity_id: 6, title: 'Deal 6', company_id: 10, company: 'Acme', owner_id: 1, owner: 'Sam Seller',
      stage: 'Sales Engineering', amount: 3200, probability: 90, projected_close: '2026-11-20',
    });
    // Ordered by the expected close date, which the table shows first (an email shows the first five columns).
    expect(r.columns[0]!.key).toBe('projected_close');
    expect(r.description).toMatch(/ordered by expected close date \(the first column\), earliest first/);
    expect(r.warnings).toEqual(['1 likely deal has a projected close date in the past; its date needs updating.']);
  });

  it('shows stage labels as the tenant names them, a label typed in lower case with a capital', () => {
    seedPicklists(store.db, { Opportunities: { stage: { 2: ' Sales Engineering  ', 3: 'negotiation ', 4: 'VoIP review' } } });
    insert(store.db, 'Opportunities', [
      opp(1, 'Active', 'Sales Engineering', { probability: 80, projectedCloseDate: '2026-11-27' }),
      { ...opp(2, 'Active', 'Sales Engineering', { probability: 80, projectedCloseDate: '2026-11-28' }), stage: 3 },
      { ...opp(3, 'Active', 'Sales Engineering', { probability: 80, projectedCloseDate: '2026-11-29' }), stage: 4 },
    ]);
    expect(runReport(store.db, 'sales/ready-to-close', readyToClose, { asOf: T }).rows.map((x) => x.stage)).toEqual(['Sales Engineering', 'Negotiation', 'VoIP review']);
    expect(runReport(store.db, 'sales/pipeline', pipeline, { asOf: T }).rows.map((x) => x.stage)).toEqual(expect.arrayContaining(['Sales Engineering', 'Negotiation', 'VoIP review']));
  });

  it('shows the stage label trimmed', () => {
    seedPicklists(store.db, { Opportunities: { stage: { 2: ' Sales Engineering  ' } } });
    insert(store.db, 'Opportunities', [opp(1, 'Active', 'Sales Engineering', { probability: 80 })]);
    expect(runReport(store.db, 'sales/ready-to-close', readyToClose, { asOf: T }).rows[0]!.stage).toBe('Sales Engineering');
  });

  it('takes today in the time zone (America/New_York)', () => {
    insert(store.db, 'Opportunities', [
      opp(2, 'Active', 'Proposal', { projectedCloseDate: '2026-12-26', probability: 10 }), // today + 31 in New York
      opp(5, 'Active', 'Proposal', { projectedCloseDate: '2026-11-25', probability: 10 }), // today in New York
    ]);
    const ny = runReport(store.db, 'sales/ready-to-close', readyToClose, { asOf: TNY, settings: { timezone: 'America/New_York' } });
    expect(ny.rows.map((x) => x.opportunity_id)).toEqual([5]);
    const utc = runReport(store.db, 'sales/ready-to-close', readyToClose, { asOf: TNY });
    expect(utc.rows.map((x) => x.opportunity_id)).toEqual([2]);
  });
});
