import type { Artifact, Cell, ColumnSpec, ReportResult } from '../types.js';
import { columnsOf, slug } from './view.js';

/**
 * Excel workbooks of report results: a Summary sheet (every metric of every report) and one sheet per
 * report with its rows. Numbers and dates are typed cells with number formats (never numbers as text);
 * text is always written as a text cell, so a value such as `=HYPERLINK(...)` is shown, never run.
 *
 * The workbook library (exceljs, MIT) is behind `WorkbookWriter`, our own narrow port: replacing the
 * library means writing one adapter, not touching the report layout below.
 */

/** How a column's values are typed and shown. */
export type SheetKind = 'text' | 'integer' | 'number' | 'money' | 'pct' | 'ratio' | 'date' | 'datetime' | 'bool';

/** One column of a sheet. */
export interface SheetColumn {
  /** Header text (row 1). */
  header: string;
  /** Type and number format of its cells. */
  kind: SheetKind;
  /** Width in characters. */
  width: number;
}

/** A number with its own format, in a column of mixed units (the Summary's values). */
export interface FormattedNumber {
  /** The value. */
  number: number;
  /** Its format. */
  kind: SheetKind;
}

/** A cell value as the writer receives it: already typed (dates as Date, in wall time of the report's zone). */
export type SheetValue = string | number | boolean | Date | FormattedNumber | null;

/** The workbook port: sheets of typed rows, then the file's bytes. */
export interface WorkbookWriter {
  /** Adds a sheet (the name must already be valid and unique) with a frozen, filtered header row. */
  addSheet(name: string, columns: SheetColumn[], rows: SheetValue[][]): void;
  /** The .xlsx file. */
  toBuffer(): Promise<Buffer>;
}

/** Number formats by kind (pct values are 0–100 as in the JSON, so the format adds the sign, not a ×100). */
export const NUMBER_FORMATS: Record<SheetKind, string | undefined> = {
  text: '@', integer: '#,##0', number: '#,##0.00', money: '#,##0.00', pct: '0.0"%"', ratio: '0.00',
  date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm', bool: undefined,
};

/** The exceljs adapter of WorkbookWriter. */
export async function createExcelJsWriter(meta: { creator: string; created: Date }): Promise<WorkbookWriter> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = meta.creator;
  wb.created = meta.created;
  return {
    addSheet(name, columns, rows) {
      const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
      ws.columns = columns.map((c, i) => ({ key: `c${i}`, width: c.width, ...(NUMBER_FORMATS[c.kind] && c.kind !== 'text' ? { style: { numFmt: NUMBER_FORMATS[c.kind] } } : {}) }));
      const header = ws.getRow(1);
      columns.forEach((c, i) => { header.getCell(i + 1).value = { richText: [{ text: c.header, font: { bold: true } }] }; });
      header.commit();
      rows.forEach((r, ri) => {
        const row = ws.getRow(ri + 2);
        r.forEach((v, ci) => {
          if (v === null) return;
          const cell = row.getCell(ci + 1);
          // A string goes in as rich text: exceljs writes it as a string cell whatever its first character
          // (a plain string starting with "=" is also kept as text, but this does not depend on that).
          if (typeof v === 'string') cell.value = { richText: [{ text: v }] };
          else if (typeof v === 'object' && !(v instanceof Date)) {
            cell.value = v.number;
            const fmt = NUMBER_FORMATS[v.kind];
            if (fmt) cell.numFmt = fmt;
          } else cell.value = v;
        });
      });
      if (columns.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, rows.length + 1), column: columns.length } };
    },
    async toBuffer() {
      return Buffer.from(await wb.xlsx.writeBuffer());
    },
  };
}

const FORBIDDEN = /[[\]:*?/\\]/g;

/**
 * A valid, unique sheet name: Excel allows 31 characters, none of []:*?/\, not starting or ending with an
 * apostrophe, not "History" (reserved), unique without regard to case.
 */
export function sheetName(wanted: string, taken: Set<string>): string {
  let base = wanted.replace(FORBIDDEN, '-').replace(/[\u0000-\u001f]/g, ' ').replace(/^'+|'+$/g, '').trim() || 'Sheet';
  if (base.toLowerCase() === 'history') base = 'History (report)';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : ` (${n})`;
    const name = `${base.slice(0, 31 - suffix.length).replace(/'+$/, '').trimEnd()}${suffix}`;
    if (!taken.has(name.toLowerCase())) {
      taken.add(name.toLowerCase());
      return name;
    }
  }
}

/** The kind of a report column, from its unit. */
export function kindOf(unit: ColumnSpec['unit']): SheetKind {
  switch (unit) {
    case 'count': return 'integer';
    case 'money': return 'money';
    case 'pct': return 'pct';
    case 'ratio': case 'fte': return 'ratio';
    case 'hours': case 'minutes': case 'days': return 'number';
    case 'date': return 'date';
    case 'datetime': return 'datetime';
    case 'bool': return 'bool';
    default: return 'text';
  }
}

/** Wall-clock fields of an instant in a zone. */
function wall(ms: number, tz: string): Date {
  const p: Record<string, number> = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms)) {
    if (x.type !== 'literal') p[x.type] = Number(x.value);
  }
  // Excel has no zones: the cell holds the wall time of the report's zone, written as if it were UTC.
  return new Date(Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!, ms % 1000));
}

