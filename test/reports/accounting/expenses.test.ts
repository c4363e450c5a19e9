import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import approvals from '../../../reports/accounting/expense-approvals.js';
import unbilled from '../../../reports/accounting/unbilled-expenses.js';
import { insert, makeStore, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const T = Date.parse('2026-11-26T12:00:00Z');
const D = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();
// Tenant numbers, and a label with stray spaces and odd case: reports match labels.
const STATUS = { inProgress: 31, awaiting: 33, approved: 37, paid: 39, transferred: 40, rejected: 41 };

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  seedPicklists(store.db, { ExpenseReports: { status: { 31: 'In Progress', 33: 'Awaiting Approval', 37: 'Approved for Payment', 39: 'Paid', 40: ' transferred to QuickBooks ', 41: 'Rejected' } } });
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }, { id: 20, companyName: 'Globex' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Ann', lastName: 'Tech', isActive: true }]);
});
afterEach(() => store.cleanup());

describe('accounting/expense-approvals', () => {
  it('lists reports awaiting approval oldest first; over 7 days is strictly more than 7 × 24 h', () => {
    insert(store.db, 'ExpenseReports', [
      { id: 1, name: 'Week 46', submitterID: 1, status: STATUS.awaiting, submitDate: at(T - 7 * D), internalCurrencyExpenseTotal: null }, // exactly 7 days, empty total
      { id: 2, name: 'Week 45', submitterID: 1, status: STATUS.awaiting, submitDate: at(T - 8 * D), internalCurrencyExpenseTotal: 100 },
      { id: 3, name: 'Week 47', submitterID: 1, status: STATUS.awaiting, submitDate: at(T - D), internalCurrencyExpenseTotal: 50.5 },
      { id: 4, name: 'Approved', submitterID: 1, status: STATUS.approved, submitDate: at(T - 20 * D), internalCurrencyExpenseTotal: 200 },
      { id: 5, name: 'Paid', submitterID: 1, status: STATUS.paid, submitDate: at(T - 40 * D), internalCurrencyExpenseTotal: 999 },
      { id: 6, name: 'Draft', submitterID: 1, status: STATUS.inProgress, submitDate: null, internalCurrencyExpenseTotal: 5 },
    ]);
    const r = runReport(store.db, 'accounting/expense-approvals', approvals, { asOf: at(T) });
    expect(r.metrics).toEqual({ reports: 3, amount: 150.5, over_7d: 1, approved_unpaid_amount: 200 });
    expect(r.rows).toEqual([
      { expense_report_id: 2, name: 'Week 45', submitter_id: 1, submitter: 'Ann Tech', submitted: at(T - 8 * D), age_days: 8, amount: 100 },
      { expense_report_id: 1, name: 'Week 46', submitter_id: 1, submitter: 'Ann Tech', submitted: at(T - 7 * D), age_days: 7, amount: 0 },
      { expense_report_id: 3, name: 'Week 47', submitter_id: 1, submitter: 'Ann Tech', submitted: at(T - D), age_days: 1, amount: 50.5 },
    ]);
  });
});

describe('accounting/unbilled-expenses', () => {
  it('counts billable items of approved, paid or transferred reports that no billing item came from', () => {
    insert(store.db, 'ExpenseReports', [
      { id: 1, status: STATUS.approved }, { id: 2, status: STATUS.paid }, { id: 3, status: STATUS.transferred },
      { id: 4, status: STATUS.awaiting }, { id: 5, status: STATUS.rejected },
    ]);
    const item = (id: number, report: number, company: number | null, e: Record<string, unknown>) =>
      ({ id, expenseReportID: report, companyID: company, isBillableToCompany: true, expenseDate: at(T - 3 * D), internalCurrencyExpenseAmount: 10, ...e });
    insert(store.db, 'ExpenseItems', [
      item(1, 1, 10, { expenseDate: at(T - 10 * D), internalCurrencyExpenseAmount: 30 }),
      item(2, 2, 10, { internalCurrencyExpenseAmount: null }),                 // empty amount counts 0, the item counts
      item(3, 3, 20, { internalCurrencyExpenseAmount: 40 }),                   // label ' transferred to QuickBooks '
      item(4, 1, 20, { internalCurrencyExpenseAmount: 500 }),                  // billed (below)
      item(5, 1, 20, { isBillableToCompany: false }),
      item(6, 4, 20, {}),                                                      // report awaiting approval
      item(7, 5, 20, {}),                                                      // report rejected
      item(8, 1, 20, { expenseDate: at(T) }),                                  // not before T
      item(9, 9, 20, {}),                                                      // its report is not in the store
    ]);
    insert(store.db, 'BillingItems', [{ id: 900, expenseItemID: 4, companyID: 20, extendedPrice: 500 }]);
    const r = runReport(store.db, 'accounting/unbilled-expenses', unbilled, { asOf: at(T) });
    expect(r.metrics).toEqual({ items: 3, amount: 70, companies: 2 });
    expect(r.rows).toEqual([
      { company_id: 20, company: 'Globex', items: 1, amount: 40, oldest_days: 3 },
      { company_id: 10, company: 'Acme', items: 2, amount: 30, oldest_days: 10 },
    ]);
  });
});
