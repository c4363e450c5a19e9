import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStore as runSync } from '../../src/app.js';
import { startSimulator } from '../../src/simulator/index.js';
import { Database } from '../../src/store/sqlite.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';

/**
 * Expense reports, expense items and sales orders have no change timestamp: every sync re-reads them whole
 * (a page per 500 rows) and drops what Autotask no longer has. The deal links (opportunityID of contracts,
 * projects, tickets) and the deal revenue and cost fields arrive with their entities' own syncs.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let home: SimHome;
beforeAll(async () => { home = simHome(await startSimulator({ port: 0, seed: 8, scale: 'small', now: NOW }), 'psa-deals-'); });
afterAll(() => home.cleanup());

function alive(entity: string): Record<string, unknown>[] {
  const t = home.sim.tenant.table(entity);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.length; i++) if (t.isAlive(i)) out.push({ ...t.stored(i), id: t.idAt(i) });
  return out;
}

describe('sync of expenses, sales orders and deal links', () => {
  it('stores every row and field the tenant has, in requests of 500 rows, and follows edits and deletions', async () => {
    const cfg = home.config();
    const first = await runSync(cfg, captureIO(home.env, home.dir), { clock: home.clock, progress: 'none' });
    expect(first.failed).toEqual([]);
    const db = new Database(cfg.db, { readonly: true });
    try {
      for (const [entity, table, fields] of [
        ['ExpenseReports', 'expense_reports', ['submitterID', 'status', 'submitDate', 'internalCurrencyExpenseTotal']],
        ['ExpenseItems', 'expense_items', ['expenseReportID', 'expenseDate', 'isBillableToCompany', 'internalCurrencyExpenseAmount', 'companyID']],
        ['SalesOrders', 'sales_orders', ['opportunityID', 'companyID', 'status']],
      ] as const) {
        const want = alive(entity);
        expect(want.length, entity).toBeGreaterThan(entity === 'SalesOrders' ? 5 : 50);
        const got = new Map((db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]).map((r) => [r.id, r]));
        expect(got.size, entity).toBe(want.length);
        for (const w of want) {
          for (const f of fields) {
            const v = w[f] ?? null;
            expect(got.get(w.id)![f], `${entity} ${String(w.id)} ${f}`).toBe(typeof v === 'boolean' ? Number(v) : v);
          }
        }
        const r = first.entities.find((e) => e.entity === entity)!;
        // One picklist read, one count (a first sync reads the largest entities first), then one page per 500
        // rows (at least one).
        expect(r.requests, entity).toBe(2 + Math.max(1, Math.ceil(want.length / 500)));
      }
      for (const [entity, table] of [['Contracts', 'contracts'], ['Projects', 'projects'], ['Tickets', 'tickets']] as const) {
        const want = alive(entity).filter((r) => r.opportunityID !== null && r.opportunityID !== undefined).map((r) => `${String(r.id)}:${String(r.opportunityID)}`).sort();
        const got = (db.prepare(`SELECT id || ':' || opportunityID FROM ${table} WHERE opportunityID IS NOT NULL`).pluck().all() as string[]).sort();
        expect(want.length, entity).toBeGreaterThan(0);
        expect(got, entity).toEqual(want);
      }
      const opp = alive('Opportunities').find((o) => o.onetimeCost !== null && (o.onetimeCost as number) > 0)!;
      expect(db.prepare('SELECT cost, onetimeCost, monthlyRevenue, quarterlyRevenue, yearlyRevenue FROM opportunities WHERE id = ?').get(opp.id))
        .toEqual({ cost: opp.cost, onetimeCost: opp.onetimeCost, monthlyRevenue: opp.monthlyRevenue, quarterlyRevenue: opp.quarterlyRevenue, yearlyRevenue: opp.yearlyRevenue });
      expect(db.prepare('SELECT count(*) FROM billing_items WHERE expenseItemID IS NOT NULL').pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }

    // An edit (an approval) and a deletion in Autotask, then the next sync.
    const t = home.sim.tenant;
    const reports = t.table('ExpenseReports');
    const awaiting = alive('ExpenseReports').find((r) => r.status === t.value('ExpenseReports', 'status', 'Awaiting Approval'))!;
    reports.set(reports.find(awaiting.id as number), 'status', t.value('ExpenseReports', 'status', 'Approved for Payment'));
    const gone = alive('ExpenseItems')[3]!.id as number;
    t.remove('ExpenseItems', gone);
    home.sim.advance(60_000);
    const second = await runSync(cfg, captureIO(home.env, home.dir), { clock: home.clock, progress: 'none' });
    expect(second.failed).toEqual([]);
    const db2 = new Database(cfg.db, { readonly: true });
    try {
      expect(db2.prepare('SELECT status FROM expense_reports WHERE id = ?').pluck().get(awaiting.id)).toBe(t.value('ExpenseReports', 'status', 'Approved for Payment'));
      expect(db2.prepare('SELECT count(*) FROM expense_items WHERE id = ?').pluck().get(gone)).toBe(0);
      expect(second.entities.find((e) => e.entity === 'ExpenseItems')!.deleted).toBeGreaterThanOrEqual(1);
    } finally {
      db2.close();
    }
  }, 120_000);
});
