import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/profitability/rhem.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'profitability/rhem';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-12-02T12:00:00Z'; // window November 2026, E = 2026-11-30
const contract = (id: number, companyID: number, status: string, type: string, startDate: string, endDate: string) => ({
  id, contractName: `c${id}`, companyID, status: pv('Contracts', 'status', status), contractType: pv('Contracts', 'contractType', type), startDate, endDate,
});
let ciId = 1;
const ci = (companyID: number, type: string, isActive = true) => ({ id: ciId++, companyID, configurationItemType: pv('ConfigurationItems', 'configurationItemType', type), isActive, referenceTitle: 'x' });
const ticket = (id: number, companyID: number, type: string, priority = 'High') => ({
  id, ticketNumber: `T${id}`, title: 't', companyID, ticketType: pv('Tickets', 'ticketType', type), priority: pv('Tickets', 'priority', priority), createDate: '2026-10-01T00:00:00Z',
});
let teId = 1;
const entry = (ticketID: number, hours: number, start: string | null, date?: string) => ({ id: teId++, resourceID: 1, ticketID, hoursWorked: hours, startDateTime: start, dateWorked: date ?? start?.slice(0, 10) });

function seed(): void {
  insert(store.db, 'Companies', [1, 2, 3, 4, 5, 6].map((id) => ({ id, companyName: ['Acme', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta'][id - 1] })));
  insert(store.db, 'Contracts', [
    contract(1, 1, 'Active', 'Recurring Service', '2026-01-01', '2026-11-30'), // ends on E: managed
    contract(2, 1, 'Active', 'Recurring Service', '2026-01-01', '2027-12-31'), // second contract: company still counted once
    contract(3, 2, 'Active', 'Recurring Service', '2026-11-30', '2027-11-29'), // starts on E: managed
    contract(4, 3, 'Active', 'Recurring Service', '2025-12-01', '2026-11-29'), // ended the day before E
    contract(5, 4, 'Inactive', 'Recurring Service', '2026-01-01', '2027-01-01'),
    contract(6, 5, 'Active', 'Block Hours', '2026-01-01', '2027-01-01'),
    contract(7, 6, 'Active', 'Recurring Service', '2026-12-01', '2027-12-01'), // starts after E
  ]);
  insert(store.db, 'ConfigurationItems', [
    ci(1, 'Workstation'), ci(1, 'Laptop'), ci(1, 'Server'), ci(1, 'Printer'), ci(1, 'Workstation', false),
    ci(3, 'Workstation'), ci(5, 'Server'),
  ]);
  insert(store.db, 'Tickets', [ticket(10, 1, 'Incident'), ticket(11, 1, 'Service Request'), ticket(20, 2, 'Incident', 'Low'), ticket(30, 3, 'Incident')]);
  insert(store.db, 'TimeEntries', [
    entry(10, 2, '2026-11-01T00:00:00Z'),       // at from: in
    entry(10, 1, null, '2026-11-30'),           // dateWorked on the last day: in
    entry(10, 5, '2026-12-01T00:00:00Z'),       // at to: out
    entry(11, 4, '2026-11-10T00:00:00Z'),       // not reactive
    entry(20, 1.5, '2026-11-10T00:00:00Z'),
    entry(30, 7, '2026-11-10T00:00:00Z'),       // not managed
  ]);
}

describe('profitability/rhem', () => {
  it('managed companies on the last day of the window, endpoints by type, reactive hours in the window', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // Acme: endpoints 3 (workstation, laptop, server; printer and inactive left out), reactive 2 + 1 = 3 → 1.
    // Beta: no endpoint, reactive 1.5 → null. Totals: 4.5 h ÷ 3 endpoints = 1.5.
    expect(r.metrics).toEqual({ rhem: 1.5, reactive_hours: 4.5, managed_endpoints: 3, managed_companies: 2 });
    expect(r.rows).toEqual([
      { company_id: 1, company: 'Acme', endpoints: 3, reactive_hours: 3, rhem: 1 },
      { company_id: 2, company: 'Beta', endpoints: 0, reactive_hours: 1.5, rhem: null },
    ]);
    expect(r.warnings).toHaveLength(1);
    const h = r.headlines.find((x) => x.metric === 'rhem')!;
    expect(h).toMatchObject({ target: 0.25, better: 'lower', light: 'red' });
  });

  it('the last day follows a custom window, and no endpoints gives null', () => {
    seed();
    // Window [Nov 1, Nov 30): E = Nov 29. Acme (contract 2) and Gamma (ends Nov 29) are managed; Beta starts Nov 30.
    const r = runReport(store.db, ID, def, { asOf: T, from: '2026-11-01T00:00:00Z', to: '2026-11-30T00:00:00Z' });
    // Acme: 3 endpoints, 2 h (the Nov 30 entry is now outside). Gamma: 1 endpoint, 7 h. Total 9 / 4.
    expect(r.metrics).toEqual({ rhem: 9 / 4, reactive_hours: 9, managed_endpoints: 4, managed_companies: 2 });
    expect(r.rows.map((x) => [x.company, x.rhem])).toEqual([['Gamma', 7], ['Acme', 2 / 3]]);

    const empty = makeStore();
    try {
      seedPicklists(empty.db);
      expect(runReport(empty.db, ID, def, { asOf: T }).metrics).toEqual({ rhem: null, reactive_hours: 0, managed_endpoints: 0, managed_companies: 0 });
    } finally { empty.cleanup(); }
  });

  it('labels in settings are trimmed and case-insensitive; inactive picklist values still match', () => {
    seed();
    store.db.prepare('INSERT INTO picklists (entity, field, value, label, is_active, is_system) VALUES (?, ?, ?, ?, 0, 0)').run('Contracts', 'contractType', 99, 'Legacy Managed');
    insert(store.db, 'Contracts', [{ id: 8, contractName: 'old', companyID: 5, status: pv('Contracts', 'status', 'Active'), contractType: 99, startDate: '2020-01-01', endDate: '2030-01-01' }]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { managedContractTypes: ['  recurring SERVICE ', 'legacy managed'], endpointTypes: [' WORKSTATION', 'server '] } });
    // Acme: workstation + server = 2 endpoints, 3 h. Beta: 0, 1.5 h. Epsilon (inactive type value): 1 server, 0 h.
    expect(r.metrics).toEqual({ rhem: 4.5 / 3, reactive_hours: 4.5, managed_endpoints: 3, managed_companies: 3 });
    expect(r.rows.map((x) => [x.company, x.endpoints, x.rhem])).toEqual([['Acme', 2, 1.5], ['Epsilon', 1, 0], ['Beta', 0, null]]);
  });

  it('time-zone day boundaries: entries dated by New York midnights', () => {
    seed();
    insert(store.db, 'TimeEntries', [
      entry(10, 10, '2026-11-01T03:30:00Z'), // Oct 31 23:30 EDT: out in New York
      entry(10, 20, '2026-12-01T04:30:00Z'), // Nov 30 23:30 EST: in
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    // Acme in New York: 2 h at Nov 1 00:00 UTC = Oct 31 20:00 EDT is out; dateWorked Nov 30 (1 h) in; 20 h in;
    // the 5 h at Dec 1 00:00 UTC = Nov 30 19:00 EST is in. Acme 1 + 20 + 5 = 26; Beta 1.5.
    expect(r.metrics.reactive_hours).toBe(27.5);
    expect(r.rows[0]).toMatchObject({ company: 'Acme', reactive_hours: 26 });
  });
});
