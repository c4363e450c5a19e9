import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { REPORTS } from '../../reports/index.js';
import { sheetName, xlsxArtifact } from '../../src/render/xlsx.js';
import type { ReportResult } from '../../src/types.js';
import { captureIO, syncedStore } from '../helpers/synced.js';
import { kpiReport } from './fixtures.js';
import { readXlsx, serialToMs, type ReadCell, type ReadSheet } from './xlsx-reader.js';

/** Wall time of an instant in a zone, as epoch ms read as UTC (what a zone-less spreadsheet cell holds). */
function wallMs(iso: string, tz: string): number {
  const p: Record<string, number> = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(Date.parse(iso))) {
    if (x.type !== 'literal') p[x.type] = Number(x.value);
  }
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!, Date.parse(iso) % 1000);
}

const header = (s: ReadSheet) => (s.cells[0] ?? []).map((c) => String(c?.value ?? ''));

describe('sheet names', () => {
  it('stay within Excel\'s limits: 31 characters, none of []:*?/\\, unique without regard to case, not History', () => {
    const taken = new Set<string>();
    const a = sheetName('Time to approve and post: [unbilled] */?\\ time entries', taken);
    expect(a.length).toBeLessThanOrEqual(31);
    expect(a).not.toMatch(/[[\]:*?/\\]/);
    const b = sheetName('time to approve and post- -unbilled- ---- time entries', taken);
    expect(b.toLowerCase()).not.toBe(a.toLowerCase());
    expect(b.length).toBeLessThanOrEqual(31);
    expect(sheetName('History', taken)).not.toBe('History');
    expect(sheetName("'quoted'", taken)).toBe('quoted');
  });
});

describe('xlsx of hand-made results', () => {
  it('types every cell, never writes a formula, freezes and filters the header and sets widths', async () => {
    const hostile: ReportResult = {
      ...kpiReport(), report: 'accounting/x', title: 'Hostile: names?', timezone: 'America/New_York',
      columns: [
        { key: 'name', label: 'Name', unit: 'text' }, { key: 'amount', label: 'Amount', unit: 'money' }, { key: 'share', label: 'Share', unit: 'pct' },
        { key: 'on', label: 'On', unit: 'date' }, { key: 'at', label: 'At', unit: 'datetime' }, { key: 'ok', label: 'OK', unit: 'bool' },
      ],
      rows: [
        { name: '=HYPERLINK("http://127.0.0.1:9/x","click")', amount: -12.5, share: 33.3, on: '2026-11-02', at: '2026-11-02T14:30:00.000Z', ok: true },
        { name: '+SUM(1,2)', amount: 0, share: null, on: null, at: '2026-07-01T03:00:00.000Z', ok: false },
        { name: '@cmd|/c calc', amount: 1e6, share: 100, on: '2026-12-31', at: null, ok: null },
        { name: '-1', amount: 3, share: 0, on: '2026-01-01', at: '2026-03-08T07:00:00.000Z', ok: true, ticket_id: 42 },
      ],
    };
    const book = await xlsxArtifact([kpiReport(), hostile, { ...kpiReport(), title: 'SLA performance' }]);
    expect(book.filename).toBe('reports-2026-11-16.xlsx');
    const sheets = readXlsx(book.content);
    expect(sheets.map((s) => s.name)).toEqual(['Summary', 'SLA performance', 'Hostile- names-', 'SLA performance (2)']);
    for (const s of sheets) {
      expect(s.frozenRows, s.name).toBe(1);
      expect(s.autoFilter, s.name).toMatch(/^A1:[A-Z]+\d+$/);
      expect(s.widths.length, s.name).toBe(header(s).length);
      expect(s.widths.every((w) => w >= 8 && w <= 60), s.name).toBe(true);
      for (const row of s.cells) for (const c of row ?? []) expect(c?.formula ?? false).toBe(false);
    }
    const h = sheets[2]!;
    expect(header(h)).toEqual(['Name', 'Amount', 'Share', 'On', 'At', 'OK', 'ticket_id']);
    const cell = (r: number, c: number) => h.cells[r]?.[c];
    expect(cell(1, 0)).toMatchObject({ type: 's', value: '=HYPERLINK("http://127.0.0.1:9/x","click")' });
    expect(cell(2, 0)).toMatchObject({ type: 's', value: '+SUM(1,2)' });
    expect(cell(3, 0)).toMatchObject({ type: 's', value: '@cmd|/c calc' });
    expect(cell(4, 0)).toMatchObject({ type: 's', value: '-1' });
    expect(cell(1, 1)).toMatchObject({ type: 'n', value: -12.5, format: '#,##0.00' });
    expect(cell(1, 2)).toMatchObject({ type: 'n', value: 33.3, format: '0.0"%"' });
    expect(cell(2, 2)).toBeUndefined();
    expect(cell(1, 3)).toMatchObject({ type: 'n', format: 'yyyy-mm-dd' });
    expect(serialToMs(cell(1, 3)!.value as number)).toBe(Date.parse('2026-11-02T00:00:00Z'));
    // 14:30Z is 09:30 in New York in November (EST), 03:00Z on 1 July is 23:00 the day before (EDT).
    expect(serialToMs(cell(1, 4)!.value as number)).toBe(Date.UTC(2026, 10, 2, 9, 30));
    expect(serialToMs(cell(2, 4)!.value as number)).toBe(Date.UTC(2026, 5, 30, 23, 0));
    expect(cell(1, 4)!.format).toBe('yyyy-mm-dd hh:mm');
    expect([cell(1, 5)?.value, cell(2, 5)?.value, cell(3, 5)]).toEqual([true, false, undefined]);
    expect(cell(4, 6)).toMatchObject({ type: 'n', value: 42 });
    // The summary: a row per metric of each report, values typed with the metric's own format.
    const sum = sheets[0]!;
    const rows = sum.cells.slice(1).map((r) => r!.map((c) => c?.value));
    const fr = rows.find((r) => r[1] === 'accounting/x' && r[7] === 'first_response_met_pct')!;
    expect(fr[8]).toBe(93.4);
    expect(sum.cells[rows.indexOf(fr) + 1]![8]!.format).toBe('0.0"%"');
    expect(fr[10]).toBe('Hostile- names-');
  });
});

