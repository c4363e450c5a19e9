/**
 * Render benchmark: the time of one PDF through the renderer with its warm pool (HTML from templates,
 * charts drawn, JS off, request interception, ready check, print) as a ratio to a bare puppeteer
 * `page.pdf()` of the same final HTML on a warm browser, measured alternately in the same run.
 * The pool opens and prepares the next page ahead and closes the last one behind the result; the bench
 * waits for that background work between the timed sides, and reports it separately.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import puppeteer from 'puppeteer';
import { AppError } from '../src/errors.js';
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

/** Figures of the pool under deadlines and failures (the render tests assert the outcomes; these, the speed). */
export interface PoolLimitsBench {
  /** A page that never becomes ready, 700 ms deadline, warm pool: elapsed ÷ deadline, median of 3 (goal ≤ 2). */
  neverReadyToDeadlineRatio: number;
  /** Seconds from SIGKILL of the browser mid-render to the render's RENDER error (goal < 10). */
  killedBrowserFailSeconds: number;
  /** Mean milliseconds of one render that hits a 1–60 ms deadline, over `forcedTimeouts` of them. */
  forcedTimeoutMsEach: number;
  /** How many forced timeouts were run (the pool recycles its browser every 60 renders). */
  forcedTimeouts: number;
  /** Growth of this process's RSS over the forced timeouts, MB (goal < 200). */
  forcedTimeoutsNodeRssGrowthMb: number;
  /** RSS of the pool's Chromium (its process group) after them, MB (goal < 1500). */
  forcedTimeoutsChromiumRssMb: number;
}

/** RSS in MB of every process in the given process groups (Chromium's renderers do not name the profile). */
function groupRssMb(pgids: number[]): number {
  if (!pgids.length) return 0;
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,rss='], { encoding: 'utf8' });
  let kb = 0;
  for (const line of out.split('\n')) {
    const [, pgid, rss] = line.trim().split(/\s+/).map(Number);
    if (pgid !== undefined && rss !== undefined && pgids.includes(pgid)) kb += rss;
  }
  return Math.round(kb / 1024);
}

/**
 * The pool's deadlines and failure paths, as the pool tests drive them: how far past its deadline a page
 * that never gets ready is given up, how soon a killed browser fails its render, and what a run of renders
 * cut short by tiny deadlines costs in time and memory. About 15 s.
 */
export async function benchPoolLimits(opts: { chromiumPath: string; forcedTimeouts?: number; log?: (s: string) => void }): Promise<PoolLimitsBench> {
  const log = opts.log ?? (() => undefined);
  const n = opts.forcedTimeouts ?? 150;
  const renderer = createRenderer({ chromiumPath: opts.chromiumPath, paper: 'A4', renderTimeoutMs: 120_000, recycleAfter: 1000, timezone: 'UTC', mspName: 'Bench MSP' });
  const footer = footerTemplate('Bench MSP', 'Bench', '2026-11-23 08:00 UTC');
  const pool = new BrowserPool({ chromiumPath: opts.chromiumPath, recycleAfter: 60, preparePage: preparePrintPage });
  try {
    const { html } = await renderer.html([tableSample()]);
    await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 120_000 });
    await pool.idle();

    const ratios: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const e = await pool.withPage(async (page) => {
        await page.setContent('<p>never ready</p>');
        await page.waitForSelector('#never', { timeout: 0 });
      }, { deadline: systemClock.now() + 700 }).then(() => null, (x: unknown) => x);
      if (!(e instanceof AppError) || e.code !== 'RENDER_TIMEOUT') throw new Error(`bench: a never-ready page ended with ${String(e)}`);
      ratios.push((performance.now() - t0) / 700);
      await pool.idle();
    }

    const [pid] = pool.pids;
    let killedAt = 0;
    const killed = await pool.withPage(async (page) => {
      await page.setContent('<p>about to die</p>');
      killedAt = performance.now();
      process.kill(pid!, 'SIGKILL');
      await page.setContent(html, { waitUntil: 'load', timeout: 60_000 });
      return page.pdf();
    }, { deadline: systemClock.now() + 60_000 }).then(() => null, (x: unknown) => x);
    const killedSeconds = (performance.now() - killedAt) / 1000;
    if (!(killed instanceof AppError) || killed.code !== 'RENDER') throw new Error(`bench: a killed browser's render ended with ${String(killed)}`);
    await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 120_000 });
    await pool.idle();

    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const deadline = systemClock.now() + 1 + ((i * 7) % 60);
      const e = i % 3 === 0
        ? await pool.withPage(async (page) => { await page.waitForSelector('#never', { timeout: 0 }); }, { deadline }).then(() => null, (x: unknown) => x)
        : await htmlToPdf(pool, html, { paper: 'A4', footer, deadline }).then(() => null, (x: unknown) => x);
      if (!(e instanceof AppError) || e.code !== 'RENDER_TIMEOUT') throw new Error(`bench: forced-timeout render ${i} ended with ${String(e)}`);
    }
    const each = (performance.now() - t0) / n;
    await pool.idle();
    const growth = (process.memoryUsage().rss - rss0) / 1e6;
    const chromium = groupRssMb(pool.pids);
    log(`pool limits: never-ready ${median(ratios).toFixed(2)} × deadline, killed browser fails in ${killedSeconds.toFixed(2)} s, ${n} forced timeouts ${each.toFixed(0)} ms each, Node RSS +${growth.toFixed(0)} MB, Chromium ${chromium} MB`);
    return {
      neverReadyToDeadlineRatio: Math.round(median(ratios) * 100) / 100,
      killedBrowserFailSeconds: r3(killedSeconds),
      forcedTimeoutMsEach: Math.round(each),
      forcedTimeouts: n,
      forcedTimeoutsNodeRssGrowthMb: Math.round(growth),
      forcedTimeoutsChromiumRssMb: chromium,
    };
  } finally {
    await pool.close();
    await renderer.close();
  }
}
