import type { ChartSpec, ColumnSpec, Headline, ReportList, ReportResult, Row } from '../types.js';
import type { ChartMime, ChartRenderer, ChartSize } from './charts.js';
import { DEFAULT_CHART_SIZE, seriesChartSpec } from './charts.js';
import type { FormatOptions } from './format.js';
import { tooFew } from '../reporting/summary.js';
import {
  EMPTY, formatCell, formatDateTime, formatPeriod, formatValue, headlineChange, isNumericColumn, lightLabel, softWrap, clip,
} from './format.js';

/** One chart drawn for a result: the image and the names it goes by in the PDF and the email. */
export interface ChartImage {
  /** Content-ID (without angle brackets) the email HTML refers to as `cid:…`. */
  cid: string;
  /** File name of the image. */
  filename: string;
  /** Image bytes. */
  content: Buffer;
  /** Format of the bytes: PNG (e-mail) or SVG (PDF, standalone HTML). */
  mime: ChartMime;
  /** Title shown above the chart. */
  title: string;
  /** Report id the chart belongs to. */
  report: string;
  /** Alternative text: the chart's title and what it plots. */
  alt: string;
}

/** A tile's view: everything preformatted, so the template only escapes and lays out. */
export interface TileView {
  /** Metric label. */
  label: string;
  /** Formatted value ("93.4 %", "—"). */
  value: string;
  /** Traffic light class suffix. */
  light: string;
  /** Words for the light ("" when none). */
  status: string;
  /** Formatted target, or null. */
  target: string | null;
  /** Change against the previous period, or null; `meaning` says what the sign means ("better than last week"). */
  change: { arrow: string; text: string; tone: string; meaning: string } | null;
  /** "2 tickets: too few to rate" when the rate's sample is below settings.minSample, else null. */
  sampleNote: string | null;
  /** The team's value beside a person's own (personal copies), or null. */
  team: string | null;
}

/** Keeps ids usable as file names, anchors and Content-IDs whatever a report calls them. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}

/** The charts a result is drawn with: its own chart specs plus a trend chart per trend series. */
export function chartSpecsOf(r: ReportResult): ChartSpec[] {
  const specs = r.charts.slice();
  const ids = new Set(specs.map((c) => c.id));
  for (const s of r.series) {
    if (s.labels.length < 2) continue;
    const h = r.headlines.find((x) => x.metric === s.metric);
    const spec = seriesChartSpec(s, h?.label ?? s.metric, h?.unit, h?.target);
    if (!ids.has(spec.id)) { specs.push(spec); ids.add(spec.id); }
  }
  return specs;
}

/** A chart of a result with the names its PNG goes by. */
export interface ChartName {
  /** The chart. */
  spec: ChartSpec;
  /** Content-ID without angle brackets. */
  cid: string;
  /** PNG file name. */
  filename: string;
}

/** Names of every chart of the results, per result; the PDF and the email derive them the same way. */
export function chartNames(results: ReportResult[]): ChartName[][] {
  const used = new Set<string>();
  return results.map((r, i) => chartSpecsOf(r).map((spec) => {
    let base = `${slug(r.report)}-${slug(spec.id)}`;
    // Two results of the same report in one bundle must not share a Content-ID.
    if (used.has(base)) base = `${base}-${i + 1}`;
    used.add(base);
    return { spec, cid: `${base}@psa-reports`, filename: `${base}.png` };
  }));
}

/** The text alternative of a chart's image: its title and what it plots. */
export function chartAlt(spec: ChartSpec): string {
  return `Chart: ${spec.title} (${spec.datasets.map((d) => d.label).join(', ')})`;
}

/** Draws every chart of the results once, per result, in the renderer's format (PNG or SVG). */
export async function drawCharts(results: ReportResult[], charts: ChartRenderer): Promise<ChartImage[][]> {
  const names = chartNames(results);
  const mime = charts.mime ?? 'image/png';
  // Drawing is synchronous but PNG encoding runs on the thread pool: starting every chart at once overlaps them.
  return Promise.all(names.map((list, i) => Promise.all(list.map(async (n) => ({
    cid: n.cid,
    filename: mime === 'image/svg+xml' ? n.filename.replace(/\.png$/, '.svg') : n.filename,
    mime,
    content: await charts.render(n.spec),
    title: n.spec.title,
    report: results[i]!.report,
    alt: chartAlt(n.spec),
  })))));
}

