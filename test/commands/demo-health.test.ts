import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { lastMondaySeven } from '../../src/commands/demo.js';
import { MAX_HTML_BYTES } from '../../src/render/email.js';
import { captureIO } from '../helpers/synced.js';
import { renderEmailAt, viewEmail } from '../helpers/email-view.js';

/**
 * The shipped demo (small MSP, seed 42, 14 days) as a buyer first sees it: a healthy MSP as of last Monday
 * 07:00, and emails that read on a phone. Runs the real demo once (simulator, sync, Chromium, outbox).
 */
describe('the demo looks like a healthy MSP and its emails work on a phone', () => {
  let cwd = '';
  let out = '';
  let asOf = 0;
  beforeAll(async () => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-demo-health-'));
    const io = captureIO({}, cwd);
    // No settings file here: the demo cuts its reports in the schedules' zone, as their e-mails tell the time.
    asOf = lastMondaySeven(Date.now(), 'America/New_York');
    expect(await main(['demo', '--out', 'demo'], io), io.stderr.join('\n')).toBe(0);
    out = path.join(cwd, 'demo');
  }, 600_000);
  afterAll(() => {
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  const run = async (report: string): Promise<{ metrics: Record<string, number | null>; rows: Record<string, unknown>[]; window: { from: string; to: string } | null }> => {
    const io = captureIO({}, cwd);
    expect(await main(['run', report, '--db', path.join(out, 'demo.db'), '--config', path.join(out, 'settings.json'), '--as-of', new Date(asOf).toISOString()], io), io.stderr.join('\n')).toBe(0);
    const j = JSON.parse(io.stdout.join('\n')) as unknown;
    return (Array.isArray(j) ? j[0] : j) as never;
  };

  it('runs as of the last Monday 07:00, and its headline numbers are those of a healthy MSP', async () => {
    const util = await run('profitability/resource-utilization');
    // The previous week, Monday to Monday.
    expect(new Date(util.window!.from).getUTCDay()).toBe(1);
    expect(Date.parse(util.window!.to)).toBe(asOf - 7 * 3_600_000);
    expect(util.metrics.utilization_pct).toBeGreaterThanOrEqual(55);
    expect(util.metrics.utilization_pct).toBeLessThanOrEqual(90);
    for (const r of util.rows) expect(Number(r.utilization_pct ?? 0), String(r.resource)).toBeLessThanOrEqual(120);
    const sla = await run('intake/sla-performance');
    for (const k of ['first_response_met_pct', 'resolved_met_pct']) {
      expect(sla.metrics[k], k).toBeGreaterThanOrEqual(70);
      expect(sla.metrics[k], k).toBeLessThanOrEqual(100);
    }
    const labour = await run('profitability/labor-profitability');
    expect(labour.metrics.labor_profitability_ratio).toBeGreaterThanOrEqual(1.5);
    expect(labour.metrics.labor_profitability_ratio).toBeLessThanOrEqual(4);
  }, 120_000);

  it('every email fits 400 px in Chromium; the weekly manager email opens with the summary, under 2 MB with a body under 100 KB and the PDF in it', async () => {
    const outbox = path.join(out, 'outbox');
    const emls = fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort();
    expect(emls.length).toBeGreaterThan(5);
    const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      for (const f of emls) {
        const v = viewEmail(fs.readFileSync(path.join(outbox, f)));
        const { scrollWidth } = await renderEmailAt(browser, v.page, 400);
        expect(scrollWidth, `${f} at 400 px`).toBeLessThanOrEqual(400);
        expect(Buffer.byteLength(v.html), f).toBeLessThan(MAX_HTML_BYTES);
        // Never an HTML attachment (mail gateways quarantine them).
        expect(v.attachments.filter((a) => a.contentType === 'text/html'), f).toEqual([]);
      }
    } finally {
      await browser.close();
    }
    const weekly = emls.map((f) => ({ f, v: viewEmail(fs.readFileSync(path.join(outbox, f))) })).filter((x) => /^X-PSA-Reports-Run: service-kpis-weekly\//im.test(fs.readFileSync(path.join(outbox, x.f), 'latin1')));
    expect(weekly.length).toBeGreaterThan(0);
    for (const { f, v } of weekly) {
      expect(v.attachments.map((a) => a.contentType), f).toContain('application/pdf');
      // The summary comes before the first report.
      const body = v.text.split('\n').filter((l) => l.trim());
      expect(body.findIndex((l) => /^Summary: /.test(l)), f).toBeGreaterThan(-1);
      expect(body.findIndex((l) => /^Summary: /.test(l))).toBeLessThan(body.findIndex((l) => l.startsWith('== ')));
      // Everything in it (the PDF is not left out for size) and under 2 MB.
      expect(v.text, f).not.toMatch(/was left out/);
      expect(v.bytes, f).toBeLessThan(2_000_000);
    }
  }, 240_000);
});
