import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { runScheduleNow } from '../../src/delivery/execute.js';
import { openDb } from '../../src/store/db.js';
import { only, scheduleEntry, schedulesFile, startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { decodeBody, parseMime, type Part } from '../render/mime.js';
import { captureIO, syncedStore } from '../helpers/synced.js';

/**
 * The real wiring of a schedule run (app.ts): reports computed from a simulator-synced store, rendered by
 * Chromium, composed by the renderer's MIME tree and sent by nodemailer to a real SMTP server.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
let smtp: TestSmtp;

beforeAll(async () => {
  env = await syncedStore({ scale: 'tiny', seed: 9, now: NOW, days: 1 });
  smtp = await startSmtp();
}, 120_000);
afterAll(async () => { await smtp?.close(); await env?.cleanup(); });

const walk = (p: Part, out: Part[] = []): Part[] => { out.push(p); for (const c of p.children) walk(c, out); return out; };

describe('a schedule run through the real composition root', () => {
  it('sends one message per recipient: related > alternative (text + HTML), CID charts, PDF attached, no data: URIs', async () => {
    const cfg = loadConfig({ db: env.cfg.db }, { ...env.env, SMTP_URL: smtp.url, MAIL_FROM: 'Reports <reports@msp.test>' }, env.dir);
    const schedules = schedulesFile([scheduleEntry({ id: 'kpis', reports: ['intake/backlog', 'intake/sla-performance'], format: 'pdf', subject: 'Service KPIs {period}' })]);
    const db = openDb(cfg.db);
    const wiring = await createDeliveryDeps(cfg, captureIO(env.env, env.dir), { schedules, db, clock: { now: () => NOW } });
    try {
      const outcome = await runScheduleNow(wiring.deps, only(schedules));
      expect(outcome.state).toBe('sent');
      expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
      const ids = new Set(smtp.received.map((m) => m.messageId));
      expect(ids.size).toBe(3);
      for (const m of smtp.received) {
        const root = parseMime(m.raw.replace(/\r?\n/g, '\r\n'));
        expect(root.headers.get('list-unsubscribe')).toMatch(/^<mailto:/);
        expect(root.headers.get('subject')).toBeTruthy();
        expect(root.contentType).toBe('multipart/mixed');
        const related = root.children.find((c) => c.contentType === 'multipart/related')!;
        expect(related).toBeDefined();
        const alt = related.children.find((c) => c.contentType === 'multipart/alternative')!;
        expect(alt.children.map((c) => c.contentType)).toEqual(['text/plain', 'text/html']);
        const html = decodeBody(alt.children[1]!).toString('utf8');
        expect(html).not.toMatch(/data:/);
        const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((x) => x[1]);
        expect(cids.length).toBeGreaterThan(0);
        const images = related.children.filter((c) => c.contentType === 'image/png').map((c) => c.headers.get('content-id'));
        for (const cid of cids) expect(images).toContain(`<${cid}>`);
        const pdf = walk(root).find((p) => p.contentType === 'application/pdf')!;
        expect(decodeBody(pdf).subarray(0, 5).toString()).toBe('%PDF-');
        expect(decodeBody(alt.children[0]!).toString('utf8')).toContain('Ticket backlog');
      }
    } finally {
      await wiring.close();
      db.close();
    }
  }, 180_000);

  it('a digest schedule sends a short body: headline tiles and the top 5 rows, no charts', async () => {
    const cfg = loadConfig({ db: env.cfg.db }, { ...env.env, SMTP_URL: smtp.url }, env.dir);
    const schedules = schedulesFile([scheduleEntry({ id: 'digest', reports: ['sales/pipeline', 'sales/ready-to-close', 'sales/closed-last-week'], format: 'html', layout: 'digest', subject: 'Sales digest {date}' })], { team: { recipients: ['d@x.test'] } });
    const db = openDb(cfg.db);
    const wiring = await createDeliveryDeps(cfg, captureIO(env.env, env.dir), { schedules, db, clock: { now: () => NOW } });
    try {
      const before = smtp.received.length;
      const outcome = await runScheduleNow(wiring.deps, only(schedules));
      expect(outcome.state).toBe('sent');
      const m = smtp.received.slice(before).find((x) => x.to[0] === 'd@x.test')!;
      const root = parseMime(m.raw.replace(/\r?\n/g, '\r\n'));
      expect(walk(root).filter((p) => p.contentType === 'image/png')).toEqual([]);
      const text = decodeBody(walk(root).find((p) => p.contentType === 'text/plain')!).toString('utf8');
      for (const shown of text.matchAll(/Top (\d+) of (\d+) rows/g)) expect(Number(shown[1])).toBeLessThanOrEqual(5);
      expect(text).toContain('Sales pipeline by stage');
      // A plain story of the week opens the digest, before the first report: each report's figures in words.
      const story = text.split('\n').find((l) => l.startsWith('The week in brief: '));
      expect(story).toMatch(/Sales pipeline by stage: open deals \d+, pipeline value /);
      expect(text.indexOf('The week in brief: ')).toBeLessThan(text.indexOf('== '));
      // The full report is still attached, as a PDF: never as an HTML file, which mail gateways quarantine.
      const attached = walk(root).filter((p) => /attachment/i.test(p.headers.get('content-disposition') ?? ''));
      expect(attached.map((p) => p.contentType)).toEqual(['application/pdf']);
    } finally {
      await wiring.close();
      db.close();
    }
  }, 180_000);
  it('a settings edit reaches the next computation (the daemon calls useSettings); render/autotask/paths changes are named as needing a restart', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(env.dir, 'settings-reload.json');
    fs.writeFileSync(file, JSON.stringify({ settings: { backlogDays: 14 } }));
    const e = { ...env.env };
    const cfg = loadConfig({ db: env.cfg.db, config: file }, e, env.dir);
    const db = openDb(cfg.db);
    const wiring = await createDeliveryDeps(cfg, captureIO(e, env.dir), { schedules: schedulesFile([scheduleEntry()]), db, clock: { now: () => NOW } });
    try {
      const over = async () => {
        const [r] = await wiring.deps.computer.compute(['intake/backlog'], { asOf: NOW, timezone: 'UTC', signal: new AbortController().signal });
        if (!r!.ok) throw r!.error;
        return { over: r!.value.metrics.over_threshold, open: r!.value.metrics.open_tickets };
      };
      const before = await over();
      fs.writeFileSync(file, JSON.stringify({ settings: { backlogDays: 0.5 }, render: { paper: 'Letter' } }));
      const needRestart = wiring.useSettings(loadConfig({ db: env.cfg.db, config: file }, e, env.dir));
      expect(needRestart).toEqual(['render']);
      const after = await over();
      // With a half-day threshold more of the open backlog is over it.
      expect(after.open).toBe(before.open);
      expect(after.over).toBeGreaterThan(before.over as number);
    } finally {
      await wiring.close();
      db.close();
    }
  }, 60_000);

  it('an edited mspName applies from the next run (not only after a restart), and the daemon is not told to restart for it', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(env.dir, 'settings-name.json');
    fs.writeFileSync(file, JSON.stringify({ settings: { mspName: 'Old Name IT' } }));
    const outbox = path.join(env.dir, 'outbox-name');
    const e = { ...env.env, PSA_REPORTS_OUTBOX: outbox };
    const cfg = loadConfig({ db: env.cfg.db, config: file }, e, env.dir);
    const db = openDb(cfg.db);
    const schedules = schedulesFile([scheduleEntry({ id: 'named', reports: ['intake/backlog'], format: 'pdf' })], { team: { recipients: ['n@x.test'] } });
    const wiring = await createDeliveryDeps(cfg, captureIO(e, env.dir), { schedules, db, clock: { now: () => NOW } });
    try {
      fs.writeFileSync(file, JSON.stringify({ settings: { mspName: 'Bright Harbour IT' } }));
      expect(wiring.useSettings(loadConfig({ db: env.cfg.db, config: file }, e, env.dir))).toEqual([]);
      const outcome = await runScheduleNow(wiring.deps, only(schedules));
      expect(outcome.state).toBe('sent');
      const eml = fs.readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      expect(eml).toHaveLength(1);
      const root = parseMime(fs.readFileSync(path.join(outbox, eml[0]!), 'utf8').replace(/\r?\n/g, '\r\n'));
      const text = decodeBody(walk(root).find((p) => p.contentType === 'text/plain')!).toString('utf8');
      expect(text).toContain('Bright Harbour IT');
      expect(text).not.toContain('Old Name IT');
    } finally {
      await wiring.close();
      db.close();
    }
  }, 120_000);
});
