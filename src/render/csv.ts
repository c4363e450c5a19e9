import type { Artifact, Cell, ReportResult } from '../types.js';
import { columnsOf, slug } from './view.js';

// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

// Quoted so that no spreadsheet splits the cell: the comma we separate with, the semicolon Excel separates
// with in many locales (an unquoted `Acme;=1+1` there becomes a second cell holding a formula), tabs, quotes
// and line breaks.
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * One CSV field (OWASP "CSV injection"): text starting with = + - @ tab or CR gets a leading `'`, and text
 * holding , ; " tab or a line break is quoted (RFC 4180), so every cell stays one cell and none is a formula.
 */
export function csvField(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  let s: string;
  if (typeof value === 'number') {
    // Numbers stay numbers (a negative value is not a formula); non-finite ones have no CSV form.
    if (!Number.isFinite(value)) return '';
    s = String(value);
  } else if (typeof value === 'boolean') {
    s = value ? 'true' : 'false';
  } else {
    s = value;
    if (FORMULA_START.test(s)) s = `'${s}`;
  }
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The result's rows as CSV (RFC 4180: CRLF line ends, header row of the column labels). Values are raw,
 * not formatted (93.4, not "93.4 %"), so the file sums and sorts in a spreadsheet.
 */
export function toCsv(result: ReportResult): string {
  const columns = columnsOf(result);
  const lines = [columns.map((c) => csvField(c.label)).join(',')];
  for (const row of result.rows) lines.push(columns.map((c) => csvField(row[c.key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The CSV as an artifact, UTF-8 with a byte-order mark so Excel reads accents and CJK correctly. */
export function csvArtifact(result: ReportResult): Artifact {
  const day = (result.window ? result.window.from : result.asOf).slice(0, 10);
  return {
    filename: `${slug(result.report)}${/^\d{4}-\d{2}-\d{2}$/.test(day) ? `-${day}` : ''}.csv`,
    contentType: 'text/csv; charset=utf-8',
    content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(toCsv(result), 'utf8')]),
  };
}
