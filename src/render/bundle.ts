import type { Headline, ReportResult } from '../types.js';
import { ownerOrder } from '../reporting/order.js';
import type { FormatOptions } from './format.js';
import { formatMonth } from './format.js';
import { previousPeriodName, tileView } from './view.js';

/** What a bundle shows: its sections in reading order, and the reports folded into one "No rows" line. */
export interface Arranged {
  /** Results shown as sections, titles marked where a month sits in a weekly bundle. */
  shown: ReportResult[];
  /** Titles of the empty reports (no rows, every measure 0 or empty). */
  folded: string[];
}

/** An empty report: no rows and nothing to read in its measures. A bundle folds it into one line. */
export function isEmptyResult(r: ReportResult): boolean {
  return r.rows.length === 0 && Object.values(r.metrics).every((v) => v === null || v === 0);
}

/** Whether a window is one whole calendar month (first of a month to the first of the next). */
export function isMonthWindow(w: ReportResult['window'], timezone: string): boolean {
  if (!w) return false;
  const from = Date.parse(w.from);
  const to = Date.parse(w.to);
  const days = (to - from) / 86_400_000;
  if (!(days >= 27.9 && days <= 31.1)) return false;
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric' }).format(new Date(from));
  return day === '1';
}

/**
 * Orders a bundle by what an owner looks for first (distinct reports only: two copies of one report keep
 * their order), folds empty reports, and names the month of monthly reports in a bundle that also holds
 * weekly or current figures ("Ticket intake by workflow — November 2026"), so a month never reads as this week.
 */
export function arrangeBundle(results: ReportResult[], locale = 'en-US'): Arranged {
  if (results.length < 2) return { shown: results, folded: [] };
  const distinct = new Set(results.map((r) => r.report)).size === results.length;
  const ordered = distinct ? ownerOrder(results, (r) => r.report) : results;
  const months = ordered.map((r) => isMonthWindow(r.window, r.timezone));
  const mixed = months.some((m) => m) && months.some((m) => !m);
  const shown: ReportResult[] = [];
  const folded: string[] = [];
  ordered.forEach((r, i) => {
    const titled = mixed && months[i] ? { ...r, title: `${r.title} — ${formatMonth(Date.parse(r.window!.from), r.timezone, locale)}` } : r;
    if (isEmptyResult(r)) folded.push(titled.title);
    else shown.push(titled);
  });
  // A bundle of nothing but empty reports still shows them: the folded line alone would be all of it.
  if (!shown.length) return { shown: ordered, folded: [] };
  return { shown, folded };
}

/** One row of the executive summary. */
export interface ExecRow {
  report: string;
  label: string;
  value: string;
  target: string;
  status: string;
  light: string;
  change: string;
}

const RANK: Record<string, number> = { red: 0, amber: 1, green: 3, none: 4 };

/** Rows of the executive summary fit on one page with the cover. */
export const EXEC_MAX_ROWS = 26;

/**
 * Every measure of the bundle that has a target or a better direction: value, target, status and change,
 * off target first (then near target, then rates on too few items, on target, and the rest), at most
 * EXEC_MAX_ROWS rows; `more` counts the rest.
 */
export function execSummary(results: ReportResult[], fmt: Omit<FormatOptions, 'timezone'> & { timezone: string }): { rows: ExecRow[]; more: number } {
  const all: { h: Headline; r: ReportResult; order: number }[] = [];
  results.forEach((r) => r.headlines.forEach((h) => {
    // A measure with a target, or one whose change can be judged (a direction and a previous value).
    if (h.target !== null || (h.better !== 'none' && h.previous !== null)) all.push({ h, r, order: all.length });
  }));
  const rank = (h: Headline): number => (h.sample?.tooFew ? 2 : RANK[h.light] ?? 4) + (h.target === null && h.light === 'none' ? 1 : 0);
  all.sort((a, b) => rank(a.h) - rank(b.h) || a.order - b.order);
  const rows = all.slice(0, EXEC_MAX_ROWS).map(({ h, r }) => {
    const v = tileView(h, { ...fmt, timezone: r.timezone || fmt.timezone }, previousPeriodName(r));
    return {
      report: r.title,
      label: h.label,
      value: v.sampleNote ?? v.value,
      target: v.target ?? '',
      status: v.status,
      light: h.light,
      change: v.change ? `${v.change.arrow} ${v.change.text}: ${v.change.meaning}` : '',
    };
  });
  return { rows, more: Math.max(0, all.length - rows.length) };
}
