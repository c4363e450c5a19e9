import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import expired from '../../../reports/accounting/expired-contracts.js';
import renewals from '../../../reports/accounting/contract-renewals.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }, { id: 20, companyName: 'Globex' }]);
  insert(store.db, 'Opportunities', [
    { id: 1, title: 'Acme renewal', companyID: 10, status: pv('Opportunities', 'status', 'Active'), stage: pv('Opportunities', 'stage', 'Proposal') },
    { id: 2, title: 'Globex lost deal', companyID: 20, status: pv('Opportunities', 'status', 'Lost'), stage: pv('Opportunities', 'stage', 'Proposal') },
  ]);
});
afterEach(() => store.cleanup());

const ACTIVE = pv('Contracts', 'status', 'Active');
const INACTIVE = pv('Contracts', 'status', 'Inactive');
// Odd ids belong to Acme (10, has an Active opportunity), even ids to Globex (20, only a Lost one).
const contract = (id: number, endDate: string, e: Record<string, unknown> = {}) => ({
  id, contractName: `C${id}`, companyID: id % 2 === 0 ? 20 : 10, status: ACTIVE, contractType: pv('Contracts', 'contractType', 'Recurring Service'),
  startDate: '2025-01-01', endDate, estimatedRevenue: id * 100, ...e,
});

const T = '2026-11-26T12:00:00Z'; // today = 2026-11-26 in UTC
const TNY = '2026-11-26T03:00:00Z'; // 2026-11-25 22:00 in New York: today = 2026-11-25 there

