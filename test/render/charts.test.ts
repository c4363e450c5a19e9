import { describe, expect, it } from 'vitest';
import { createChartRenderer, seriesChartSpec, trendLine, TREND_LABEL } from '../../src/render/charts.js';
import type { ChartSpec } from '../../src/types.js';
import { pngInk } from './pdftools.js';
import { forecastReport, kpiReport, warningsReport } from './fixtures.js';

function pngSize(png: Buffer): { w: number; h: number } {
  return { w: png.readUInt32BE(16), h: png.readUInt32BE(20) };
}

describe('charts', () => {
  const charts = createChartRenderer();

  it('draws every kind to a PNG of a fixed size, with ink on it', async () => {
    const specs: ChartSpec[] = [
      kpiReport().charts[0]!,
      warningsReport().charts[0]!,
      forecastReport().charts[0]!,
      seriesChartSpec(kpiReport().series[0]!, 'First response met', 'pct'),
    ];
    expect(specs.map((s) => s.kind).sort()).toEqual(['bar', 'horizontal-bar', 'line', 'stacked-bar']);
    for (const s of specs) {
      const png = await charts.render(s);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(pngSize(png)).toEqual({ w: 1350, h: 510 });
      const ink = await pngInk(png);
      expect(ink).toBeGreaterThan(0.02);
      expect(ink).toBeLessThan(0.8);
    }
  });

  it('is deterministic: the same spec gives the same bytes', async () => {
    const spec = forecastReport().charts[0]!;
    const a = await charts.render(spec);
    const b = await createChartRenderer().render(spec);
    expect(a.equals(b)).toBe(true);
  });

  it('adds a least-squares trend line to a trend series, skipping gaps', () => {
    expect(trendLine([1, 2, null, 4])).toEqual([1, 2, 3, 4]);
    expect(trendLine([5, null])).toBeNull();
    const spec = seriesChartSpec({ metric: 'x', labels: ['a', 'b', 'c'], values: [1, 3, 5] }, 'X', 'count');
    expect(spec.kind).toBe('line');
    expect(spec.datasets.map((d) => d.label)).toEqual(['X', TREND_LABEL]);
    expect(spec.datasets[1]!.data).toEqual([1, 3, 5]);
  });

  it('keeps series apart in greyscale: the second bar series is textured, not a flat fill', async () => {
    const png = await charts.render({ id: 'g', kind: 'bar', title: 't', labels: ['a'], datasets: [{ label: 'one', data: [10] }, { label: 'two', data: [10] }] });
    const { loadImage, createCanvas } = await import('canvas');
    const img = await loadImage(png);
    const c = createCanvas(img.width, img.height);
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    // Sample a horizontal strip through the middle of the chart: lightness values across both bars.
    const y = Math.round(img.height * 0.5);
    const row = g.getImageData(0, y, img.width, 1).data;
    const lum = new Set<number>();
    for (let i = 0; i < row.length; i += 4) lum.add(Math.round((0.3 * row[i]! + 0.59 * row[i + 1]! + 0.11 * row[i + 2]!) / 16));
    // Dark solid bar, light textured bar (two tones), white background at least.
    expect(lum.size).toBeGreaterThanOrEqual(4);
  });
});
