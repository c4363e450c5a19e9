import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDb } from '../../src/store/db.js';

describe('migration 16', () => {
  it('fills the deal links and deal revenue of rows stored before the fields were in the catalogue, from their stored records', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-backfill-'));
    try {
      const db = openDb(path.join(dir, 's.db'));
      // A store as it was before step 16: rows whose columns for the new fields are empty and the step not applied.
      db.exec(`DELETE FROM schema_migrations WHERE version = 16;
        DROP INDEX contracts_opportunity; DROP INDEX projects_opportunity; DROP INDEX tickets_opportunity;
        DROP INDEX billing_items_expense; DROP INDEX expense_items_report; DROP INDEX sales_orders_opportunity;`);
      const ins = (table: string, id: number, raw: object) => db.prepare(`INSERT INTO ${table} (id, raw, synced_at) VALUES (?, ?, 1)`).run(id, JSON.stringify(raw));
      ins('contracts', 1, { id: 1, opportunityID: 3001 });
      ins('projects', 2, { id: 2, OpportunityID: 3002 });
      ins('tickets', 3, { id: 3, opportunityID: null });
      ins('opportunities', 4, { id: 4, cost: 90.5, onetimeCost: 40, monthlyRevenue: 12 });
      ins('billing_items', 5, { id: 5, expenseItemID: 77 });
      expect(migrate(db)).toEqual([16]);
      expect(db.prepare('SELECT opportunityID FROM contracts').pluck().get()).toBe(3001);
      expect(db.prepare('SELECT opportunityID FROM projects').pluck().get()).toBe(3002);
      expect(db.prepare('SELECT opportunityID FROM tickets').pluck().get()).toBe(null);
      expect(db.prepare('SELECT cost, onetimeCost, monthlyRevenue, yearlyRevenue FROM opportunities').get()).toEqual({ cost: 90.5, onetimeCost: 40, monthlyRevenue: 12, yearlyRevenue: null });
      expect(db.prepare('SELECT expenseItemID FROM billing_items').pluck().get()).toBe(77);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