describe('accounting/contract-renewals', () => {
  it('gives each renewal its value, its recurring amount as last billed and the company\'s account manager', () => {
    insert(store.db, 'Resources', [{ id: 7, firstName: 'Mia', lastName: 'Wong', isActive: true }]);
    store.db.prepare('UPDATE companies SET ownerResourceID = 7 WHERE id = 10').run();
    insert(store.db, 'Contracts', [contract(1, '2027-01-15'), contract(2, '2027-02-01', { estimatedRevenue: null }), contract(4, '2027-08-01')]);
    const RCS = pv('BillingItems', 'billingItemType', 'Recurring Contract Service');
    const ADJ = pv('BillingItems', 'billingItemType', 'Recurring Contract Service Adjustment');
    const LABOR = pv('BillingItems', 'billingItemType', 'Labor');
    const item = (id: number, contractID: number, itemDate: string, extendedPrice: number, billingItemType = RCS) => ({ id, billingItemType, contractID, companyID: 10, itemDate, extendedPrice });
    insert(store.db, 'BillingItems', [
      item(1, 1, '2026-10-02T00:00:00Z', 1000),            // an earlier month
      item(2, 1, '2026-11-02T00:00:00Z', 1200),            // the latest month: 1200 + 50 − 0 labour
      item(3, 1, '2026-11-20T00:00:00Z', 50, ADJ),
      item(4, 1, '2026-11-21T00:00:00Z', 900, LABOR),      // not recurring
      item(5, 1, '2026-12-02T00:00:00Z', 1300),            // after the as-of time
      item(6, 4, '2026-11-02T00:00:00Z', 400),             // contract 4 ends in 247 days: not a renewal
    ]);
    const r = runReport(store.db, 'accounting/contract-renewals', renewals, { asOf: T });
    expect(r.rows.map((x) => [x.contract_id, x.value, x.recurring_amount, x.account_manager])).toEqual([
      [1, 100, 1250, 'Mia Wong'],
      [2, null, null, null], // Globex has no account manager; never billed
    ]);
    expect(r.rows[0]!.account_manager_id).toBe(7);
    expect(r.columns.slice(4, 7).map((c) => [c.label, c.unit])).toEqual([['Contract value', 'money'], ['Recurring amount', 'money'], ['Account manager', 'text']]);
    // In New York the 20 Nov adjustment and the 2 Nov item are still November; 2 Nov 00:00Z is 1 Nov there.
    const ny = runReport(store.db, 'accounting/contract-renewals', renewals, { asOf: T, settings: { timezone: 'America/New_York' } });
    expect(ny.rows[0]!.recurring_amount).toBe(1250);
  });

  it('buckets days left at the 30/31, 60/61, 90/91 and 120/121 boundaries', () => {
    insert(store.db, 'Contracts', [
      contract(1, '2026-11-25'), // yesterday: expired, not a renewal
      contract(2, '2026-11-26'), // d = 0
      contract(3, '2026-12-26'), // d = 30
      contract(4, '2026-12-27'), // d = 31
      contract(5, '2027-01-25'), // d = 30 + 30 = 60 (Nov 26 → Dec 26 → Jan 25)
      contract(6, '2027-01-26'), // d = 61
      contract(7, '2027-02-24'), // d = 61 + 29 = 90
      contract(8, '2027-02-25'), // d = 91
      contract(9, '2027-03-26'), // d = 91 + 28 (Feb 2027) + 1 = 120
      contract(11, '2027-03-27'), // d = 121: out
      contract(12, '2026-12-01', { status: INACTIVE }), // not active
      contract(13, '2026-12-05', { estimatedRevenue: null }), // d = 9, no estimated revenue
    ]);
    const r = runReport(store.db, 'accounting/contract-renewals', renewals, { asOf: T });
    expect(r.metrics).toEqual({
      due_30: 3, // 2 (d 0), 13 (d 9), 3 (d 30)
      due_60: 2, // 4 (d 31), 5 (d 60)
      due_90: 2, // 6 (d 61), 7 (d 90)
      due_120: 2, // 8 (d 91), 9 (d 120)
      estimated_revenue: (2 + 3 + 4 + 5 + 6 + 7 + 8 + 9) * 100, // 13 has none: 4400
    });
    expect(r.rows.map((x) => [x.contract_id, x.days_left, x.bucket])).toEqual([
      [2, 0, '0–30 days'], [13, 9, '0–30 days'], [3, 30, '0–30 days'],
      [4, 31, '31–60 days'], [5, 60, '31–60 days'],
      [6, 61, '61–90 days'], [7, 90, '61–90 days'],
      [8, 91, '91–120 days'], [9, 120, '91–120 days'],
    ]);
    expect(r.rows[0]).toEqual({ contract_id: 2, contract: 'C2', company_id: 20, company: 'Globex', end_date: '2026-11-26', days_left: 0, bucket: '0–30 days', has_open_opportunity: false, value: 200, recurring_amount: null, account_manager_id: null, account_manager: null });
    expect(r.rows.find((x) => x.contract_id === 3)!.has_open_opportunity).toBe(true);
    expect(r.charts.map((c) => [c.id, c.datasets[0]!.data])).toEqual([
      ['renewals-by-days-left', [3, 2, 2, 2]],
      // revenue per bucket: (2 + 3) × 100, (4 + 5) × 100, (6 + 7) × 100, (8 + 9) × 100
      ['renewal-revenue-by-days-left', [500, 900, 1300, 1700]],
    ]);
    expect(r.warnings).toEqual(['1 contract up for renewal has no estimated revenue; counted as 0.']);
  });

  it('counts days from today in the time zone (America/New_York)', () => {
    insert(store.db, 'Contracts', [
      contract(1, '2026-11-25'), // today in New York: d = 0 (expired in UTC)
      contract(3, '2027-03-25'), // d = 120 from 2026-11-25 (119 in UTC)
      contract(5, '2027-03-26'), // d = 121 from 2026-11-25: out (120 in UTC: in)
    ]);
    const ny = runReport(store.db, 'accounting/contract-renewals', renewals, { asOf: TNY, settings: { timezone: 'America/New_York' } });
    expect(ny.rows.map((x) => [x.contract_id, x.days_left])).toEqual([[1, 0], [3, 120]]);
    expect(ny.metrics).toMatchObject({ due_30: 1, due_120: 1, estimated_revenue: 100 + 300 });
    const utc = runReport(store.db, 'accounting/contract-renewals', renewals, { asOf: TNY });
    expect(utc.rows.map((x) => [x.contract_id, x.days_left])).toEqual([[3, 119], [5, 120]]);
  });
});

