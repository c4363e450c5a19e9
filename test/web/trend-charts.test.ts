import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeByName } from '../../src/app.js';
import { createChartRenderer } from '../../src/render/charts.js';
import { chartSpecsOf } from '../../src/render/view.js';
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
    const partial = computeByName(home.db, home.cfg, ['profitability/resource-utilization', 'tech-performance/real-time-time-entry', 'intake/workflow-distribution', 'intake/sla-performance', 'sales/won-handoff'], { asOf: now, trend: 'previous', readOnly: true })
      .flatMap((r) => (r.ok && r.value.partialTrend ? [r.value] : []));
    expect(partial.length).toBeGreaterThan(0);
    // won-handoff's page is partial and has more trend series than the two the engine charts: the page
    // draws a chart of each, and each must be found again in the whole trend (it answered 404 before).
    expect(partial.map((r) => r.report)).toContain('sales/won-handoff');
    expect(partial.find((r) => r.report === 'sales/won-handoff')!.series.length).toBeGreaterThan(2);
    const s = await signIn(home.base, 'manager@msp.example');
    const renderer = createChartRenderer();
    for (const { report: id } of partial) {
      const [whole] = computeByName(home.db, home.cfg, [id], { asOf: now, trend: true, readOnly: true });
      if (!whole!.ok) throw whole!.error;
      const trendCharts = chartSpecsOf(whole!.value).filter((c) => c.id.startsWith('trend-'));
      expect(trendCharts.length).toBeGreaterThan(0);
      expect(trendCharts[0]!.labels.length).toBeGreaterThan(2); // the whole trend has more than the two points of the page's

      const html = await (await s.get(`/reports/${id}`)).text();
      const imgs = [...html.matchAll(/<img[^>]*src="(\/charts\/[\w-]+\.png)"[^>]*alt="([^"]*)"/g)].map((m) => ({ src: m[1]!, alt: m[2]! }));
      const trendImgs = imgs.filter((i) => /trend/i.test(i.alt));
      expect(trendImgs.map((i) => i.alt), id).toEqual(trendCharts.map((c) => expect.stringContaining(c.title.replace(/&/g, '&amp;'))));
      for (const [k, img] of trendImgs.entries()) {
        const res = await s.get(img.src);
        expect(res.status, `${id}: ${img.alt}`).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/image\/png/);
        const png = Buffer.from(await res.arrayBuffer());
        expect(png.equals(await renderer.render(trendCharts[k]!)), `${id}: ${img.alt}`).toBe(true);
      }
    }
  }, 120_000);
});
