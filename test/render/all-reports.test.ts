import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeByName, loadRegistry } from '../../src/app.js';
import { openDb } from '../../src/store/db.js';
import { formatValue } from '../../src/render/format.js';
import { createRenderer, type Renderer } from '../../src/render/pdf.js';
import type { ReportResult } from '../../src/types.js';
import { syncedStore } from '../helpers/synced.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { createCanvas } from 'canvas';
import { SettingsSchema } from '../../src/config.js';
import { chartConfig, displayLabel } from '../../src/render/charts.js';
import { createSvgChartRenderer } from '../../src/render/chart-svg.js';
import { chartSpecsOf, reportView } from '../../src/render/view.js';
import { inkShare, pageCount, pageTexts } from './pdftools.js';

/**
 * Every shipped report, computed from a store synced from the simulator through the real sync path,
 * rendered to PDF with real Chromium: titles and headline numbers must be in the text, pages plausible,
 * and the first page not blank.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
let renderer: Renderer;
let results: ReportResult[];

const flat = (s: string) => s.replace(/\s+/g, ' ');

beforeAll(async () => {
  env = await syncedStore({ scale: 'tiny', seed: 5, now: NOW, days: 3 });
  const db = openDb(env.cfg.db);
  try {
    const all = computeByName(db, env.cfg, loadRegistry().map((r) => r.id), { asOf: NOW, trend: true });
    const failed = all.filter((r) => !r.ok);
    expect(failed.map((f) => f.name)).toEqual([]);
    results = all.flatMap((r) => (r.ok ? [r.value] : []));
  } finally {
    db.close();
  }
  renderer = createRenderer({ chromiumPath: env.cfg.render.chromiumPath, paper: 'A4', renderTimeoutMs: 60_000, recycleAfter: 50, timezone: 'UTC', mspName: 'Northwind IT' });
}, 180_000);
afterAll(async () => { await renderer?.close(); await env?.cleanup(); });

describe('every report renders to PDF', () => {
  it('each report alone: title and every headline value in the text, first page has ink', async () => {
    for (const r of results) {
      const pdf = await renderer.pdf([r]);
      const pages = await pageTexts(pdf.content);
      const text = flat(pages.join(' ')).replace(/\u00a0/g, ' ');
      expect(text, r.report).toContain(flat(r.title));
      for (const h of r.headlines) {
        const v = formatValue(h.value, h.unit, { timezone: 'UTC' }).replace(/\u00a0/g, ' ');
        expect(text, `${r.report} ${h.metric}`).toContain(v);
      }
      // Rows: the last row's first text cell is in the PDF (nothing cut off at the end).
      const last = r.rows.at(-1);
      const firstTextCol = r.columns.find((c) => c.unit === 'text' || c.unit === undefined);
      if (last && firstTextCol && typeof last[firstTextCol.key] === 'string' && (last[firstTextCol.key] as string).length > 3) {
        expect(text, `${r.report} last row`).toContain(flat(last[firstTextCol.key] as string).slice(0, 20));
      }
      expect(await inkShare(pdf.content, 1), r.report).toBeGreaterThan(0.005);
    }
  }, 300_000);

  it('the weekly bundle has a contents page naming every report and a plausible page count', async () => {
    const pdf = await renderer.pdf(results, { title: 'All reports' });
    const n = await pageCount(pdf.content);
    expect(n).toBeGreaterThanOrEqual(results.length);
    expect(n).toBeLessThan(results.length * 12);
    const pages = await pageTexts(pdf.content);
    const contents = flat(pages.slice(0, 3).join(' '));
    for (const r of results) expect(contents, r.report).toContain(flat(r.title).slice(0, 30));
  }, 300_000);
});

describe('plain words, money and labelled charts (issue 11)', () => {
  it('report pages carry no settings key, spec reference or formula: those live in the appendix only', async () => {
    const pdf = await renderer.pdf(results, { title: 'All reports' });
    const pages = (await pageTexts(pdf.content)).map((p) => flat(p));
    const appendixAt = pages.findIndex((p) => p.includes('How this is measured'));
    expect(appendixAt).toBeGreaterThan(0);
    // The appendix does hold the definitions (so the check below is not vacuous).
    expect(pages.slice(appendixAt).join(' ')).toMatch(/settings\.|Σ/);
    const keys = Object.keys(SettingsSchema.shape).filter((k) => /[A-Z]/.test(k));
    for (const [i, p] of pages.slice(0, appendixAt).entries()) {
      expect(p, `page ${i + 1}`).not.toMatch(/settings\.|kpi-spec|Σ|\[T −|\[from, to\)/);
      for (const k of keys) expect(p, `page ${i + 1}: ${k}`).not.toContain(k);
    }
  }, 300_000);

  it('every money figure carries the currency, in tiles, tables and the summary', () => {
    let seen = 0;
    for (const [i, r] of results.entries()) {
      const v = reportView(r, i, [], { timezone: 'UTC', mspName: 'X', generatedAt: NOW });
      r.headlines.forEach((h, j) => {
        if (h.unit !== 'money') return;
        seen++;
        expect(v.tiles[j]!.value, `${r.report} ${h.metric}`).toMatch(/^(-?\$|—)/);
      });
      const cols = v.table.columns;
      for (const h of r.headlines.filter((x) => x.unit === 'money' && x.value !== null && x.value !== 0)) {
        // A money figure in the opening sentence carries the currency too.
        if ((r.summary ?? '').includes(formatValue(h.value, 'money', { timezone: 'UTC' }).replace(/^\$/, ''))) {
          expect(r.summary, `${r.report} summary`).toContain(formatValue(h.value, 'money', { timezone: 'UTC' }));
        }
      }
      r.columns.forEach((c, j) => {
        if (c.unit !== 'money') return;
        for (const row of v.table.rows) { seen++; expect(row[j]!.text, `${r.report} ${c.key}`).toMatch(/^(-?\$|—)/); }
        expect(cols[j]).toBeDefined();
      });
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('every bar of every chart has its label, in the chart and as text in the PDF\'s SVG', async () => {
    const canvas = new ChartJSNodeCanvas({ width: 900, height: 340 });
    const svgCharts = createSvgChartRenderer();
    let bars = 0;
    // Beside the store's charts, a team of 24 (the horizontal bars that used to lose every other name) and 30 vertical bars.
    const names = Array.from({ length: 24 }, (_, i) => `Technician number ${i + 1}`);
    const big: ReportResult = {
      ...results[0]!, report: 'x/big', series: [],
      charts: [
        { id: 'h', kind: 'horizontal-bar', title: 'H', unit: 'pct', labels: names, datasets: [{ label: 'Rate', data: names.map((_, i) => i * 4) }] },
        { id: 'v', kind: 'bar', title: 'V', unit: 'count', labels: Array.from({ length: 30 }, (_, i) => `Workflow ${i + 1}`), datasets: [{ label: 'N', data: Array.from({ length: 30 }, (_, i) => i) }] },
      ],
    };
    for (const r of [...results, big]) {
      for (const spec of chartSpecsOf(r)) {
        if (spec.kind === 'line') continue;
        const chart = (canvas as unknown as { renderChart(c: unknown): { scales: Record<string, { ticks: { label: unknown }[] }>; destroy(): void } })
          .renderChart(chartConfig(spec, () => createCanvas(12, 12), 1));
        try {
          const ticks = chart.scales[spec.kind === 'horizontal-bar' ? 'y' : 'x']!.ticks;
          expect(ticks.length, `${r.report} ${spec.id}`).toBe(spec.labels.length);
          ticks.forEach((t, i) => expect(String(t.label), `${r.report} ${spec.id} bar ${i + 1}`).not.toBe(''));
          bars += spec.labels.length;
        } finally {
          chart.destroy();
        }
        // The PDF's chart: one <text> per bar name (counted, as two bars may share a name).
        const svg = (await svgCharts.render(spec)).toString('utf8');
        const words = [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&#(\d+);/g, (_x, n: string) => String.fromCharCode(Number(n))));
        const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
        for (const label of new Set(spec.labels.map(displayLabel))) {
          expect(count(words, label), `${r.report} ${spec.id} SVG text "${label}"`).toBeGreaterThanOrEqual(count(spec.labels.map(displayLabel), label));
        }
      }
    }
    expect(bars).toBeGreaterThan(60);
  });
});
