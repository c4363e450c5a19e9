import type { Artifact, Clock, ReportResult } from '../types.js';
import { systemClock } from '../types.js';
import { AppError } from '../errors.js';
import { BrowserPool } from './browser.js';
import type { PoolEvent } from './browser.js';
import type { Page } from 'puppeteer';
import type { ChartRenderer } from './charts.js';
import { createChartRenderer } from './charts.js';
import { createSvgChartRenderer } from './chart-svg.js';
import { formatDateTime, formatMonth, formatPeriod } from './format.js';
import { arrangeBundle, execSummary, isMonthWindow } from './bundle.js';
import type { Templates } from './templates.js';
import { escapeHtml, loadTemplates } from './templates.js';
import type { ChartImage } from './view.js';
import { drawCharts, reportView, sectionAnchor, slug, tileView } from './view.js';
import { anchorPages } from './pdf-anchors.js';

/** Options of the renderer (config `render.*` plus the settings it shows). */
export interface RendererOptions {
  /** Chromium binary. */
  chromiumPath: string;
  /** Paper size of the PDF. */
  paper: 'A4' | 'Letter';
  /** Deadline of one PDF render when the caller gives none. */
  renderTimeoutMs: number;
  /** Replace the browser after this many renders. */
  recycleAfter: number;
  /** Settings' time zone: the generated-at stamp is shown in it. */
  timezone: string;
  /** MSP name for mastheads and the footer. */
  mspName: string;
  /** The MSP's logo as a data: URI (render.logo), shown above the name on the cover and each report. */
  logo?: string;
  /** ISO 4217 currency code for money values (plain numbers when absent). */
  currency?: string;
  /** BCP 47 locale for numbers (default en-US). */
  locale?: string;
  /** Clock for the generated-at stamp. */
  clock?: Clock;
  /** Chart renderer (default: chart.js on node-canvas). */
  charts?: ChartRenderer;
  /** Templates (default: the `templates/` folder of the program). */
  templates?: Templates;
  /** Prefix of the browsers' temporary user-data-dirs. */
  userDataDirPrefix?: string;
  /** How long a page or browser may take to close before it is killed. */
  closeGraceMs?: number;
  /** Pool events (launch, retire, closed), for logs and tests. */
  onPoolEvent?: (e: PoolEvent) => void;
}

/** Options of one HTML document. */
export interface HtmlOptions {
  /** Document title (bundle cover); defaults to the report title, or "Reports" for a bundle. */
  title?: string;
  /** `data` (default) embeds charts as data: URIs for a standalone file; `cid` refers to `cid:` parts. */
  images?: 'data' | 'cid';
  /** Page numbers for the contents of a bundle, by section anchor (known after a first print). */
  pages?: Map<string, number>;
  /** The MSP's name in the header, when the settings in force differ from the renderer's (a daemon's reload). */
  mspName?: string;
}

/** Options of one PDF render. */
export interface PdfOptions {
  /** Document title (bundle cover and footer). */
  title?: string;
  /** Cancels the render. */
  signal?: AbortSignal;
  /** Epoch ms by which the PDF must exist (the run's deadline); default now + renderTimeoutMs. */
  deadline?: number;
  /** File name of the artifact (default from the report id and period). */
  filename?: string;
  /** The MSP's name in the header and footer (default: the renderer's). */
  mspName?: string;
}

/** An embedded chart image: the email and the HTML refer to it by Content-ID. */
export interface EmbeddedImage {
  /** Content-ID without angle brackets. */
  cid: string;
  /** File name. */
  filename: string;
  /** Image bytes: PNG in `cid` mode (the email), SVG in `data` mode (standalone documents). */
  content: Buffer;
}

/** The render port: HTML and PDF documents of one or more results. */
export interface Renderer {
  /** The document HTML and the chart images it uses (several results make a bundle with a contents page). */
  html(results: ReportResult[], opts?: HtmlOptions): Promise<{ html: string; images: EmbeddedImage[] }>;
  /** The PDF of the results, within the deadline, or a RENDER/RENDER_TIMEOUT error and nothing. */
  pdf(results: ReportResult[], opts?: PdfOptions): Promise<Artifact>;
  /** Closes the browser pool; the renderer cannot be used afterwards. */
  close(): Promise<void>;
  /** Resolves when the pool's background work (closing the last page, opening the next) is done. */
  idle?(): Promise<void>;
}

