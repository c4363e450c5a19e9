import { afterAll, describe, expect, it } from 'vitest';
import { createDeliveryDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { runScheduleNow } from '../../src/delivery/execute.js';
import { openDb } from '../../src/store/db.js';
import { systemClock } from '../../src/types.js';
import { scheduleEntry, schedulesFile, startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { decodeBody, parseMime, type Part } from '../render/mime.js';
import { captureIO, syncedStore } from '../helpers/synced.js';

/**
 * The whole delivery wiring (sync'd store → compute → Chromium PDF → MIME → SMTP) on a clock a year ahead
 * of and a year behind the machine's date: the same messages, never a render timed out against the
 * machine's clock. Only the dates differ (both runs fall on the same weekday at the same time of day).
 */
/**
 * A year as 52 whole weeks: the simulated tenant works Monday to Friday, so a shift of 365 days would compare
 * a desk seen on a Tuesday with one seen on a Sunday (another week's tickets, another set of charts).
 */
const YEAR = 52 * 7 * 86_400_000;
const walk = (p: Part, out: Part[] = []): Part[] => { out.push(p); for (const c of p.children) walk(c, out); return out; };
const smtps: TestSmtp[] = [];
afterAll(async () => { for (const s of smtps) await s.close(); });

/** What a reader gets, with every date and number masked (the tenants are generated relative to now). */
async function messagesAt(now: number): Promise<{ state: string; messages: { to: string; subject: string; parts: string[]; sections: string[] }[] }> {
  const env = await syncedStore({ scale: 'tiny', seed: 9, now, days: 1 });
  const smtp = await startSmtp();
  smtps.push(smtp);
  try {
    const cfg = loadConfig({ db: env.cfg.db }, { ...env.env, SMTP_URL: smtp.url, MAIL_FROM: 'Reports <reports@msp.test>' }, env.dir);
    const schedules = schedulesFile([scheduleEntry({ id: 'kpis', reports: ['intake/backlog', 'intake/sla-performance'], format: 'pdf', subject: 'Service KPIs {period}' })]);
    const db = openDb(cfg.db);
    const wiring = await createDeliveryDeps(cfg, captureIO(env.env, env.dir), { schedules, db, clock: { now: () => now } });
    try {
      const outcome = await runScheduleNow(wiring.deps, schedules.schedules[0]!);
      const messages = smtp.received.map((m) => {
        const root = parseMime(m.raw.replace(/\r?\n/g, '\r\n'));
        const text = decodeBody(walk(root).find((p) => p.contentType === 'text/plain')!).toString('utf8');
        return {
          to: m.to[0]!,
          subject: (root.headers.get('subject') ?? '').replace(/\d+/g, '#'),
          parts: walk(root).map((p) => p.contentType),
          sections: text.split('\n').filter((l) => /^[A-Z][A-Za-z -]+$/.test(l.trim())).map((l) => l.trim()),
        };
      }).sort((a, b) => a.to.localeCompare(b.to));
      return { state: outcome.state + (outcome.reason ? `: ${outcome.reason}` : ''), messages };
    } finally {
      await wiring.close();
      db.close();
    }
  } finally {
    await env.cleanup();
  }
}

describe('a run on a clock far from the machine\'s date', () => {
  it('a year ahead and a year behind give the same messages', async () => {
    const real = systemClock.now();
    const ahead = await messagesAt(real + YEAR);
    const behind = await messagesAt(real - YEAR);
    expect(ahead.state).toBe('sent');
    expect(behind.state).toBe('sent');
    expect(ahead.messages.map((m) => m.to)).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    expect(ahead.messages[0]!.parts).toContain('application/pdf');
    expect(ahead.messages.map((m) => m.subject)).toEqual(behind.messages.map((m) => m.subject));
    expect(ahead.messages.map((m) => m.parts)).toEqual(behind.messages.map((m) => m.parts));
    expect(ahead.messages.map((m) => m.sections)).toEqual(behind.messages.map((m) => m.sections));
  }, 240_000);
});