/**
 * What "the previous period" of a result is called: "last week" for weekly windows and point-in-time
 * reports (their history is one snapshot a week), "last month" for monthly windows.
 */
export function previousPeriodName(r: Pick<ReportResult, 'window'>): string {
  if (!r.window) return 'last week';
  const days = (Date.parse(r.window.to) - Date.parse(r.window.from)) / 86_400_000;
  if (days > 6 && days < 8) return 'last week';
  if (days >= 28 && days <= 31) return 'last month';
  return 'the previous period';
}

/** Tile view of a headline; `previous` names the period the change is against ("last week"). */
export function tileView(h: Headline, fmt: FormatOptions, previous = 'the previous period'): TileView {
  const c = headlineChange(h, fmt);
  const change = c ? {
    ...c,
    meaning: c.tone === 'good' ? `better than ${previous}` : c.tone === 'bad' ? `worse than ${previous}` : c.arrow === '=' ? `same as ${previous}` : `vs ${previous}`,
  } : null;
  return {
    label: h.label,
    value: formatValue(h.value, h.unit, fmt),
    sampleNote: h.sample?.tooFew ? tooFew(h.sample.n, h.sample.noun, fmt) : null,
    light: h.light,
    status: lightLabel(h.light),
    target: h.target === null ? null : `${h.better === 'lower' ? '≤ ' : h.better === 'higher' ? '≥ ' : ''}${formatValue(h.target, h.unit, fmt)}`,
    change,
    team: h.team === undefined ? null : formatValue(h.team, h.unit, fmt),
  };
}

/** Columns of a result; a result without declared columns shows the keys of its first row. */
export function columnsOf(r: Pick<ReportResult, 'columns' | 'rows'>): ColumnSpec[] {
  if (r.columns.length) return r.columns;
  const first = r.rows[0];
  return first ? Object.keys(first).map((k) => ({ key: k, label: k, unit: typeof first[k] === 'number' ? 'count' : 'text' })) : [];
}

/** Options shared by the document views. */
export interface ViewOptions extends FormatOptions {
  /** MSP name in the masthead. */
  mspName: string;
  /** The MSP's logo as a data: URI, or absent. */
  logo?: string;
  /** Instant the document is generated (shown in the settings' zone). */
  generatedAt: number;
  /** At most this many table rows per report (all when undefined). */
  maxRows?: number;
  /** Where the same report shows every row, linked beside a table cut at maxRows (the web page; none in documents). */
  allRowsHref?: string;
  /** Where a cell links to (the web app links ticket numbers into Autotask); no links when absent (PDF, email). */
  linkOf?: (row: Row, column: ColumnSpec) => string | null;
}

/** The id of a report's section in the document (link target of the contents page). */
export function sectionAnchor(r: ReportResult, index: number): string {
  return `r${index + 1}-${slug(r.report)}`;
}

/** The view of one report section of the PDF / HTML document. */
export function reportView(r: ReportResult, index: number, images: { src: string; image: ChartImage }[], o: ViewOptions) {
  const fmt: FormatOptions = { ...o, timezone: r.timezone || o.timezone };
  const columns = columnsOf(r);
  const limit = o.maxRows ?? r.rows.length;
  const shown = r.rows.slice(0, limit);
  const numeric = columns.map(isNumericColumn);
  // Numbers align right; dates stay on one line so a column of them reads down evenly.
  const cls = cellClasses(columns, numeric, shown, fmt);
  return {
    anchor: sectionAnchor(r, index),
    title: r.title,
    mspName: o.mspName,
    logo: o.logo ?? '',
    summary: r.summary ?? '',
    period: formatPeriod(r.window, r.asOf, fmt.timezone),
    timezone: fmt.timezone,
    // One clock per line: a period of days names its zone once; an as-of time carries it already.
    zoneNote: r.window ? `times in ${fmt.timezone}` : '',
    generatedAt: formatDateTime(o.generatedAt, o.timezone),
    warnings: r.warnings,
    tiles: r.headlines.map((h) => tileView(h, fmt, previousPeriodName(r))),
    charts: images.map(({ src, image }) => ({ title: image.title, src, alt: image.alt, width: DEFAULT_CHART_SIZE.width, height: DEFAULT_CHART_SIZE.height })),
    table: {
      heading: 'Details',
      columns: columns.map((c, i) => ({ label: c.label, cls: cls[i] })),
      rows: shown.map((row) => columns.map((c, i) => ({ text: cellText(row, c, numeric[i]!, fmt), cls: cls[i], href: o.linkOf?.(row, c) ?? null }))),
      notes: columnNotes(columns, shown),
      rowCountText: `(${r.rows.length.toLocaleString('en-US')} ${r.rows.length === 1 ? 'row' : 'rows'})`,
      truncatedText: shown.length < r.rows.length ? `Showing the first ${shown.length.toLocaleString('en-US')} of ${r.rows.length.toLocaleString('en-US')} rows.` : null,
      allRows: shown.length < r.rows.length && o.allRowsHref ? { href: o.allRowsHref, text: `Show all ${r.rows.length.toLocaleString('en-US')} rows` } : null,
      emptyReport: r.headlines.length === 0 && images.length === 0,
      empty: null as string | null,
    },
    lists: (r.lists ?? []).map((l) => listView(l, fmt, o)),
  };
}