// ---- End to end: the run command on a synced store, the workbook read back against the JSON ----

const NOW = Date.parse('2026-11-26T12:00:00Z');
const IDS = ['intake/needs-intervention', 'accounting/commissions', 'accounting/expense-approvals', 'accounting/unbilled-expenses', 'sales/won-handoff', 'accounting/approve-and-post'];
let env: Awaited<ReturnType<typeof syncedStore>>;
beforeAll(async () => { env = await syncedStore({ scale: 'tiny', seed: 12, now: NOW }); }, 120_000);
afterAll(async () => { await env?.cleanup(); });

function expectCell(c: ReadCell | undefined, v: unknown, unit: string | undefined, tz: string, where: string): void {
  if (v === null || v === undefined) { expect(c, where).toBeUndefined(); return; }
  expect(c?.formula, where).toBe(false);
  if (typeof v === 'number') { expect(c, where).toMatchObject({ type: 'n', value: v }); return; }
  if (typeof v === 'boolean') { expect(c, where).toMatchObject({ type: 'b', value: v }); return; }
  const s = String(v);
  if (unit === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(s)) { expect(c?.type, where).toBe('n'); expect(serialToMs(c!.value as number), where).toBe(Date.parse(`${s}T00:00:00Z`)); return; }
  if ((unit === 'datetime' || unit === 'date') && /^\d{4}-\d{2}-\d{2}T/.test(s)) { expect(c?.type, where).toBe('n'); expect(serialToMs(c!.value as number), where).toBe(wallMs(s, tz)); return; }
  expect(c, where).toMatchObject({ type: 's', value: s });
}

describe('run --format xlsx', () => {
  it('writes one workbook whose every cell matches the JSON of the same run', async () => {
    const tz = 'America/New_York';
    const cfgFile = path.join(env.dir, 'xlsx-settings.json');
    fs.writeFileSync(cfgFile, JSON.stringify({ settings: { timezone: tz } }));
    const common = [...IDS, '--as-of', new Date(NOW).toISOString(), '--db', env.cfg.db, '--config', cfgFile];
    const io = captureIO(env.env, env.dir);
    expect(await main(['run', ...common, '--format', 'json'], io)).toBe(0);
    const json = JSON.parse(io.stdout.join('')) as { report: string; title: string; metrics: Record<string, number | null>; rows: Record<string, unknown>[] }[];
    const file = path.join(env.dir, 'out', 'bundle.xlsx');
    const io2 = captureIO(env.env, env.dir);
    expect(await main(['run', ...common, '--format', 'xlsx', '--out', file], io2)).toBe(0);
    expect(io2.stdout.join('')).toBe('');
    const sheets = readXlsx(fs.readFileSync(file));
    // The reports' sheets, then approve-and-post's further tables (per resource, every entry).
    expect(sheets.map((x) => x.name).slice(IDS.length + 1)).toEqual(['Unapproved time by resource', 'Unapproved entries by age']);
    let cellsChecked = 0;
    for (const [i, r] of json.entries()) {
      const s = sheets[i + 1]!;
      const def = (REPORTS as Record<string, { columns: { key: string; label: string; unit?: string }[] }>)[r.report]!;
      const keys = header(s).map((hd) => def.columns.find((c) => c.label === hd)?.key ?? hd);
      const units = keys.map((k) => def.columns.find((c) => c.key === k)?.unit);
      // Every field of every row has a column, and every cell holds its row's value.
      for (const row of r.rows) for (const k of Object.keys(row)) expect(keys, `${r.report} column ${k}`).toContain(k);
      expect(s.cells.length - 1, r.report).toBe(r.rows.length);
      r.rows.forEach((row, ri) => keys.forEach((k, ci) => { expectCell(s.cells[ri + 1]?.[ci], row[k], units[ci], tz, `${r.report} row ${ri} ${k}`); cellsChecked++; }));
      const summary = sheets[0]!.cells.slice(1).filter((c) => c?.[1]?.value === r.report);
      expect(summary.map((c) => c![7]!.value), r.report).toEqual(Object.keys(r.metrics));
      summary.forEach((c) => expectCell(c![8], r.metrics[String(c![7]!.value)], undefined, tz, `${r.report} metric ${String(c![7]!.value)}`));
    }
    expect(cellsChecked).toBeGreaterThan(100);
    // Every unapproved entry is in the workbook, and its values add up to the report's.
    const ap = json.find((r) => r.report === 'accounting/approve-and-post')!;
    const entries = sheets[IDS.length + 2]!;
    expect(ap.metrics.entries).toBeGreaterThan(0);
    expect(entries.cells.length - 1).toBe(ap.metrics.entries);
    const valueCol = header(entries).indexOf('Value');
    const total = entries.cells.slice(1).reduce((a, row) => a + Number(row?.[valueCol]?.value ?? 0), 0);
    expect(total).toBeCloseTo(ap.metrics.value!, 6);
    const byResource = sheets[IDS.length + 1]!;
    expect(byResource.cells.slice(1).reduce((a, row) => a + Number(row?.[header(byResource).indexOf('Entries')]?.value ?? 0), 0)).toBe(ap.metrics.entries);
  }, 60_000);
});
