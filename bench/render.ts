/**
 * Render benchmark: the time of one PDF through the renderer with its warm pool (HTML from templates,
 * charts drawn, JS off, request interception, ready check, print) as a ratio to a bare puppeteer
 * `page.pdf()` of the same final HTML on a warm browser, measured alternately in the same run.
 * The pool opens and prepares the next page ahead and closes the last one behind the result; the bench
 * waits for that background work between the timed sides, and reports it separately.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import puppeteer from 'puppeteer';
import { BrowserPool, CHROMIUM_ARGS } from '../src/render/browser.js';
import { createRenderer, footerTemplate, htmlToPdf, preparePrintPage } from '../src/render/pdf.js';
import { systemClock, type ReportResult } from '../src/types.js';

/** Options of the render benchmark. */
export interface RenderBenchOptions {
  /** Chromium binary. */
  chromiumPath: string;
  /** Timed renders per sample and side (after one warm-up each). */
  iterations?: number;
  /** Progress lines. */
  log?: (s: string) => void;
}

/** Figures of the render benchmark (seconds are medians). */
export interface RenderBench {
  /** Median seconds of the renderer's pdf() for the KPI sample (tiles, two charts, small table). */
  kpiRendererSeconds: number;
  /** Median seconds of a bare page.setContent + page.pdf of the same HTML. */
  kpiBareSeconds: number;
  /** kpiRendererSeconds ÷ kpiBareSeconds (goal ≤ 1.3). */
  kpiRatio: number;
  /** Median seconds of the renderer's pdf() for the 500-row table sample. */
  tableRendererSeconds: number;
  /** Median seconds of the bare print of the same HTML. */
  tableBareSeconds: number;
  /** tableRendererSeconds ÷ tableBareSeconds (goal ≤ 1.3). */
  tableRatio: number;
  /** Pages of the table sample. */
  tablePages: number;
  /** The print step alone (pool page, JS off, interception, ready check, print) ÷ bare, KPI sample. */
  kpiPrintOnlyRatio: number;
  /** The print step alone ÷ bare, table sample. */
  tablePrintOnlyRatio: number;
  /**
   * KPI sample: the renderer's pdf() plus the pool's background work after it (closing the page, opening
   * and preparing the next) ÷ bare. The caller does not wait for that work; a busy sequence of renders
   * shares the CPU with it, which the weekly-bundle figure shows. Information, no goal.
   */
  kpiWithBackgroundWorkRatioInfo: number;
}

const WEEKS = ['W40', 'W41', 'W42', 'W43', 'W44', 'W45', 'W46', 'W47'];