/**
 * The view of one of a report's further tables (`ReportResult.lists`) in the PDF / HTML document: at most its
 * `documentRows` rows (and at most `maxRows`), then a line saying how many more there are and that the spreadsheets
 * hold them all.
 */
export function listView(l: ReportList, fmt: FormatOptions, o: Pick<ViewOptions, 'linkOf' | 'maxRows'> = {}) {
  const numeric = l.columns.map(isNumericColumn);
  const shown = l.rows.slice(0, Math.min(l.documentRows ?? l.rows.length, o.maxRows ?? l.rows.length));
  const cls = cellClasses(l.columns, numeric, shown, fmt);
  const rest = l.rows.length - shown.length;
  const noun = l.noun ?? 'rows';
  return {
    heading: l.title,
    columns: l.columns.map((c, i) => ({ label: c.label, cls: cls[i] })),
    rows: shown.map((row) => l.columns.map((c, i) => ({ text: cellText(row, c, numeric[i]!, fmt), cls: cls[i], href: o.linkOf?.(row, c) ?? null }))),
    notes: columnNotes(l.columns, shown),
    rowCountText: `(${l.rows.length.toLocaleString('en-US')} ${l.rows.length === 1 ? 'row' : 'rows'})`,
    truncatedText: rest > 0 ? moreLine(rest, noun) : null,
    empty: l.empty ?? null,
    emptyReport: false,
  };
}

/** "… and 812 more entries: every one is in the spreadsheet (XLSX or CSV) of this report." */
export function moreLine(rest: number, noun: string): string {
  return `… and ${rest.toLocaleString('en-US')} more ${noun}: all of them are in the spreadsheet (XLSX or CSV) of this report.`;
}

/**
 * Cell classes of a table's columns: numbers align right; dates, yes/no and short labels ("0–30 days") stay on
 * one line, so a column of them reads down evenly and a wide table squeezes its long text instead.
 */
function cellClasses(columns: ColumnSpec[], numeric: boolean[], rows: Row[], fmt: FormatOptions): string[] {
  return columns.map((c, i) => {
    if (numeric[i]) return 'num';
    if (c.unit === 'date' || c.unit === 'datetime' || c.unit === 'bool') return 'nowrap';
    const short = rows.length > 0 && rows.slice(0, 200).every((row) => formatCell(row[c.key], c, fmt).length <= SHORT_TEXT);
    return short ? 'nowrap' : '';
  });
}

/** Text cells up to this many characters in every row are kept on one line. */
const SHORT_TEXT = 12;

/** A cell as shown: numbers formatted by unit, text wrapped and clipped, "—" where its column is blanked. */
export function cellText(row: Row, c: ColumnSpec, numeric: boolean, fmt: FormatOptions): string {
  if (c.blankUnless && !(Number(row[c.blankUnless.key]) > 0)) return EMPTY;
  return numeric ? formatCell(row[c.key], c, fmt) : softWrap(clip(formatCell(row[c.key], c, fmt)));
}

/** The notes under a table explaining its blanked cells ("— Margin: no revenue in the period"). */
export function columnNotes(columns: ColumnSpec[], rows: Row[]): string[] {
  return columns.filter((c) => c.blankUnless && rows.some((row) => !(Number(row[c.blankUnless!.key]) > 0)))
    .map((c) => `${EMPTY} in ${c.label}: ${c.blankUnless!.note}`);
}

/** Chart size the document views assume (exported so the chart renderer and the `<img>` agree). */
export const VIEW_CHART_SIZE: ChartSize = DEFAULT_CHART_SIZE;
