import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { SettingsSchema } from '../../src/config.js';
import { validateReports } from '../../src/reporting/define.js';
import { computeReports, effectiveWindowKind } from '../../src/reporting/engine.js';
import { previousWindow, resolveWindow } from '../../src/reporting/time.js';
import { openDb } from '../../src/store/db.js';
import { syncedStore } from '../helpers/synced.js';

/**
 * A past period of a trend is computed with ctx.trendPeriod set, and reports skip for it what only their
 * rows, charts and warnings need (labour profitability sums hours by resource only, for one). Each point of
 * every trend must still be the value the report gives when that period is the one shown.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
beforeAll(async () => { env = await syncedStore({ scale: 'small', seed: 5, now: NOW, days: 2 }); }, 180_000);
afterAll(async () => { await env?.cleanup(); });

describe('every trend point', () => {
  it('equals the report computed for that period as the shown one', () => {
    const db = openDb(env.cfg.db);
    try {
      const settings = SettingsSchema.parse({ timezone: 'America/New_York' });
      const tz = settings.timezone;
      const reports = validateReports(REPORTS).reports.filter((r) => r.def.window !== 'point-in-time' && r.def.trendPeriods !== 0);
      let points = 0;
      for (const r of reports) {
        const [res] = computeReports(db, [r], { settings, asOf: NOW, trend: true, readOnly: true });
        if (!res!.ok) throw res!.error;
        const kind = effectiveWindowKind(r.def.window, undefined);
        const window = resolveWindow(kind, NOW, tz)!;
        const n = r.def.trendPeriods ?? (kind === 'previous-month' ? 6 : 8);
        for (const s of res!.value.series) {
          for (let i = n; i >= 1; i--) {
            const w = previousWindow(kind, window, i, tz);
            const [shown] = computeReports(db, [r], { settings, asOf: NOW - (window.from - w.from), from: w.from, to: w.to, readOnly: true });
            if (!shown!.ok) throw shown!.error;
            const want = shown!.value.metrics[s.metric] ?? null;
            const got = s.values[n - i] ?? null;
            const where = `${r.id} ${s.metric} ${s.labels[n - i]}`;
            if (want === null || got === null) expect(got, where).toBe(want);
            // Sums may be added in another order (by resource instead of by company and resource).
            else expect(Math.abs(got - want), where).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
            points++;
          }
        }
      }
      expect(points).toBeGreaterThan(100);
    } finally {
      db.close();
    }
  }, 180_000);
});
