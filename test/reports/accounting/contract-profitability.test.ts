import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../src/config.js';
import { openSession } from '../../../src/reporting/context.js';
import def from '../../../reports/accounting/contract-profitability.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }, { id: 20, companyName: 'Globex' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Ann', lastName: 'Lee', isActive: true, internalCost: 50 }, { id: 2, firstName: 'Bo', lastName: 'Ng', isActive: true, internalCost: null }]);
  insert(store.db, 'Contracts', [
    { id: 1, contractName: 'Managed Acme', companyID: 10, status: pv('Contracts', 'status', 'Active') },
    { id: 2, contractName: 'Block Globex', companyID: 20, status: pv('Contracts', 'status', 'Active') },
    { id: 3, contractName: 'T&M Acme', companyID: 10, status: pv('Contracts', 'status', 'Active') },
  ]);
});
afterEach(() => store.cleanup());

const T = '2026-11-26T12:00:00Z'; // previous-month = [2026-10-01, 2026-11-01) UTC
const item = (id: number, contractID: number | null, type: string, extendedPrice: number, ourCost: number, itemDate: string) =>
  ({ id, contractID, billingItemType: pv('BillingItems', 'billingItemType', type), extendedPrice, ourCost, itemDate });
const te = (id: number, contractID: number | null, resourceID: number, hoursWorked: number, when: { startDateTime?: string; dateWorked?: string }) =>
  ({ id, contractID, resourceID, hoursWorked, hoursToBill: hoursWorked, isNonBillable: false, ...when });

describe('accounting/contract-profitability', () => {
  it('sums revenue and cost per contract without counting labour twice, least profitable first', () => {
    insert(store.db, 'BillingItems', [
      item(1, 1, 'Labor', 1000, 400, '2026-10-01T00:00:00Z'),                      // at `from`: in; labour cost excluded
      item(2, 1, 'Recurring Contract Service', 2000, 300, '2026-10-15T00:00:00Z'), // cost 300
      item(3, 1, 'Product', 500, 350, '2026-11-01T00:00:00Z'),                      // at `to`: out
      item(4, 2, 'Labor Adjustment', -100, 50, '2026-10-20T00:00:00Z'),             // credit; its cost excluded
      item(5, 2, 'Expense', 200, 200, '2026-10-20T00:00:00Z'),                      // cost 200
      item(6, 2, 'Product', 400, 250, '2026-09-30T23:59:59Z'),                      // before the window
      item(7, null, 'Product', 999, 1, '2026-10-20T00:00:00Z'),                     // no contract
    ]);
    insert(store.db, 'TimeEntries', [
      te(1, 1, 1, 10, { startDateTime: '2026-10-10T09:00:00Z' }), // 10 h × 50 = 500
      te(2, 1, 1, 4, { dateWorked: '2026-10-31' }),               // 4 × 50 = 200
      te(3, 1, 1, 8, { dateWorked: '2026-11-01' }),               // out
      te(4, 2, 1, 2, { startDateTime: '2026-10-05T09:00:00Z' }),  // 2 × 50 = 100
      te(5, 2, 2, 3, { startDateTime: '2026-10-05T09:00:00Z' }),  // no internal cost: 0, warned
      te(6, 3, 1, 6, { startDateTime: '2026-10-06T09:00:00Z' }),  // 6 × 50 = 300, contract without revenue
      te(7, null, 1, 5, { startDateTime: '2026-10-06T09:00:00Z' }), // no contract
    ]);
    const r = runReport(store.db, 'accounting/contract-profitability', def, { asOf: T });
    // C1: revenue 1000 + 2000 = 3000; cost 300 + 500 + 200 = 1000; margin 100 × 2000 / 3000
    // C2: revenue −100 + 200 = 100; cost 200 + 100 = 300; margin 100 × (100 − 300) / 100 = −200
    // C3: revenue 0; cost 300; margin null (listed first)
    expect(r.rows).toEqual([
      { contract_id: 3, contract: 'T&M Acme', company_id: 10, company: 'Acme', revenue: 0, cost: 300, margin_pct: null },
      { contract_id: 2, contract: 'Block Globex', company_id: 20, company: 'Globex', revenue: 100, cost: 300, margin_pct: -200 },
      { contract_id: 1, contract: 'Managed Acme', company_id: 10, company: 'Acme', revenue: 3000, cost: 1000, margin_pct: (100 * 2000) / 3000 },
    ]);
    // totals: revenue 3100, cost 1600, margin 100 × 1500 / 3100
    expect(r.metrics).toEqual({ revenue: 3100, cost: 1600, margin_pct: (100 * 1500) / 3100 });
    expect(r.warnings.join(' ')).toMatch(/^3 hours on contracts were worked by resources without an internal cost/);
    expect(r.window).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
  });

  it('has a null margin when there is no revenue at all', () => {
    const r = runReport(store.db, 'accounting/contract-profitability', def, { asOf: T });
    expect(r.metrics).toEqual({ revenue: 0, cost: 0, margin_pct: null });
    expect(r.rows).toEqual([]);
  });

  it('takes the month in the time zone (America/New_York)', () => {
    // previous-month in New York = [2026-10-01T04:00Z, 2026-11-01T04:00Z) (EDT both ends)
    insert(store.db, 'BillingItems', [
      item(1, 1, 'Product', 100, 0, '2026-10-01T03:59:59Z'), // 23:59:59 on 30 Sep in New York: out
      item(2, 1, 'Product', 200, 0, '2026-10-01T04:00:00Z'), // 00:00 on 1 Oct: in
      item(3, 1, 'Product', 400, 0, '2026-11-01T03:59:59Z'), // 23:59:59 on 31 Oct: in
      item(4, 1, 'Product', 800, 0, '2026-11-01T04:00:00Z'), // 00:00 on 1 Nov: out
    ]);
    insert(store.db, 'TimeEntries', [te(1, 1, 1, 1, { dateWorked: '2026-10-01' }), te(2, 1, 1, 2, { dateWorked: '2026-11-01' })]);
    const r = runReport(store.db, 'accounting/contract-profitability', def, { asOf: T, settings: { timezone: 'America/New_York' } });
    // revenue 200 + 400; cost 1 h × 50
    expect(r.metrics).toEqual({ revenue: 600, cost: 50, margin_pct: (100 * 550) / 600 });
  });

  it('reads the window\'s entries and items through their date indexes, never scanning the tables', () => {
    openSession(store.db, SettingsSchema.parse({})); // registers pl() and the other SQL functions
    const sql = fs.readFileSync(path.resolve(__dirname, '../../../reports/accounting/contract-profitability.sql'), 'utf8');
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ from: 0, to: 1, fromDay: '2026-10-01', toDay: '2026-11-01', laborItemTypeValues: '[]' }) as { detail: string }[]).map((p) => p.detail);
    expect(plan).toContain('SEARCH te USING COVERING INDEX time_entries_work (startDateTime>? AND startDateTime<?)');
    expect(plan).toContain('SEARCH te USING COVERING INDEX time_entries_work (startDateTime=? AND dateWorked>? AND dateWorked<?)');
    expect(plan.some((d) => /^SEARCH b USING COVERING INDEX billing_items_date/.test(d))).toBe(true);
    expect(plan.filter((d) => /^SCAN (te|b)\b/.test(d))).toEqual([]);
  });
});

