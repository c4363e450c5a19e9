import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeByName } from '../../src/app.js';
import { createChartRenderer } from '../../src/render/charts.js';
import { signIn, webHome, type WebHome } from './helpers.js';

/**
 * A report page needs the period before the shown one only (each headline's change): its trend charts are
 * drawn from the whole trend, computed when the browser asks for them. What the browser gets must be the
 * chart of the whole trend, as the PDF and the e-mail draw it.
 */
let home: WebHome;
beforeAll(async () => { home = await webHome(); }, 180_000);
afterAll(async () => { await home?.cleanup(); });

describe('trend charts of a report page', () => {
  it('are the whole trend, drawn when asked for, though the page computed only the period before', async () => {
    const now = home.sim.now();
    // A report whose page is partial: the first two trend metrics known in both last periods.
    const partial = computeByName(home.db, home.cfg, ['profitability/resource-utilization', 'tech-performance/real-time-time-entry', 'intake/workflow-distribution', 'intake/sla-performance'], { asOf: now, trend: 'previous', readOnly: true })
      .flatMap((r) => (r.ok && r.value.partialTrend ? [r.value] : []));
    expect(partial.length).toBeGreaterThan(0);
    const id = partial[0]!.report;
    const [whole] = computeByName(home.db, home.cfg, [id], { asOf: now, trend: true, readOnly: true });
    if (!whole!.ok) throw whole!.error;
    const trendCharts = whole!.value.charts.filter((c) => c.id.startsWith('trend-'));
    expect(trendCharts.length).toBeGreaterThan(0);
    expect(trendCharts[0]!.labels.length).toBeGreaterThan(2); // the whole trend has more than the two points of the page's

    const s = await signIn(home.base, 'manager@msp.example');
    const html = await (await s.get(`/reports/${id}`)).text();
    const imgs = [...html.matchAll(/<img[^>]*src="(\/charts\/[\w-]+\.png)"[^>]*alt="([^"]*)"/g)].map((m) => ({ src: m[1]!, alt: m[2]! }));
    const trendImgs = imgs.filter((i) => i.alt.includes('trend'));
    expect(trendImgs.map((i) => i.alt)).toEqual(trendCharts.map((c) => expect.stringContaining(c.title.replace(/&/g, '&amp;'))));
    const renderer = createChartRenderer();
    for (const [k, img] of trendImgs.entries()) {
      const res = await s.get(img.src);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/image\/png/);
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.equals(await renderer.render(trendCharts[k]!))).toBe(true);
    }
  }, 120_000);
});
