import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStore as runSync } from '../../src/app.js';
import { CHROMIUM_ARGS } from '../../src/render/browser.js';
import { captureIO } from '../helpers/synced.js';
import { startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { PASSWORD, webHome, type WebHome } from './helpers.js';

/** The real server driven by real Chromium: what a manager does in a browser, end to end. */

let h: WebHome;
let smtp: TestSmtp;
let browser: Browser;
let page: Page;

const SCHEDULES = {
  owner: 'ops@msp.example',
  roles: { managers: { recipients: ['a@msp.example', 'b@msp.example'] } },
  schedules: [{
    id: 'backlog-daily', cron: '0 7 * * *', timezone: 'UTC', reports: ['intake/backlog'], format: 'pdf', roles: ['managers'],
    subject: 'Backlog {date}', catchUp: 'skip', freshness: '3650d', deadline: '5m',
  }],
};

beforeAll(async () => {
  smtp = await startSmtp();
  h = await webHome({ schedules: SCHEDULES, env: { SMTP_URL: smtp.url, MAIL_FROM: 'reports@msp.example' }, boardPollMs: 300 });
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await h?.cleanup();
  await smtp?.close();
});

async function signInAs(email: string) {
  await page.goto(`${h.base}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.type('#email', email);
  await page.type('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

describe('the web app in Chromium', () => {
  it('signs in and opens the overview, off-target measures first', async () => {
    await signInAs('manager@msp.example');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.$eval('h1', (e) => e.textContent)).toBe('Overview');
    const lights = await page.$$eval('table.overview tbody td.status', (tds) => tds.map((td) => td.className.replace('status light-', '')));
    expect(lights.length).toBeGreaterThan(10);
    const rank = { red: 0, amber: 1, green: 2, none: 3 } as Record<string, number>;
    expect(lights.map((l) => rank[l])).toEqual([...lights.map((l) => rank[l])].sort((a, b) => a! - b!));
  });

  it('opens a report for another period and downloads its PDF', async () => {
    await page.goto(`${h.base}/reports/intake/sla-performance`);
    const before = await page.$eval('.masthead .meta span', (e) => e.textContent);
    await page.$eval('#from', (e) => { (e as HTMLInputElement).value = '2026-10-01'; });
    await page.$eval('#to', (e) => { (e as HTMLInputElement).value = '2026-11-01'; });
    await Promise.all([page.waitForNavigation(), page.click('form.period button[type=submit]')]);
    expect(page.url()).toContain('from=2026-10-01');
    const after = await page.$eval('.masthead .meta span', (e) => e.textContent);
    expect(after).not.toBe(before);
    expect(after).toMatch(/Oct/);
    const href = await page.$eval('.downloads a', (a) => (a as HTMLAnchorElement).href);
    expect(href).toContain('/download/pdf?');
    const got = await page.evaluate(async (u) => {
      const r = await fetch(u);
      const b = new Uint8Array(await r.arrayBuffer());
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), body: btoa(s) };
    }, href);
    expect(got.status).toBe(200);
    expect(got.type).toBe('application/pdf');
    expect(got.disposition).toMatch(/^attachment; filename="intake-sla-performance/);
    const file = path.join(h.dir, 'dl.pdf');
    fs.writeFileSync(file, Buffer.from(got.body, 'base64'));
    expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = execFileSync('pdftotext', [file, '-']).toString();
    expect(text).toContain('SLA');
    expect(text).toMatch(/Oct/);
  });

  it('a report page\'s charts are the PDF\'s PNGs, fetched from the server by key', async () => {
    await page.goto(`${h.base}/reports/intake/sla-performance`, { waitUntil: 'load' });
    const imgs = await page.$$eval('figure.chart img', (xs) => xs.map((i) => ({ src: i.getAttribute('src')!, width: (i as HTMLImageElement).naturalWidth, alt: i.getAttribute('alt') })));
    expect(imgs.length).toBeGreaterThan(0);
    for (const i of imgs) {
      expect(i.src).toMatch(/^\/charts\/[\w-]{43}\.png$/);
      expect(i.width).toBe(1350); // drawn (900 CSS px at 1.5×), not a broken image
      expect(i.alt).toMatch(/^Chart: /);
    }
    const res = await page.evaluate(async (u) => { const r = await fetch(u); return { status: r.status, type: r.headers.get('content-type'), magic: [...new Uint8Array(await r.arrayBuffer()).slice(1, 4)].map((c) => String.fromCharCode(c)).join('') }; }, imgs[0]!.src);
    expect(res).toEqual({ status: 200, type: 'image/png', magic: 'PNG' });
    const unknown = await page.evaluate(async () => (await fetch(`/charts/${'A'.repeat(43)}.png`)).status);
    expect(unknown).toBe(404);
  });

  it('offers PDF, XLSX, CSV and JSON on a report page; the XLSX is a workbook with the report\'s rows', async () => {
    await page.goto(`${h.base}/reports/intake/backlog?as-of=2026-11-26`);
    const links = await page.$$eval('.downloads a', (as) => as.map((a) => ({ text: a.textContent, href: (a as HTMLAnchorElement).href })));
    expect(links.map((l) => l.text)).toEqual(['PDF', 'XLSX', 'CSV', 'JSON']);
    const xlsx = links.find((l) => l.text === 'XLSX')!.href;
    expect(xlsx).toBe(`${h.base}/reports/intake/backlog/download/xlsx?as-of=2026-11-26`);
    const got = await page.evaluate(async (u) => {
      const r = await fetch(u);
      const b = new Uint8Array(await r.arrayBuffer());
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), body: btoa(s) };
    }, xlsx);
    expect(got.status).toBe(200);
    expect(got.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(got.disposition).toMatch(/^attachment; filename="intake-backlog[-\d]*\.xlsx"$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(got.body, 'base64') as unknown as ArrayBuffer);
    const json = await page.evaluate(async () => (await (await fetch('/api/reports/intake/backlog?as-of=2026-11-26')).json()) as { title: string; rows: Record<string, unknown>[] });
    expect(json.rows.length).toBeGreaterThan(0);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Summary', json.title.slice(0, 31)]);
    const sheet = book.worksheets[1]!;
    const text = (v: unknown) => (v && typeof v === 'object' && 'richText' in v ? (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('') : v);
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(text);
    expect(header.slice(0, 3)).toEqual(['Ticket', 'Title', 'Company']);
    expect(sheet.rowCount).toBe(json.rows.length + 1);
    const rows = sheet.getRows(2, json.rows.length)!;
    expect(rows.map((r) => [text(r.getCell(1).value), text(r.getCell(2).value)])).toEqual(json.rows.map((r) => [r.ticket_number, r.title]));
  });

  it('previews a schedule as one of its recipients', async () => {
    await page.goto(`${h.base}/schedules`);
    expect(await page.$eval('table.data tbody', (e) => e.textContent)).toContain('backlog-daily');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/schedules/backlog-daily/preview"]')]);
    expect(await page.$eval('.subject', (e) => e.textContent)).toMatch(/^Backlog /);
    await page.select('#recipient', 'b@msp.example');
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    expect(await page.$eval('iframe.preview', (e) => e.getAttribute('src'))).toBe('/schedules/backlog-daily/preview/body?recipient=b%40msp.example');
    const frame = await (await page.$('iframe.preview'))!.contentFrame();
    await frame!.waitForSelector('body');
    expect(await frame!.evaluate(() => document.body.textContent)).toContain('Ticket backlog');
  });

  it('sends a test to me through SMTP and sees it in the history', async () => {
    await page.goto(`${h.base}/schedules`);
    await Promise.all([page.waitForNavigation({ timeout: 120_000 }), page.click('form[action="/schedules/backlog-daily/test"] button')]);
    expect(new URL(page.url()).pathname).toBe('/history');
    expect(await page.$eval('.flash', (e) => e.textContent)).toMatch(/Test copy of backlog-daily to manager@msp.example: run \d+ sent; 1 sent, 0 failed/);
    expect(smtp.to('manager@msp.example')).toHaveLength(1);
    expect(smtp.to('manager@msp.example')[0]!.subject).toMatch(/^\[Test\] Backlog/);
    expect(smtp.to('a@msp.example')).toHaveLength(0);
    const runText = await page.$eval('section.run', (e) => e.textContent);
    expect(runText).toContain('manager@msp.example');
    expect(runText).toContain('1 of 1 delivered');
  });

  it('sends now with a recipient refused, then re-sends to the failed recipient only', async () => {
    smtp.fault = (step, rcpt) => (step === 'rcpt' && rcpt === 'b@msp.example' ? { code: 550, message: 'mailbox unavailable' } : null);
    await page.goto(`${h.base}/schedules`);
    await Promise.all([page.waitForNavigation({ timeout: 120_000 }), page.click('form[action="/schedules/backlog-daily/send"] button')]);
    expect(await page.$eval('.flash', (e) => e.textContent)).toMatch(/partial; 1 sent, 1 failed/);
    expect(smtp.to('a@msp.example')).toHaveLength(1);
    expect(smtp.to('b@msp.example')).toHaveLength(0);
    const failedRow = await page.$eval('section.run.state-partial tr.delivery-failed', (e) => e.textContent);
    expect(failedRow).toContain('b@msp.example');
    expect(failedRow).toMatch(/mailbox unavailable/);

    smtp.fault = () => null;
    await Promise.all([page.waitForNavigation({ timeout: 120_000 }), page.click('section.run.state-partial form button')]);
    expect(await page.$eval('.flash', (e) => e.textContent)).toMatch(/Re-sent run \d+ to 1 failed recipient\(s\): run \d+ sent; 1 sent, 0 failed/);
    expect(smtp.to('b@msp.example')).toHaveLength(1);
    expect(smtp.to('a@msp.example')).toHaveLength(1); // not sent twice
    expect(smtp.to('b@msp.example')[0]!.subject).toMatch(/^Backlog/);
  });

  it('the board redraws after a sync without a reload', async () => {
    await page.goto(`${h.base}/board`);
    const before = await page.$eval('[data-board="lastSync"]', (e) => e.textContent);
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
    // Less than the session's idle limit: the server's clock is the simulator's.
    h.sim.advance(3 * 3_600_000);
    const s = await runSync(h.cfg, captureIO(h.env, h.dir), { clock: { now: () => h.sim.now() }, progress: 'none' });
    expect(s.ok).toBe(true);
    await page.waitForFunction((b) => document.querySelector('[data-board="lastSync"]')!.textContent !== b, { timeout: 20_000 }, before);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    const api = await page.evaluate(async () => (await (await fetch('/api/board')).json()) as { rows: { text: string }[][] });
    const shown = await page.$$eval('[data-board="rows"] tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(shown).toEqual(api.rows.map((r) => r.map((c) => c.text)));
  });

  it('a technician signs in to their own scorecard', async () => {
    const c = await page.cookies();
    await page.deleteCookie(...c);
    await signInAs(h.techEmail);
    expect(new URL(page.url()).pathname).toBe('/scorecard');
    expect(await page.$eval('h1', (e) => e.textContent)).toMatch(/^Scorecard: /);
    const nav = await page.$$eval('nav a', (as) => as.map((a) => a.textContent));
    expect(nav).toEqual(['Board', 'My scorecard']);
  });
});
