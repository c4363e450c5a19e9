import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/render/pdf.js';
import type { Renderer } from '../../src/render/pdf.js';
import { bigTableReport, emptyReport, forecastReport, kpiReport, listsReport, warningsReport } from './fixtures.js';
import { anchorPages } from '../../src/render/pdf-anchors.js';
import { imageCounts, inkShare, pageCount, pageLayoutText, pageSize, pageTexts, pdfText } from './pdftools.js';
import { createChartRenderer, displayLabel } from '../../src/render/charts.js';

const chromiumPath = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
const opts = {
  chromiumPath, paper: 'A4' as const, renderTimeoutMs: 30_000, recycleAfter: 100,
  timezone: 'Europe/Berlin', mspName: 'Bright IT Services',
  clock: { now: () => Date.UTC(2026, 10, 23, 7, 30) },
  userDataDirPrefix: path.join(os.tmpdir(), `psa-render-pdf-${process.pid}-`),
};
// pdftotext turns the no-break space of "93.4 %" into a plain or no-break space.
const nb = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s\\u00a0]'));

describe('PDF renderer (real Chromium)', () => {
  let r: Renderer;
  beforeAll(() => { r = createRenderer(opts); });
  afterAll(async () => { await r.close(); });

  it('renders a KPI report: title, MSP, period, headline numbers, generated-at in the settings zone, page numbers', async () => {
    const pdf = await r.pdf([kpiReport()]);
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.filename).toBe('intake-sla-performance-2026-11-16.pdf');
    const text = await pdfText(pdf.content);
    expect(text).toContain('SLA performance');
    expect(text).toContain('BRIGHT IT SERVICES');
    expect(text).toContain('16 Nov 2026 – 22 Nov 2026');
    expect(text).toMatch(nb('93.4 %'));
    expect(text).toMatch(nb('81.3 %'));
    expect(text).toMatch(nb('7.3 h'));
    expect(text).toContain('—');
    expect(text).toContain('On target');
    expect(text).toContain('Off target');
    expect(text).toMatch(nb('▲ +2.1 pts'));
    expect(text).toContain('Generated 23 Nov 2026, 08:30 CET');
    const pages = await pageCount(pdf.content);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(3);
    expect(text).toMatch(new RegExp(`Page 1 of ${pages}`));
    // A4 is 595 × 842 points.
    const size = await pageSize(pdf.content);
    expect(Math.abs(size.w - 595.3)).toBeLessThan(1.5);
    expect(Math.abs(size.h - 841.9)).toBeLessThan(1.5);
    // Charts are in: the first page carries a good deal of ink, not just text.
    expect(await inkShare(pdf.content, 1)).toBeGreaterThan(0.08);
  });

  it('prints a 500-row table whole: header on every page, no row split, the last row present', async () => {
    const pdf = await r.pdf([bigTableReport(500)]);
    const pages = await pageTexts(pdf.content);
    // About 25 rows a page: a plausible count, not one page per row nor everything crammed.
    expect(pages.length).toBeGreaterThanOrEqual(12);
    expect(pages.length).toBeLessThanOrEqual(40);
    const all = pages.join('\n');
    expect(all).toContain('LAST-ROW-MARKER 500');
    expect(all).toContain('T20261116.1499');
    let rowsSeen = 0;
    for (const [i, text] of pages.entries()) {
      const tickets = text.match(/T20261116\.\d{4}/g) ?? [];
      if (!tickets.length) continue;
      rowsSeen += tickets.length;
      // Header row repeats on every page that holds rows.
      for (const h of ['Ticket', 'Title', 'Company', 'Resource', 'Created']) expect(text, `page ${i + 1} header ${h}`).toContain(h);
      // A row is whole on its page: its wrapped title starts and ends here, as many times as there are tickets.
      const starts = text.match(/Row \d+ printer offline/g) ?? [];
      const ends = text.match(/firmware[\s\u00a0]+update/g) ?? [];
      const last = text.includes('LAST-ROW-MARKER') ? 1 : 0;
      expect(starts.length + last, `page ${i + 1}`).toBe(tickets.length);
      expect(ends.length + last, `page ${i + 1}`).toBe(tickets.length);
      // Dates are on one line with their time.
      expect((text.match(/\d{1,2} Oct 2026, \d\d:\d\d/g) ?? []).length, `page ${i + 1}`).toBe(tickets.length);
    }
    expect(rowsSeen).toBe(500);
    expect(await inkShare(pdf.content, Math.ceil(pages.length / 2))).toBeGreaterThan(0.03);
  });

  it('prints a report\'s further tables after its rows, a long one cut to its first rows with a line saying where the rest are', async () => {
    const text = await pdfText((await r.pdf([listsReport()])).content);
    expect(text).toContain('Unapproved time by resource');
    expect(text).toContain('Unapproved entries by age');
    expect(text).toMatch(/ENTRY-0\b/);
    expect(text).toContain('ENTRY-24');
    expect(text).not.toContain('ENTRY-25');
    expect(text.replace(/\s+/g, ' ')).toContain('… and 35 more entries: all of them are in the spreadsheet (XLSX or CSV) of this report.');
  });

  it('shows data-quality warnings and says so plainly when a report is empty', async () => {
    const w = await pdfText((await r.pdf([warningsReport()])).content);
    expect(w).toContain('Data quality');
    expect(w).toContain('WARNING-ONE');
    expect(w).toContain('WARNING-TWO');
    expect(w).toContain('182,451');
    const e = await r.pdf([emptyReport()]);
    const et = await pdfText(e.content);
    expect(et).toContain('Stuck projects');
    expect(et).toContain('No rows for this period.');
    // The report on one page, then the "How this is measured" appendix.
    expect(await pageCount(e.content)).toBe(2);
    expect(await inkShare(e.content, 1)).toBeGreaterThan(0.005);
  });

  it('bundles several reports behind a contents page, each report on its own page', async () => {
    const results = [kpiReport(), warningsReport(), forecastReport(), emptyReport()];
    const pdf = await r.pdf(results, { title: 'Weekly service report' });
    expect(pdf.filename).toBe('weekly-service-report-2026-11-16.pdf');
    const pages = await pageTexts(pdf.content);
    // The summary opens the bundle; the empty report is folded into its one line there.
    expect(pages[0]).toContain('Weekly service report');
    expect(pages[0]).toContain('Summary');
    expect(pages[0]).toContain(`No rows: ${emptyReport().title}.`);
    expect(pages[1]).toContain('Contents');
    const shown = results.filter((res) => res.title !== emptyReport().title);
    for (const res of shown) expect(pages[1]).toContain(res.title);
    expect(pages[1]).toContain('2 data-quality notes');
    // Each report's masthead opens a page, and the contents line of the report gives that page's number.
    const contents = (await pageLayoutText(pdf.content, 2)).split('\n');
    for (const res of shown) {
      const p = pages.findIndex((t, i) => i > 0 && t.trimStart().startsWith('BRIGHT IT SERVICES') && t.includes(res.title));
      expect(p, res.title).toBeGreaterThan(0);
      const line = contents.find((l) => l.includes(res.title));
      expect(line, res.title).toMatch(new RegExp(`\\s${p + 1}\\s*$`));
    }
    expect(anchorPages(Buffer.from('%PDF-1.4 not really'))).toBeNull();
  });

  it('opens a personal copy with "At a glance": every measure, yours beside the team\'s, on the contents page', async () => {
    const mine = [kpiReport(), warningsReport()].map((res) => ({ ...res, headlines: res.headlines.map((h) => ({ ...h, team: h.value, value: 12.5 })) }));
    const pdf = await r.pdf(mine, { title: 'Your scorecard' });
    const first = (await pageTexts(pdf.content))[0]!;
    expect(first).toContain('At a glance');
    for (const h of mine.flatMap((res) => res.headlines)) expect(first).toContain(h.label);
    expect(first).toMatch(/You\s+Team\s+Target\s+Status/);
    // A team bundle has none.
    expect((await pageTexts((await r.pdf([kpiReport(), warningsReport()], { title: 'Team' })).content))[0]).not.toContain('At a glance');
  });

  it('prints on Letter when configured', async () => {
    const letter = createRenderer({ ...opts, paper: 'Letter' });
    try {
      const pdf = await letter.pdf([emptyReport()]);
      const size = await pageSize(pdf.content);
      expect(Math.abs(size.w - 612)).toBeLessThan(1.5);
      expect(Math.abs(size.h - 792)).toBeLessThan(1.5);
    } finally {
      await letter.close();
    }
  });

  it('gives standalone HTML with SVG charts as data: images, or cid: PNG references for the email (mail clients do not show SVG)', async () => {
    const a = await r.html([kpiReport()]);
    const b = await r.html([kpiReport()], { images: 'cid' });
    expect(a.images.map((i) => i.cid)).toEqual(['intake-sla-performance-met-by-workflow@psa-reports', 'intake-sla-performance-trend-first-response-met-pct@psa-reports']);
    expect(a.html).toContain('data:image/svg+xml;base64,');
    expect(a.html).not.toContain('data:image/png');
    for (const img of a.images) {
      const svg = img.content.toString('utf8');
      expect(svg.startsWith('<svg '), img.filename).toBe(true);
      expect(img.filename).toMatch(/\.svg$/);
    }
    // The bar names are text in the SVG.
    for (const label of kpiReport().charts[0]!.labels) expect(a.images[0]!.content.toString('utf8')).toContain(`>${label}</text>`);
    expect(b.html).not.toContain('data:');
    for (const img of b.images) expect(b.html).toContain(`cid:${img.cid}`);
    // PNG width from the IHDR chunk: 900 CSS px × 1.5 for the email.
    const width = (png: Buffer) => png.readUInt32BE(16);
    expect(b.images.map((i) => i.content.subarray(1, 4).toString())).toEqual(['PNG', 'PNG']);
    expect(b.images.map((i) => width(i.content))).toEqual([1350, 1350]);
  });

  it('prints charts as vector: no image in the PDF, every bar name as text, smaller than the same PDF with PNG charts', async () => {
    const reports = [kpiReport(), warningsReport(), forecastReport()];
    const vector = await r.pdf(reports);
    const images = await imageCounts(vector.content);
    expect(images).toEqual({ listed: 0, objects: 0 });
    const text = (await pdfText(vector.content)).replace(/\s+/g, ' ');
    for (const rep of reports) {
      for (const c of rep.charts) {
        for (const label of c.labels) expect(text, `${c.id}: ${label}`).toContain(displayLabel(label));
      }
    }
    // The same document with PNG charts (as main had them at 1.25×): the vector one must weigh less.
    const png = createRenderer({ ...opts, charts: createChartRenderer({ devicePixelRatio: 1.25 }) });
    try {
      const raster = await png.pdf(reports);
      expect((await imageCounts(raster.content)).listed).toBeGreaterThan(0);
      expect(vector.content.length).toBeLessThan(raster.content.length);
    } finally {
      await png.close();
    }
  });
});
