import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import accountActivity from '../../../reports/sales/account-activity.js';
import appointments from '../../../reports/sales/appointments.js';
import todos from '../../../reports/sales/todos.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Resources', [
    { id: 1, firstName: 'Sam', lastName: 'Seller', isActive: true },
    { id: 2, firstName: 'Ann', lastName: 'Account', isActive: true },
  ]);
});
afterEach(() => store.cleanup());

const DAY = 86_400_000;
const T = '2026-11-26T12:00:00Z';
const t = Date.parse(T);
const at = (ms: number) => new Date(ms).toISOString();

describe('sales/account-activity', () => {
  it('counts stale accounts and lists the 10 oldest and 10 newest per owner', () => {
    const customer = pv('Companies', 'companyType', 'Customer');
    const prospect = pv('Companies', 'companyType', 'Prospect');
    // Sam owns 21 customers, company 100 + i last active i days before T (i = 1…21).
    const sams = Array.from({ length: 21 }, (_, k) => ({ id: 101 + k, companyName: `Sam ${k + 1}`, companyType: customer, isActive: true, ownerResourceID: 1, lastActivityDate: at(t - (k + 1) * DAY) }));
    insert(store.db, 'Companies', [
      ...sams,
      { id: 201, companyName: 'Never', companyType: prospect, isActive: true, ownerResourceID: 2, lastActivityDate: null }, // stale
      { id: 202, companyName: 'Ninety-one', companyType: customer, isActive: true, ownerResourceID: 2, lastActivityDate: at(t - 91 * DAY) }, // stale
      { id: 203, companyName: 'Ninety', companyType: customer, isActive: true, ownerResourceID: 2, lastActivityDate: at(t - 90 * DAY) }, // exactly 90 d: not stale
      { id: 301, companyName: 'Nobody', companyType: prospect, isActive: true, ownerResourceID: null, lastActivityDate: at(t - 100 * DAY) }, // stale
      { id: 401, companyName: 'Gone', companyType: customer, isActive: false, ownerResourceID: 1, lastActivityDate: null },
      { id: 402, companyName: 'Supplier', companyType: pv('Companies', 'companyType', 'Vendor'), isActive: true, ownerResourceID: 1 },
      { id: 403, companyName: 'Lead', companyType: pv('Companies', 'companyType', 'Lead'), isActive: true, ownerResourceID: 1 },
    ]);
    const r = runReport(store.db, 'sales/account-activity', accountActivity, { asOf: T });
    expect(r.metrics).toEqual({ accounts: 21 + 3 + 1, stale_90d: 3 });
    const list = (owner: string, position: string) => r.rows.filter((x) => x.owner === owner && x.position === position).map((x) => x.company_id);
    // Ann has 3 accounts: each appears in both lists; never active counts as the oldest.
    expect(list('Ann Account', 'oldest')).toEqual([201, 202, 203]);
    expect(list('Ann Account', 'newest')).toEqual([203, 202, 201]);
    // Sam: oldest = 21…12 days (ids 121…112), newest = 1…10 days (ids 101…110); 11 days (111) in neither.
    expect(list('Sam Seller', 'oldest')).toEqual([121, 120, 119, 118, 117, 116, 115, 114, 113, 112]);
    expect(list('Sam Seller', 'newest')).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    expect(list('Unassigned', 'oldest')).toEqual([301]);
    // Owners by name, Unassigned last; oldest before newest.
    expect([...new Set(r.rows.map((x) => `${x.owner}/${x.position}`))]).toEqual(['Ann Account/oldest', 'Ann Account/newest', 'Sam Seller/oldest', 'Sam Seller/newest', 'Unassigned/oldest', 'Unassigned/newest']);
    expect(r.rows.find((x) => x.company_id === 202)).toEqual({ company_id: 202, company: 'Ninety-one', owner_id: 2, owner: 'Ann Account', last_activity: at(t - 91 * DAY), position: 'oldest' });
  });
});

describe('sales/todos', () => {
  it('counts open and overdue to-dos per assigned person with the next one due', () => {
    insert(store.db, 'CompanyToDos', [
      { id: 1, companyID: 10, assignedToResourceID: 1, startDateTime: at(t - DAY) },          // overdue
      { id: 2, companyID: 10, assignedToResourceID: 1, startDateTime: T },                    // at T: not overdue; next due
      { id: 3, companyID: 10, assignedToResourceID: 1, startDateTime: at(t + 2 * DAY) },
      { id: 4, companyID: 10, assignedToResourceID: 1, startDateTime: at(t - 5 * DAY), completedDate: at(t - 4 * DAY) }, // done
      { id: 5, companyID: 10, assignedToResourceID: 1, startDateTime: null },                 // open, no start
      { id: 6, companyID: 10, assignedToResourceID: 2, startDateTime: at(t - 1) },            // overdue by 1 ms
      { id: 7, companyID: 10, assignedToResourceID: null, startDateTime: at(t + DAY) },
    ]);
    const r = runReport(store.db, 'sales/todos', todos, { asOf: T });
    expect(r.metrics).toEqual({ open: 6, overdue: 2 });
    expect(r.rows).toEqual([
      { resource_id: 1, resource: 'Sam Seller', open: 4, overdue: 1, next_due: T.replace('Z', '.000Z') },
      { resource_id: 2, resource: 'Ann Account', open: 1, overdue: 1, next_due: null },
      { resource_id: null, resource: 'Unassigned', open: 1, overdue: 0, next_due: at(t + DAY) },
    ]);
    expect(r.warnings).toEqual(['1 open to-do has no start time and cannot be overdue.']);
  });
});

describe('sales/appointments', () => {
  it('lists appointments starting in [T, T + 7 d)', () => {
    insert(store.db, 'Appointments', [
      { id: 1, resourceID: 1, title: 'Demo at Acme', startDateTime: at(t + 7 * DAY - 1) },
      { id: 2, resourceID: 2, title: 'QBR Globex', startDateTime: T },
      { id: 3, resourceID: 1, title: 'Too late', startDateTime: at(t + 7 * DAY) },
      { id: 4, resourceID: 1, title: 'Already started', startDateTime: at(t - 1) },
    ]);
    const r = runReport(store.db, 'sales/appointments', appointments, { asOf: T });
    expect(r.window).toEqual({ from: at(t), to: at(t + 7 * DAY) });
    expect(r.metrics).toEqual({ appointments: 2 });
    expect(r.rows).toEqual([
      { start: at(t), resource_id: 2, resource: 'Ann Account', title: 'QBR Globex' },
      { start: at(t + 7 * DAY - 1), resource_id: 1, resource: 'Sam Seller', title: 'Demo at Acme' },
    ]);
  });
});
