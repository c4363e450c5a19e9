import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reports } from '../../../reports/intake/index.js';
import { makeStore, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

describe('intake group', () => {
  it('every report computes on an empty store, with trends, in a DST-changing zone, with exactly its declared metrics', () => {
    for (const [id, def] of Object.entries(reports)) {
      const r = runReport(store.db, id, def, { asOf: '2026-11-02T14:00:00Z', trend: true, settings: { timezone: 'America/New_York' } });
      expect(Object.keys(r.metrics)).toEqual(Object.keys(def.metrics));
      // Percentages and ratios over nothing are null, never 0 or NaN.
      for (const [m, d] of Object.entries(def.metrics)) if (d.unit === 'pct' || m === 'kill_rate' || m === 'weeks_to_clear') expect(r.metrics[m]).toBeNull();
      expect(def.description.length).toBeGreaterThan(80);
      // Every column shown exists in the rows.
      for (const row of r.rows) for (const c of def.columns) expect(row).toHaveProperty(c.key);
    }
  });
});
