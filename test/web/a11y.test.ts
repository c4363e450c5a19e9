import fs from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../src/render/browser.js';
import { startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { PASSWORD, signIn, webHome, type WebHome } from './helpers.js';

/**
 * Accessibility of every page of the web app, checked by axe-core (Deque's engine) inside real Chromium
 * against WCAG 2.1 A/AA and axe's best practices. A serious or critical violation fails the test.
 *
 * axe's source is injected as a script tag; the app's Content-Security-Policy allows no script but its own,
 * so only this test's page bypasses it (the server's policy stays as it is).
 */

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const SCHEDULES = {
  owner: 'ops@msp.example',
  roles: { managers: { recipients: ['a@msp.example', 'b@msp.example'] } },
  schedules: [{
    id: 'backlog-daily', cron: '0 7 * * *', timezone: 'UTC', reports: ['intake/backlog', 'intake/sla-performance'], format: 'pdf', roles: ['managers'],
    subject: 'Backlog {date}', catchUp: 'skip', freshness: '3650d', deadline: '5m',
  }],
};

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

let h: WebHome;
let smtp: TestSmtp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  smtp = await startSmtp();
  h = await webHome({ schedules: SCHEDULES, env: { SMTP_URL: smtp.url, MAIL_FROM: 'reports@msp.example' } });
  // A run with a delivery and a failed one, so the history page shows its tables and its re-send form.
  smtp.fault = (step, rcpt) => (step === 'rcpt' && rcpt === 'b@msp.example' ? { code: 550, message: 'mailbox unavailable' } : null);
  const m = await signIn(h.base, 'manager@msp.example');
  expect((await m.post('/schedules/backlog-daily/send', { _csrf: m.csrf })).status).toBe(303);
  smtp.fault = () => null;
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
  page = await browser.newPage();
  await page.setBypassCSP(true);
  await page.setViewport({ width: 1280, height: 900 });
});
afterAll(async () => {
  await browser?.close();
  await h?.cleanup();
  await smtp?.close();
});

/** Opens `path` and runs axe on it; returns the serious and critical violations, described for a failure message. */
async function check(path: string, status = 200): Promise<string[]> {
  const res = await page.goto(`${h.base}${path}`, { waitUntil: 'load' });
  expect(res?.status(), path).toBe(status);
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations;
  }) as Violation[];
  const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length && process.env.A11Y_VERBOSE) console.log(minor.map((v) => `${path}: ${v.impact} ${v.id} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n'));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${path}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
}

async function signInAs(email: string) {
  await page.deleteCookie(...(await page.cookies()));
  await page.goto(`${h.base}/login`);
  await page.type('#email', email);
  await page.type('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

describe('accessibility (axe-core) of every page', () => {
  it('the sign-in page, also with its error', async () => {
    await page.deleteCookie(...(await page.cookies()));
    const found = await check('/login');
    await page.type('#email', 'nobody@msp.example');
    await page.type('#password', 'wrong password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.addScriptTag({ content: AXE });
    expect(await page.$eval('.error', (e) => e.textContent)).toMatch(/Wrong e-mail/);
    found.push(...await check('/login?next=%2Fboard'));
    expect(found).toEqual([]);
  });

  it('a manager\'s pages: overview, reports, a report, the board, schedules, a preview, history, sync, scorecards, an error', async () => {
    await signInAs('manager@msp.example');
    const found: string[] = [];
    for (const p of ['/', '/reports', '/reports/intake/backlog', '/reports/intake/sla-performance?window=previous-month', '/reports/profitability/resource-utilization', '/board', '/schedules', '/schedules/backlog-daily/preview', '/schedules/backlog-daily/preview/body', '/history', '/sync', '/scorecard', `/scorecard/${h.otherTechId}`]) {
      found.push(...await check(p));
      if (p === '/history') expect(await page.$eval('section.run tr.delivery-failed', (e) => e.textContent)).toContain('b@msp.example');
    }
    found.push(...await check('/no/such/page', 404));
    expect(found).toEqual([]);
    // The checks ran on the pages they name: a redirect to /login would have passed as well.
    expect(new URL(page.url()).pathname).toBe('/no/such/page');
  });

  it('no page is wider than a 400 px phone (wide tables scroll in their own focusable box), and the checks hold there too', async () => {
    await signInAs('manager@msp.example');
    await page.setViewport({ width: 400, height: 800 });
    try {
      const wide: string[] = [];
      const found: string[] = [];
      for (const p of ['/', '/reports', '/reports/intake/backlog', '/reports/intake/sla-performance', '/board', '/schedules', '/schedules/backlog-daily/preview', '/history', '/sync', `/scorecard/${h.otherTechId}`]) {
        found.push(...await check(p));
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        if (w > 400) wide.push(`${p}: ${w} px`);
      }
      expect(wide).toEqual([]);
      expect(found).toEqual([]);
      // The overview's table is wider than the phone: it scrolls inside its box, not the page.
      await page.goto(`${h.base}/`);
      expect(await page.$eval('.table-scroll', (e) => e.scrollWidth > e.clientWidth)).toBe(true);
    } finally {
      await page.setViewport({ width: 1280, height: 900 });
    }
  });

  it('a technician\'s pages: their scorecard, the board, and a refused page', async () => {
    await signInAs(h.techEmail);
    const found = [...await check('/scorecard'), ...await check('/board'), ...await check(`/scorecard/${h.otherTechId}`, 403)];
    expect(found).toEqual([]);
  });
});
