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
export function toCsv(result: Pick<ReportResult, 'columns' | 'rows'>): string {
  const columns = columnsOf(result);
  const lines = [columns.map((c) => csvField(c.label)).join(',')];
  for (const row of result.rows) lines.push(columns.map((c) => csvField(row[c.key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The CSV tables of a result: its rows, then each of its further tables (`lists`) with every row, named
 * `<report>-<list>` ("accounting-approve-and-post-unapproved-entries"), so a spreadsheet holds all of them.
 */
export function csvTables(result: ReportResult): { name: string; csv: string }[] {
  const base = slug(result.report);
  const taken = new Set<string>([base]);
  const out = [{ name: base, csv: toCsv(result) }];
  for (const l of result.lists ?? []) {
    if (!l.columns.length) continue;
    let name = `${base}-${slug(l.title)}`;
    for (let n = 2; taken.has(name); n++) name = `${base}-${slug(l.title)}-${n}`;
    taken.add(name);
    out.push({ name, csv: toCsv(l) });
  }
  return out;
}

/** The CSV as an artifact, UTF-8 with a byte-order mark so Excel reads accents and CJK correctly. */
export function csvArtifact(result: ReportResult): Artifact {
  return csvArtifacts(result)[0]!;
}

/** Every CSV table of the result as an artifact: its rows first, then one file per further table. */
export function csvArtifacts(result: ReportResult): Artifact[] {
  const day = (result.window ? result.window.from : result.asOf).slice(0, 10);
  return csvTables(result).map((t) => ({
    filename: `${t.name}${/^\d{4}-\d{2}-\d{2}$/.test(day) ? `-${day}` : ''}.csv`,
    contentType: 'text/csv; charset=utf-8',
    content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t.csv, 'utf8')]),
  }));
}