describe('accounting/expired-contracts', () => {
  it('lists Active contracts that ended before today, unrenewed first', () => {
    insert(store.db, 'Contracts', [
      contract(1, '2026-11-25'), // 1 day expired
      contract(2, '2026-10-27', { renewedContractID: 99 }), // 30 days expired, renewed
      contract(3, '2026-09-27'), // 60 days expired
      contract(4, '2026-11-26'), // ends today: not expired
      contract(5, '2026-01-01', { status: INACTIVE }), // inactive
      contract(6, null as unknown as string), // no end date
    ]);
    const r = runReport(store.db, 'accounting/expired-contracts', expired, { asOf: T });
    expect(r.metrics).toEqual({ contracts: 3 });
    expect(r.rows).toEqual([
      { contract_id: 3, contract: 'C3', company_id: 10, company: 'Acme', end_date: '2026-09-27', days_expired: 60, renewed: false, value: 300, recurring_amount: null, account_manager_id: null, account_manager: null },
      { contract_id: 1, contract: 'C1', company_id: 10, company: 'Acme', end_date: '2026-11-25', days_expired: 1, renewed: false, value: 100, recurring_amount: null, account_manager_id: null, account_manager: null },
      { contract_id: 2, contract: 'C2', company_id: 20, company: 'Globex', end_date: '2026-10-27', days_expired: 30, renewed: true, value: 200, recurring_amount: null, account_manager_id: null, account_manager: null },
    ]);
    expect(r.warnings.join(' ')).toMatch(/1 expired contract has been renewed but is still marked Active/);
  });

  it('shows whether an expired contract still bills, its value and the account manager', () => {
    insert(store.db, 'Resources', [{ id: 7, firstName: 'Mia', lastName: 'Wong', isActive: true }]);
    store.db.prepare('UPDATE companies SET ownerResourceID = 7 WHERE id = 10').run();
    insert(store.db, 'Contracts', [contract(1, '2026-10-31'), contract(3, '2026-06-30')]);
    const RCS = pv('BillingItems', 'billingItemType', 'Recurring Contract Service');
    insert(store.db, 'BillingItems', [
      { id: 1, billingItemType: RCS, contractID: 1, companyID: 10, itemDate: '2026-10-02T00:00:00Z', extendedPrice: 800 },
      { id: 2, billingItemType: RCS, contractID: 1, companyID: 10, itemDate: '2026-11-02T00:00:00Z', extendedPrice: 850 }, // still billing after its end
      { id: 3, billingItemType: RCS, contractID: 3, companyID: 10, itemDate: '2026-06-02T00:00:00Z', extendedPrice: 300 },
    ]);
    const r = runReport(store.db, 'accounting/expired-contracts', expired, { asOf: T });
    expect(r.rows.map((x) => [x.contract_id, x.value, x.recurring_amount, x.account_manager])).toEqual([[3, 300, 300, 'Mia Wong'], [1, 100, 850, 'Mia Wong']]);
  });

  it('uses today in the time zone (America/New_York)', () => {
    insert(store.db, 'Contracts', [contract(1, '2026-11-25'), contract(3, '2026-11-24')]);
    // New York: today = 2026-11-25, so only contract 3 (1 day) has expired.
    const ny = runReport(store.db, 'accounting/expired-contracts', expired, { asOf: TNY, settings: { timezone: 'America/New_York' } });
    expect(ny.rows.map((x) => [x.contract_id, x.days_expired])).toEqual([[3, 1]]);
    // UTC: today = 2026-11-26, both have expired.
    const utc = runReport(store.db, 'accounting/expired-contracts', expired, { asOf: TNY });
    expect(utc.rows.map((x) => [x.contract_id, x.days_expired])).toEqual([[3, 2], [1, 1]]);
  });

  it('matches the Active status label case-insensitively and trimmed', () => {
    seedPicklists(store.db, { Contracts: { status: { 1: '  ACTIVE ' } } });
    insert(store.db, 'Contracts', [contract(1, '2026-11-25')]);
    expect(runReport(store.db, 'accounting/expired-contracts', expired, { asOf: T }).metrics.contracts).toBe(1);
  });
});
