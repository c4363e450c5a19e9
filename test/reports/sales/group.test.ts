import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reports } from '../../../reports/sales/index.js';
import { makeStore, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

describe('sales group', () => {
  it('every report computes on an empty store, with trends, in a DST-changing zone', () => {
    for (const [id, def] of Object.entries(reports)) {
      const r = runReport(store.db, id, def, { asOf: '2026-11-02T14:00:00Z', trend: true, settings: { timezone: 'America/New_York' } });
      expect(Object.keys(r.metrics)).toEqual(Object.keys(def.metrics));
      expect(r.rows).toEqual([]);
      // Every report explains itself to readers outside sales (a real description, not a stub).
      expect(def.description.length).toBeGreaterThan(80);
    }
  });
});