/** A JSON cell as a typed sheet value of a column kind. Values that do not fit the kind stay text. */
export function sheetValue(v: Cell | undefined, kind: SheetKind, tz: string): SheetValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(`${v}T00:00:00Z`);
  if ((kind === 'datetime' || kind === 'date') && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))) return wall(Date.parse(v), tz);
  return v;
}

function width(header: string, values: SheetValue[], kind: SheetKind): number {
  let w = header.length;
  for (const v of values.slice(0, 500)) {
    const len = v === null ? 0 : typeof v === 'object' && !(v instanceof Date) ? 12 : v instanceof Date ? (kind === 'date' ? 10 : 16) : typeof v === 'number' ? Math.min(String(Math.round(v)).length + 5, 18) : String(v).length;
    if (len > w) w = len;
  }
  return Math.max(8, Math.min(60, w + 2));
}

/** The columns of a report's sheet: its declared columns first, then every other key its rows carry (ids). */
function sheetColumnsOf(r: Pick<ReportResult, 'columns' | 'rows'>): ColumnSpec[] {
  const cols = columnsOf(r).slice();
  const seen = new Set(cols.map((c) => c.key));
  for (const row of r.rows) {
    for (const [k, v] of Object.entries(row)) {
      if (seen.has(k)) continue;
      seen.add(k);
      cols.push({ key: k, label: k, unit: typeof v === 'number' ? (/_id$/.test(k) ? 'count' : 'ratio') : typeof v === 'boolean' ? 'bool' : 'text' });
    }
  }
  return cols;
}

/** Summary rows: one per metric of each report. */
const SUMMARY: SheetColumn[] = [
  { header: 'Report', kind: 'text', width: 36 }, { header: 'Report id', kind: 'text', width: 34 },
  { header: 'From', kind: 'datetime', width: 17 }, { header: 'To', kind: 'datetime', width: 17 }, { header: 'As of', kind: 'datetime', width: 17 },
  { header: 'Time zone', kind: 'text', width: 20 }, { header: 'Metric', kind: 'text', width: 30 }, { header: 'Metric id', kind: 'text', width: 26 },
  { header: 'Value', kind: 'number', width: 16 }, { header: 'Unit', kind: 'text', width: 9 }, { header: 'Sheet', kind: 'text', width: 33 },
];

/** The sheet layout of a set of results (pure: the tests read it back against the file). */
export function workbookLayout(results: ReportResult[]): { name: string; columns: SheetColumn[]; keys: string[]; rows: SheetValue[][] }[] {
  const taken = new Set<string>(['summary']);
  const sheetOf = (table: Pick<ReportResult, 'columns' | 'rows'>, tz: string) => {
    const cols = sheetColumnsOf(table);
    const kinds = cols.map((c) => kindOf(c.unit));
    const rows = table.rows.map((row) => cols.map((c, i) => sheetValue(row[c.key], kinds[i]!, tz)));
    const columns = cols.map((c, i) => ({ header: c.label, kind: kinds[i]!, width: width(c.label, rows.map((x) => x[i]!), kinds[i]!) }));
    return { columns, keys: cols.map((c) => c.key), rows };
  };
  const sheets = results.map((r) => ({ name: sheetName(r.title, taken), ...sheetOf(r, r.timezone), result: r }));
  // A report's further tables (every row, however many the PDF shows) follow all the reports' own sheets.
  const extra = results.flatMap((r) => (r.lists ?? []).filter((l) => l.columns.length).map((l) => ({ name: sheetName(l.title, taken), ...sheetOf(l, r.timezone) })));
  const summary: SheetValue[][] = [];
  for (const s of sheets) {
    const r = s.result;
    const tz = r.timezone;
    for (const [metric, value] of Object.entries(r.metrics)) {
      const h = r.headlines.find((x) => x.metric === metric);
      summary.push([
        r.title, r.report, r.window ? sheetValue(r.window.from, 'datetime', tz) : null, r.window ? sheetValue(r.window.to, 'datetime', tz) : null,
        sheetValue(r.asOf, 'datetime', tz), tz, h?.label ?? metric, metric,
        value === null || !Number.isFinite(value) ? null : { number: value, kind: kindOf(h?.unit ?? 'ratio') }, h?.unit ?? null, s.name,
      ]);
    }
  }
  return [
    { name: 'Summary', columns: SUMMARY, keys: SUMMARY.map((c) => c.header), rows: summary },
    ...sheets.map(({ name, columns, keys, rows }) => ({ name, columns, keys, rows })),
    ...extra,
  ];
}

/** The workbook of a set of results (a run or a schedule's bundle), as an artifact. */
export async function xlsxArtifact(results: ReportResult[], opts: { creator?: string; created?: Date; writer?: WorkbookWriter } = {}): Promise<Artifact> {
  const writer = opts.writer ?? await createExcelJsWriter({ creator: opts.creator ?? 'psa-reports', created: opts.created ?? new Date(results[0]?.asOf ?? 0) });
  for (const s of workbookLayout(results)) writer.addSheet(s.name, s.columns, s.rows);
  const first = results[0];
  const day = first ? (first.window ? first.window.from : first.asOf).slice(0, 10) : '';
  const base = results.length === 1 ? slug(first!.report) : 'reports';
  return {
    filename: `${base}${/^\d{4}-\d{2}-\d{2}$/.test(day) ? `-${day}` : ''}.xlsx`,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    content: await writer.toBuffer(),
  };
}
