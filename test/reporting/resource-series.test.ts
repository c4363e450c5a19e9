import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeByName, openStore } from '../../src/app.js';
import { burstResults } from '../../src/reporting/personal.js';
import type { ReportResult } from '../../src/types.js';
import { syncedStore } from '../helpers/synced.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
beforeAll(async () => { env = await syncedStore({ scale: 'tiny', seed: 9, now: NOW }); });
afterAll(async () => { await env?.cleanup(); });

function compute(id: string): ReportResult {
  const db = openStore(env.cfg);
  try {
    const [r] = computeByName(db, env.cfg, [id], { asOf: NOW, trend: true });
    if (!r!.ok) throw r!.error;
    return r!.value;
  } finally {
    db.close();
  }
}

describe('per-technician trends', () => {
  it('are kept beside the team trend for reports with rows per resource, aligned with its periods', () => {
    const r = compute('tech-performance/real-time-time-entry');
    const team = r.series.find((s) => s.metric === 'rtte_pct')!;
    expect(r.resourceSeries).toBeDefined();
    expect(r.resourceSeries!.labels).toEqual(team.labels);
    const ids = Object.keys(r.resourceSeries!.values);
    expect(ids.length).toBeGreaterThan(1);
    // The last period is the report's own: each resource's value is its row's.
    for (const row of r.rows) {
      const mine = r.resourceSeries!.values[String(row.resource_id)]!.rtte_pct!;
      expect(mine).toHaveLength(team.labels.length);
      expect(mine.at(-1)).toBe(row.rtte_pct);
    }
    // A point-in-time report keeps none.
    expect(compute('intake/backlog').resourceSeries).toBeUndefined();
  });

  it('a personal copy gets its own change and a "you and the team" chart, and nobody else\'s values', () => {
    const r = compute('tech-performance/real-time-time-entry');
    const row = r.rows.find((x) => typeof x.rtte_pct === 'number')!;
    const id = row.resource_id as number;
    const mine = r.resourceSeries!.values[String(id)]!.rtte_pct!;
    const copy = burstResults([r], 'technician', id).results[0]!;
    const tile = copy.headlines.find((h) => h.metric === 'rtte_pct')!;
    expect(tile.value).toBe(row.rtte_pct);
    expect(tile.previous).toBe(mine.at(-2) ?? null);
    expect(copy.resourceSeries).toBeUndefined();
    expect(copy.series).toEqual([]);
    if (mine.filter((v) => v !== null).length >= 2) {
      const chart = copy.charts.find((c) => c.id === 'trend-rtte_pct')!;
      expect(chart.title).toMatch(/you and the team/);
      expect(chart.datasets.map((d) => d.label)).toEqual(['You', 'Team']);
      expect(chart.datasets[0]!.data).toEqual(mine);
      expect(chart.datasets[1]!.data).toEqual(r.series.find((s) => s.metric === 'rtte_pct')!.values);
    }
    // Counts of periods without a row are 0 in the person's own line.
    const measured = burstResults([r], 'technician', 999_999).results[0]!;
    expect(measured.headlines.find((h) => h.metric === 'measured')!.value).toBe(0);
  });
});
