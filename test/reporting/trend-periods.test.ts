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

describe('the ticket history', () => {
  it("gives a window's completion events as a range by time: exactly those of every ticket's completions in it", async () => {
    const { loadTicketHistory } = await import('../../src/reporting/history.js');
    const { loadPicklists } = await import('../../src/reporting/labels.js');
    const db = openDb(env.cfg.db);
    try {
      const settings = SettingsSchema.parse({});
      const h = loadTicketHistory(db, settings, loadPicklists(db));
      const all = h.ticketIds().flatMap((t) => h.completions(t));
      expect(all.length).toBeGreaterThan(50);
      const times = all.map((e) => e.at).sort((a, b) => a - b);
      // Windows cut at event times (edges included and excluded), an empty one and one holding everything.
      const cuts = [times[0]!, times[Math.floor(times.length / 3)]!, times[Math.floor(times.length / 2)]!, times.at(-1)!];
      const windows = [{ from: cuts[0]!, to: cuts[1]! }, { from: cuts[1]!, to: cuts[3]! }, { from: cuts[2]!, to: cuts[2]! }, { from: -Infinity, to: Infinity }];
      for (const w of windows) {
        const want = all.filter((e) => e.at >= w.from && e.at < w.to);
        const got = h.completionsIn(w);
        expect(new Set(got)).toEqual(new Set(want));
        expect(got.length).toBe(want.length);
        expect(got.every((e, i) => i === 0 || got[i - 1]!.at <= e.at)).toBe(true);
      }
    } finally {
      db.close();
    }
  });
});

describe("trend 'previous' (the web page's computation)", () => {
  it('gives the headlines and trend charts of the whole trend, from the last two points when it is partial', () => {
    const db = openDb(env.cfg.db);
    try {
      const settings = SettingsSchema.parse({ timezone: 'America/New_York' });
      let partial = 0;
      for (const r of validateReports(REPORTS).reports) {
        const [whole] = computeReports(db, [r], { settings, asOf: NOW, trend: true, readOnly: true });
        const [quick] = computeReports(db, [r], { settings, asOf: NOW, trend: 'previous', readOnly: true });
        if (!whole!.ok) throw whole!.error;
        if (!quick!.ok) throw quick!.error;
        const w = whole!.value, q = quick!.value;
        expect(q.headlines, r.id).toEqual(w.headlines);
        expect(q.metrics, r.id).toEqual(w.metrics);
        expect(q.rows, r.id).toEqual(w.rows);
        expect(q.charts.map((c) => c.id), r.id).toEqual(w.charts.map((c) => c.id));
        if (q.partialTrend) {
          partial++;
          expect(w.partialTrend, r.id).toBeUndefined();
          for (const s of q.series) {
            const full = w.series.find((x) => x.metric === s.metric)!;
            expect(s.values, `${r.id} ${s.metric}`).toEqual(full.values.slice(-2));
            expect(s.labels).toEqual(full.labels.slice(-2));
          }
        } else {
          expect(q.series, r.id).toEqual(w.series);
          expect(q.charts, r.id).toEqual(w.charts);
        }
      }
      expect(partial).toBeGreaterThan(5);
    } finally {
      db.close();
    }
  }, 120_000);
});
