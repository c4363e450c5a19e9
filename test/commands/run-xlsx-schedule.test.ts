import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { captureIO, syncedStore } from '../helpers/synced.js';
import { decodeBody, parseMime, type Part } from '../render/mime.js';
import { readXlsx } from '../render/xlsx-reader.js';

/** The shipped schedules that send spreadsheets to accounting, through the real wiring and a real SMTP server. */
const NOW = Date.parse('2026-11-26T12:00:00Z');
const shipped = path.resolve(__dirname, '../../schedules.json');
let env: Awaited<ReturnType<typeof syncedStore>>;
let smtp: TestSmtp;
beforeAll(async () => {
  env = await syncedStore({ scale: 'tiny', seed: 5, now: NOW });
  smtp = await startSmtp();
}, 120_000);
afterAll(async () => { await smtp?.close(); await env?.cleanup(); });

const leaves = (p: Part): Part[] => (p.children.length ? p.children.flatMap(leaves) : [p]);

describe('format "xlsx" in schedules.json', () => {
  it('expenses-weekly mails one workbook: a summary and a sheet per report', async () => {
    const io = captureIO({ ...env.env, SMTP_URL: smtp.url }, env.dir);
    const code = await main(['run', 'expenses-weekly', '--send', '--recipient', 'books@msp.test', '--db', env.cfg.db, '--schedules', shipped], io);
    expect(code, io.stderr.join('\n')).toBe(0);
    expect(smtp.received).toHaveLength(1);
    const parts = leaves(parseMime(smtp.received[0]!.raw));
    const books = parts.filter((p) => p.contentType === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(books).toHaveLength(1);
    expect(books[0]!.headers.get('content-disposition')).toMatch(/attachment; filename="?reports-\d{4}-\d{2}-\d{2}\.xlsx/);
    const sheets = readXlsx(decodeBody(books[0]!));
    expect(sheets.map((s) => s.name)).toEqual(['Summary', 'Expenses awaiting approval', 'Unbilled expenses']);
    const metrics = sheets[0]!.cells.slice(1).map((r) => `${String(r![1]!.value)}.${String(r![7]!.value)}`);
    expect(metrics).toEqual([
      'accounting/expense-approvals.reports', 'accounting/expense-approvals.amount', 'accounting/expense-approvals.over_7d',
      'accounting/expense-approvals.approved_unpaid_amount', 'accounting/unbilled-expenses.items', 'accounting/unbilled-expenses.amount',
      'accounting/unbilled-expenses.companies',
    ]);
  }, 120_000);
});
