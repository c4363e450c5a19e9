import { describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from 'canvas';
import { createSvgChartRenderer } from '../../src/render/chart-svg.js';
import { displayLabel, seriesChartSpec } from '../../src/render/charts.js';
import type { ChartSpec } from '../../src/types.js';
import { forecastReport, hostileReport, kpiReport, warningsReport } from './fixtures.js';

/** Text content of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&#(\d+);/g, (_x, n: string) => String.fromCharCode(Number(n))));
}

/** The SVG drawn by librsvg (node-canvas), as pixels. */
async function pixels(svg: Buffer): Promise<{ w: number; h: number; data: Uint8ClampedArray }> {
  const img = await loadImage(svg);
  const c = createCanvas(img.width, img.height);
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return { w: img.width, h: img.height, data: g.getImageData(0, 0, img.width, img.height).data };
}

describe('SVG charts (the PDF\'s)', () => {
  const charts = createSvgChartRenderer();
  const specs: ChartSpec[] = [
    kpiReport().charts[0]!,
    warningsReport().charts[0]!,
    forecastReport().charts[0]!,
    seriesChartSpec(kpiReport().series[0]!, 'First response met', 'pct', 97),
  ];

  it('draws every kind as vector: no bitmap inside, every bar name, legend entry and target as text', async () => {
    expect(charts.mime).toBe('image/svg+xml');
    expect(specs.map((s) => s.kind).sort()).toEqual(['bar', 'horizontal-bar', 'line', 'stacked-bar']);
    for (const s of specs) {
      const svg = (await charts.render(s)).toString('utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), s.id).toBe(true);
      expect(svg, s.id).toContain('width="900" height="340" viewBox="0 0 900 340"');
      // A raster fallback (cairo's answer to an operator it cannot express) would be an <image>.
      expect(svg, s.id).not.toMatch(/<image\b|data:image\//);
      const words = texts(svg);
      for (const label of s.labels) expect(words, `${s.id}: ${label}`).toContain(displayLabel(label));
      if (s.datasets.length > 1) for (const d of s.datasets) expect(words, `${s.id}: legend ${d.label}`).toContain(d.label);
      if (s.target !== undefined) expect(words, s.id).toContain('Target 97 %');
      // No glyph outlines: a label is a few hundred bytes of text, not kilobytes of path.
      expect(svg.length, s.id).toBeLessThan(40_000);
      const { w, h, data } = await pixels(Buffer.from(svg));
      expect({ w, h }).toEqual({ w: 900, h: 340 });
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240) ink++;
      expect(ink / (w * h), s.id).toBeGreaterThan(0.02);
      expect(ink / (w * h), s.id).toBeLessThan(0.8);
    }
  });

  it('is deterministic: the same spec gives the same bytes from another renderer', async () => {
    for (const s of specs) expect((await charts.render(s)).equals(await createSvgChartRenderer().render(s)), s.id).toBe(true);
  });

  it('keeps series apart in greyscale with vector textures: no stand-in colour, no pattern bitmap', async () => {
    const svg = await charts.render({ id: 'g', kind: 'bar', title: 't', labels: ['a'], datasets: [{ label: 'one', data: [10] }, { label: 'two', data: [10] }] });
    const s = svg.toString('utf8');
    expect(s).not.toMatch(/#0102[0-9a-f]{2}/);
    expect(s).not.toContain('<pattern');
    // The second series' bar and its legend box, each with a clipped hatch.
    expect(s.match(/clip-path="url\(#g-h\d+\)"/g)?.length).toBe(2);
    const { w, data } = await pixels(svg);
    const y = Math.round(340 * 0.5);
    const lum = new Set<number>();
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      lum.add(Math.round((0.3 * data[i]! + 0.59 * data[i + 1]! + 0.11 * data[i + 2]!) / 16));
    }
    // Dark solid bar, light textured bar (two tones), white background at least.
    expect(lum.size).toBeGreaterThanOrEqual(4);
  });

  it('writes hostile labels as escaped text, never as markup', async () => {
    const spec = hostileReport(9).charts[0]!;
    const spiked: ChartSpec = { ...spec, labels: [...spec.labels, '<script>alert(1)</script> & "q"'] };
    const svg = (await charts.render(spiked)).toString('utf8');
    expect(svg).not.toContain('<script');
    expect(texts(svg)).toContain('<script>alert(1)</script> & "q"');
    for (const label of spec.labels) expect(texts(svg)).toContain(label);
    // The chart id (a path traversal in the fixture) only ever prefixes element ids, made safe.
    expect(svg).not.toContain('../');
    await expect(pixels(Buffer.from(svg))).resolves.toBeTruthy();
  });
});