/** A4/Letter page margins; the bottom one holds the footer. */
const MARGIN = { top: '14mm', bottom: '16mm', left: '13mm', right: '13mm' };

function truncate(s: string, n: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** The page footer: MSP, title, generated-at and page numbers; data escaped because Chromium parses it as HTML. */
export function footerTemplate(mspName: string, title: string, generatedAt: string): string {
  const left = escapeHtml(truncate(`${mspName} · ${title}`, 90));
  return `<div style="width:100%;font-family:'Liberation Sans',Arial,sans-serif;font-size:7.5px;color:#5b6672;padding:0 13mm;display:flex;justify-content:space-between;gap:12px;">`
    + `<span style="overflow:hidden;white-space:nowrap;text-overflow:ellipsis;">${left}</span>`
    + `<span style="white-space:nowrap;">Generated ${escapeHtml(generatedAt)} · Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}

/**
 * The period on a bundle's cover: the weekly (or current) period, and the month of monthly figures when a
 * bundle holds both ("30 Nov 2026 – 6 Dec 2026 · monthly figures: November 2026").
 */
export function coverPeriod(results: ReportResult[], timezone: string, locale?: string): string {
  const first = results.find((r) => !isMonthWindow(r.window, r.timezone || timezone)) ?? results[0];
  if (!first) return '';
  const base = formatPeriod(first.window, first.asOf, first.timezone || timezone);
  const month = results.find((r) => isMonthWindow(r.window, r.timezone || timezone));
  if (!month || month === first) return base;
  return `${base} · monthly figures: ${formatMonth(Date.parse(month.window!.from), month.timezone || timezone, locale)}`;
}

/** Default title of a document of these results. */
export function documentTitle(results: ReportResult[], title?: string): string {
  if (title) return title;
  if (results.length === 1) return results[0]!.title;
  return 'Reports';
}

/** Default PDF file name: report id (or title) and the first day of the period. */
export function pdfFilename(results: ReportResult[], title?: string): string {
  const first = results[0];
  const day = first ? (first.window ? first.window.from : first.asOf).slice(0, 10) : '';
  const base = results.length === 1 && first ? slug(first.report) : slug(title ?? 'reports');
  // A title that already carries its period ("… 2026-10-01 – 2026-10-31") does not get the date twice.
  return `${base}${/^\d{4}-\d{2}-\d{2}$/.test(day) && !base.includes(day) ? `-${day}` : ''}.pdf`;
}

/** Options of one HTML → PDF print. */
export interface PrintOptions {
  /** Paper size. */
  paper: 'A4' | 'Letter';
  /** Footer template (HTML, data already escaped). */
  footer: string;
  /** Epoch ms by which the PDF must exist. */
  deadline: number;
  /** Cancels the print. */
  signal?: AbortSignal;
}

const preparedPages = new WeakSet<Page>();

/**
 * Makes a fresh page safe for a report document: page JavaScript off and every request refused except
 * the document's own data: images, so nothing in it can fetch a URL or read a file. The pool runs this on
 * the page it keeps ready, ahead of the render.
 */
export async function preparePrintPage(page: Page): Promise<void> {
  page.on('request', (req) => {
    if (req.isInterceptResolutionHandled()) return;
    // Only the document's own embedded images load; any URL in the data (http, file, ws…) is refused.
    if (req.url().startsWith('data:')) void req.continue().catch(() => undefined);
    else void req.abort('blockedbyclient').catch(() => undefined);
  });
  // Both before any content exists; print media needs no emulation, page.pdf() lays out for print itself.
  await Promise.all([page.setJavaScriptEnabled(false), page.setRequestInterception(true)]);
  preparedPages.add(page);
}

/**
 * Prints a finished HTML document on a pooled page prepared by preparePrintPage (prepared here when the
 * pool did not), with page JavaScript off and every request refused except data: images.
 */
export async function htmlToPdf(pool: BrowserPool, html: string | Promise<string>, o: PrintOptions): Promise<Buffer> {
  return pool.withPage(async (page, remaining) => {
    if (!preparedPages.has(page)) await preparePrintPage(page);
    // The page is prepared while the document (charts) is still being drawn, when given as a promise.
    const doc = await html;
    // 'load' fires once every <img> has loaded or failed; with JS off no script can delay or fake it.
    await page.setContent(doc, { waitUntil: 'load', timeout: remaining() + 1000 });
    // Ready signal without page JS: evaluate runs through the DevTools protocol, which JS-off does not block
    // (in the main world: $$eval would first inject puppeteer's query script, ten times slower).
    const broken = await page.evaluate(() => Array.from(document.images).filter((i) => !i.complete || (i.src.startsWith('data:') && i.naturalWidth === 0)).length);
    if (broken > 0) throw new AppError(`${broken} chart image(s) did not load into the PDF page.`, 'RENDER');
    const pdf = await page.pdf({
      format: o.paper,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: o.footer,
      margin: MARGIN,
      // No structure tree: Chromium tags every table cell as an object of its own (5,000 objects, 0.75 MB in the
      // weekly bundle), which alone would take the manager's e-mail past 2 MB. Text, links and the outline stay.
      tagged: false,
      timeout: remaining() + 1000,
    });
    return Buffer.from(pdf);
  }, { deadline: o.deadline, ...(o.signal ? { signal: o.signal } : {}) });
}

/** Builds the renderer: templates, charts and one pooled Chromium. */
export function createRenderer(opts: RendererOptions): Renderer {
  const clock = opts.clock ?? systemClock;
  const chartFmt = { ...(opts.locale ? { locale: opts.locale } : {}), ...(opts.currency ? { currency: opts.currency } : {}) };
  const charts = memoCharts(opts.charts ?? createChartRenderer({}, chartFmt));
  // Standalone documents (the PDF, an HTML file) get SVG charts: Chromium prints them as paths and text in
  // the document's font (sharp at any zoom, a few kB each, where a 150 dpi PNG cost 25–75 kB). E-mail bodies
  // keep PNG: mail clients do not show SVG.
  const printCharts = opts.charts ? charts : memoCharts(createSvgChartRenderer({}, chartFmt));
  let templates = opts.templates;
  const tpl = (): Templates => (templates ??= loadTemplates());
  const pool = new BrowserPool({
    chromiumPath: opts.chromiumPath,
    recycleAfter: opts.recycleAfter,
    ...(opts.userDataDirPrefix ? { userDataDirPrefix: opts.userDataDirPrefix } : {}),
    ...(opts.closeGraceMs ? { closeGraceMs: opts.closeGraceMs } : {}),
    ...(opts.onPoolEvent ? { onEvent: opts.onPoolEvent } : {}),
    preparePage: preparePrintPage,
    clock,
  });
  const fmtBase = { timezone: opts.timezone, ...(opts.locale ? { locale: opts.locale } : {}), ...(opts.currency ? { currency: opts.currency } : {}) };

  async function document(results: ReportResult[], o: HtmlOptions, generatedAt: number, folded: string[] = []): Promise<{ html: string; images: ChartImage[] }> {
    const t = tpl();
    const mode = o.images ?? 'data';
    const images = await drawCharts(results, mode === 'data' ? printCharts : charts);
    const srcOf = (img: ChartImage): string => (mode === 'cid' ? `cid:${img.cid}` : `data:${img.mime};base64,${img.content.toString('base64')}`);
    const mspName = o.mspName ?? opts.mspName;
    const reports = results.map((r, i) => {
      const own = images[i]!.map((image) => ({ src: srcOf(image), image }));
      return reportView(r, i, own, { ...fmtBase, mspName, generatedAt, ...(opts.logo ? { logo: opts.logo } : {}) });
    });
    const title = documentTitle(results, o.title);
    // A personal copy (tiles carry the team's value) opens with every measure on one page: you, the team.
    const personal = results.length > 1 && results.some((r) => r.headlines.some((h) => h.team !== undefined));
    const glance = personal
      ? results.flatMap((r) => r.headlines.filter((h) => h.team !== undefined).map((h, i) => {
        const v = tileView(h, { ...fmtBase, timezone: r.timezone || opts.timezone });
        // The report's name on its first row only: the rows read as groups.
        return { report: i === 0 ? r.title : '', label: h.label, you: v.value, team: v.team ?? '', target: v.target ?? '', status: v.status, light: h.light };
      }))
      : null;
    const bundle = results.length > 1 || folded.length > 0;
    // The owner's page: every measure with a target or a direction, off target first (personal copies have their glance).
    const exec = bundle && !personal ? execSummary(results, fmtBase) : null;
    // How each report is measured, once per report, at the end of the document.
    const seen = new Set<string>();
    const appendix = results.filter((r) => !seen.has(r.report) && seen.add(r.report)).map((r) => ({ title: r.title.replace(/ — .*$/, ''), description: r.description }));
    const html = t.report({
      glance,
      exec: exec ? { rows: exec.rows, more: exec.more ? `${exec.more} more measure${exec.more === 1 ? '' : 's'} in the reports below.` : '' } : null,
      folded: folded.length ? `No rows: ${folded.join(', ')}.` : '',
      appendix,
      logo: opts.logo ?? '',
      title,
      mspName,
      css: t.css,
      imgSrc: mode === 'cid' ? 'cid:' : 'data:',
      bundle,
      period: coverPeriod(results, opts.timezone, opts.locale),
      contents: reports.map((v, i) => ({
        n: i + 1,
        title: v.title,
        anchor: v.anchor,
        period: v.period,
        page: o.pages?.get(v.anchor) ?? null,
        warnings: results[i]!.warnings.length ? `${results[i]!.warnings.length} data-quality note${results[i]!.warnings.length === 1 ? '' : 's'}` : '',
      })),
      reports,
    });
    return { html, images: images.flat() };
  }

  return {
    async html(results, o = {}) {
      // A standalone document is arranged like the PDF; `cid` mode serves the email, which keeps its own order.
      const arranged = (o.images ?? 'data') === 'data' ? arrangeBundle(results, opts.locale) : { shown: results, folded: [] };
      const { html, images } = await document(arranged.shown, o, clock.now(), arranged.folded);
      return { html, images: images.map(({ cid, filename, content }) => ({ cid, filename, content })) };
    },

    async pdf(all, o = {}) {
      if (!all.length) throw new AppError('There is no result to render into a PDF.', 'RENDER');
      const { shown: results, folded } = arrangeBundle(all, opts.locale);
      const generatedAt = clock.now();
      const deadline = o.deadline ?? generatedAt + opts.renderTimeoutMs;
      const title = documentTitle(results, o.title);
      const footer = footerTemplate(o.mspName ?? opts.mspName, title, formatDateTime(generatedAt, opts.timezone));
      const print = async (pages?: Map<string, number>): Promise<Buffer> => {
        const htmlP = document(results, { images: 'data', ...(o.title ? { title: o.title } : {}), ...(o.mspName ? { mspName: o.mspName } : {}), ...(pages ? { pages } : {}) }, generatedAt, folded).then((d) => d.html);
        htmlP.catch(() => undefined); // awaited inside htmlToPdf; this only keeps a failure after a timeout from going unhandled
        const bytes = await htmlToPdf(pool, htmlP, { paper: opts.paper, footer, deadline, ...(o.signal ? { signal: o.signal } : {}) });
        if (bytes.length < 5 || bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
          throw new AppError('Chromium returned something that is not a PDF.', 'RENDER');
        }
        return bytes;
      };
      let bytes = await print();
      if (results.length > 1) {
        // A bundle's contents page gets page numbers from where the first print put each report. The
        // numbers sit in a fixed-width column, so the second print lays out the same; it is checked anyway.
        const anchors = results.map((r, i) => sectionAnchor(r, i));
        let pages = anchorPages(bytes);
        for (let pass = 0; pass < 2 && pages && anchors.every((a) => pages!.has(a)); pass++) {
          const again = await print(pages);
          const check = anchorPages(again);
          bytes = again;
          if (check && anchors.every((a) => check.get(a) === pages!.get(a))) break;
          pages = check;
        }
      }
      return { filename: o.filename ?? pdfFilename(all, o.title), contentType: 'application/pdf', content: bytes };
    },

    close: () => pool.close(),
    idle: () => pool.idle(),
  };
}

/**
 * Remembers the last charts drawn, so the renders of one run share one drawing of each chart (a bundle is
 * rendered up to three times in a delivery): the PDF and the standalone HTML share the SVG, e-mails the PNG.
 */
function memoCharts(inner: ChartRenderer, max = 64): ChartRenderer {
  const cache = new Map<string, Promise<Buffer>>();
  return {
    ...(inner.mime ? { mime: inner.mime } : {}),
    render(spec) {
      const key = JSON.stringify(spec);
      let hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      hit = inner.render(spec);
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
      while (cache.size > max) cache.delete(cache.keys().next().value!);
      return hit;
    },
  };
}