/** A KPI result; `n` varies the chart data so every iteration draws its charts anew. */
function kpiSample(n: number): ReportResult {
  return {
    report: 'intake/sla-performance', title: 'SLA performance', description: 'Benchmark sample.', group: 'intake',
    asOf: '2026-11-23T08:00:00.000Z', window: { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' }, timezone: 'UTC',
    metrics: { a: 93.4 },
    headlines: ['First response met', 'Resolution plan met', 'Resolved met', 'Without SLA', 'Mean hours', 'Reopened'].map((label, i) => ({
      metric: `m${i}`, label, value: 80 + i, unit: 'pct', target: 85, better: 'higher', light: (['green', 'amber', 'red'] as const)[i % 3]!, previous: 79 + i,
    })),
    series: [{ metric: 'm0', labels: WEEKS, values: WEEKS.map((_, i) => 85 + i + n / 1000) }],
    charts: [{ id: 'by-workflow', kind: 'bar', title: 'By workflow', unit: 'pct', labels: ['Reactive', 'Proactive', 'Onboarding', 'Projects'],
      datasets: [{ label: 'First response', data: [95, 97, 88, 92 + n / 1000] }, { label: 'Resolved', data: [77, 88, 61, 70] }] }],
    columns: [{ key: 'w', label: 'Workflow', unit: 'text' }, { key: 'p', label: 'Met', unit: 'pct' }, { key: 'c', label: 'Measured', unit: 'count' }],
    rows: ['Reactive', 'Proactive', 'Onboarding', 'Projects'].map((w, i) => ({ w, p: 90 + i, c: 100 * i })),
    warnings: [],
  };
}

function tableSample(): ReportResult {
  return {
    report: 'operations/open-tickets', title: 'Open tickets', description: 'Benchmark sample.', group: 'operations',
    asOf: '2026-11-23T08:00:00.000Z', window: null, timezone: 'UTC', metrics: { open: 500 },
    headlines: [{ metric: 'open', label: 'Open tickets', value: 500, unit: 'count', target: null, better: 'lower', light: 'none', previous: 480 }],
    series: [], charts: [], warnings: [],
    columns: [
      { key: 't', label: 'Ticket', unit: 'text' }, { key: 'title', label: 'Title', unit: 'text' }, { key: 'c', label: 'Company', unit: 'text' },
      { key: 'age', label: 'Age', unit: 'days' }, { key: 'h', label: 'Hours', unit: 'hours' }, { key: 'at', label: 'Created', unit: 'datetime' },
    ],
    rows: Array.from({ length: 500 }, (_, i) => ({
      t: `T20261116.${1000 + i}`, title: `Row ${i + 1} printer offline in reception after firmware update`, c: `Company ${i % 17}`,
      age: (i * 37) % 90, h: (i % 13) * 0.75, at: Date.UTC(2026, 9, 1) + i * 3_600_000,
    })),
  };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Runs the render benchmark. */
export async function benchRender(opts: RenderBenchOptions): Promise<RenderBench> {
  const iterations = opts.iterations ?? 7;
  const log = opts.log ?? (() => undefined);
  const renderer = createRenderer({
    chromiumPath: opts.chromiumPath, paper: 'A4', renderTimeoutMs: 120_000, recycleAfter: 1000, timezone: 'UTC', mspName: 'Bench MSP',
  });
  const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-reports-bench-bare-'));
  const bare = await puppeteer.launch({
    executablePath: opts.chromiumPath, args: [...CHROMIUM_ARGS], headless: true, userDataDir: bareDir, pipe: true,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  const footer = footerTemplate('Bench MSP', 'Bench', '2026-11-23 08:00 UTC');
  const barePdf = async (html: string): Promise<Buffer> => {
    const page = await bare.newPage();
    try {
      await page.setContent(html, { waitUntil: 'load' });
      return Buffer.from(await page.pdf({
        format: 'A4', printBackground: true, displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate: footer,
        margin: { top: '14mm', bottom: '16mm', left: '13mm', right: '13mm' },
      }));
    } finally {
      await page.close();
    }
  };
  const pool = new BrowserPool({ chromiumPath: opts.chromiumPath, recycleAfter: 1000, preparePage: preparePrintPage });
  const measure = async (name: string, sample: (i: number) => ReportResult): Promise<{ mine: number; bare: number; pages: number; print: number; bare2: number; whole: number }> => {
    const mine: number[] = [];
    const whole: number[] = [];
    const plain: number[] = [];
    const print: number[] = [];
    const plain2: number[] = [];
    let pages = 0;
    // Warm both sides (browser start, fonts, the chart canvas) before timing.
    await renderer.pdf([sample(-1)]);
    await barePdf((await renderer.html([sample(-2)])).html);
    for (let i = 0; i < iterations; i++) {
      // The bare side gets the renderer's final HTML, built outside its timing.
      const html = (await renderer.html([sample(10_000 + i)])).html;
      const t0 = performance.now();
      const pdf = await renderer.pdf([sample(i)]);
      const t1 = performance.now();
      // The pool closes the page and opens the next one in the background: not while the bare side is timed.
      await renderer.idle?.();
      const t1b = performance.now();
      await barePdf(html);
      const t2 = performance.now();
      await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 120_000 });
      const t3 = performance.now();
      await pool.idle();
      const t3b = performance.now();
      await barePdf(html);
      const t4 = performance.now();
      mine.push((t1 - t0) / 1000);
      whole.push((t1b - t0) / 1000);
      plain.push((t2 - t1b) / 1000);
      print.push((t3 - t2) / 1000);
      plain2.push((t4 - t3b) / 1000);
      pages = (pdf.content.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    }
    log(`${name}: renderer ${median(mine).toFixed(3)} s, bare ${median(plain).toFixed(3)} s, print only ${median(print).toFixed(3)} s vs ${median(plain2).toFixed(3)} s`);
    return { mine: median(mine), bare: median(plain), pages, print: median(print), bare2: median(plain2), whole: median(whole) };
  };
  try {
    const kpi = await measure('kpi', kpiSample);
    const table = await measure('500-row table', () => tableSample());
    return {
      kpiRendererSeconds: r3(kpi.mine),
      kpiBareSeconds: r3(kpi.bare),
      kpiRatio: Math.round((kpi.mine / kpi.bare) * 100) / 100,
      tableRendererSeconds: r3(table.mine),
      tableBareSeconds: r3(table.bare),
      tableRatio: Math.round((table.mine / table.bare) * 100) / 100,
      tablePages: table.pages,
      kpiPrintOnlyRatio: Math.round((kpi.print / kpi.bare2) * 100) / 100,
      tablePrintOnlyRatio: Math.round((table.print / table.bare2) * 100) / 100,
      kpiWithBackgroundWorkRatioInfo: Math.round((kpi.whole / kpi.bare) * 100) / 100,
    };
  } finally {
    await renderer.close();
    await pool.close();
    await bare.close().catch(() => undefined);
    fs.rmSync(bareDir, { recursive: true, force: true });
  }
}
