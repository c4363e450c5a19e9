import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { Database } from '../../src/store/sqlite.js';
import { startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { captureIO, syncedStore } from '../helpers/synced.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
let smtp: TestSmtp;
let schedules: string;
beforeAll(async () => {
  env = await syncedStore({ scale: 'tiny', seed: 4, now: NOW });
  smtp = await startSmtp();
  schedules = path.join(env.dir, 'schedules.json');
  fs.writeFileSync(schedules, JSON.stringify({
    owner: 'ops@msp.test',
    roles: { managers: { recipients: ['a@msp.test', 'b@msp.test'] } },
    schedules: [{ id: 'backlog-daily', cron: '0 8 * * *', timezone: 'UTC', reports: ['intake/backlog'], format: 'pdf', roles: ['managers'], subject: 'Backlog {date}', catchUp: 'skip', freshness: '1d' }],
  }));
}, 120_000);
afterAll(async () => { await smtp?.close(); await env?.cleanup(); });

/** Rows of every table of the store. */
const rowCounts = (): Record<string, number> => {
  const db = new Database(env.cfg.db, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get() as number]));
  } finally {
    db.close();
  }
};

const run = async (...argv: string[]) => {
  const io = captureIO({ ...env.env, SMTP_URL: smtp.url }, env.dir);
  const code = await main([...argv, '--db', env.cfg.db, '--schedules', schedules], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
};

describe('psa-reports run <schedule>', () => {
  it('--dry-run renders every message to a folder and sends nothing; --send delivers once per recipient and history shows it', async () => {
    const before = rowCounts();
    const dry = await run('run', 'backlog-daily', '--dry-run');
    expect(dry.code).toBe(0);
    // A dry run writes nothing to the store: no run, no delivery, no report snapshot.
    expect(rowCounts()).toEqual(before);
    expect(dry.out).toMatch(/backlog-daily: dry run rendered; 2 message\(s\) written to (.+), nothing sent/);
    const folder = /written to (.+), nothing sent/.exec(dry.out)![1]!;
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.eml'))).toHaveLength(2);
    expect(smtp.received).toHaveLength(0);

    const sent = await run('run', 'backlog-daily', '--send');
    expect(sent.code).toBe(0);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['a@msp.test', 'b@msp.test']);
    const hist = await run('history');
    expect(hist.code).toBe(0);
    expect(hist.out).toMatch(/SENT\s+backlog-daily/);
    expect(hist.out).not.toMatch(/dry/i); // the dry run left the ledger alone
  }, 120_000);

  it('--recipient sends a test copy to that address only, with [Test] in the subject', async () => {
    const before = smtp.received.length;
    const r = await run('run', 'backlog-daily', '--send', '--recipient', 'me@msp.test');
    expect(r.code).toBe(0);
    const mine = smtp.received.slice(before);
    expect(mine.map((m) => m.to[0])).toEqual(['me@msp.test']);
    expect(mine[0]!.subject).toMatch(/^\[Test\] Backlog /);
    const bad = await run('run', 'backlog-daily', '--send', '--recipient', 'not-an-address');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--recipient: "not-an-address" is not an e-mail address/);
    const lone = await run('run', 'intake/backlog', '--recipient', 'me@msp.test');
    expect(lone.code).toBe(2);
    expect(lone.err).toMatch(/--recipient goes with a schedule id and --send or --dry-run/);
    expect(smtp.received.length).toBe(before + 1);
  }, 120_000);

  it('an unknown schedule id exits 2 and lists the allowed ones', async () => {
    const r = await run('run', 'nope', '--send');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no schedule with id "nope"\. Allowed: backlog-daily/);
  });

  it('a Chromium path that exists but cannot be started fails the run with the reason, tells the owner, and does not end the process', async () => {
    const fake = path.join(env.dir, 'chromium-not-executable');
    fs.writeFileSync(fake, 'not a program\n', { mode: 0o644 });
    fs.chmodSync(fake, 0o644);
    const settings = path.join(env.dir, 'settings-bad-chromium.json');
    fs.writeFileSync(settings, JSON.stringify({ render: { chromiumPath: fake } }));
    const before = smtp.received.length;
    for (const attempt of [1, 2]) {
      const r = await run('run', 'backlog-daily', '--send', '--config', settings);
      expect(r.code, `attempt ${attempt}: ${r.err}`).toBe(1);
      expect(r.out).toMatch(/backlog-daily: run \d+ failed \(.*Chromium could not be started from .*chromium-not-executable: it is not executable/);
    }
    const hist = await run('history', '--failed', '--limit', '2');
    expect(hist.out).toMatch(/FAILED\s+backlog-daily/);
    expect(hist.out).toContain(`Chromium could not be started from ${fake}: it is not executable`);
    expect(hist.out).toContain('set render.chromiumPath in the settings file (or PUPPETEER_EXECUTABLE_PATH)');
    expect(hist.out).not.toMatch(/WORKING/);
    // The owner heard of each failure; nobody got a report.
    const mine = smtp.received.slice(before);
    expect(mine.map((m) => m.to[0])).toEqual(['ops@msp.test', 'ops@msp.test']);
  }, 120_000);

  it('a Chromium that never answers: the run fails at its deadline and the process exits, the browser killed (no lingering)', async () => {
    const fakeDir = fs.mkdtempSync(path.join(env.dir, 'hung-'));
    const fake = path.join(fakeDir, 'chromium');
    fs.writeFileSync(fake, `#!/bin/sh\necho $$ > ${fakeDir}/pid\nexec sleep 600\n`, { mode: 0o755 });
    const settings = path.join(fakeDir, 'settings.json');
    fs.writeFileSync(settings, JSON.stringify({ render: { chromiumPath: fake } }));
    const sched = path.join(fakeDir, 'schedules.json');
    fs.writeFileSync(sched, JSON.stringify({
      owner: 'ops@msp.test',
      roles: { managers: { recipients: ['a@msp.test'] } },
      // A fresh enough store (no sync), so the deadline falls in the render.
      schedules: [{ id: 'hung-render', cron: '0 8 * * *', timezone: 'UTC', reports: ['intake/backlog'], format: 'pdf', roles: ['managers'], subject: 'B', freshness: '3650d', deadline: '4s' }],
    }));
    const root = path.resolve(__dirname, '../..');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUTOTASK_') && !k.startsWith('PSA_REPORTS_') && k !== 'SMTP_URL'));
    const child = spawn(path.join(root, 'node_modules/.bin/vite-node'), [path.join(root, 'test/sync/_cli.ts'), '--',
      'run', 'hung-render', '--send', '--db', env.cfg.db, '--schedules', sched, '--config', settings], {
      cwd: env.dir, env: { ...clean, ...env.env, SMTP_URL: smtp.url }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (out += b));
    try {
      // Before: the process stayed until puppeteer's protocol timeout (3 min) gave up on the launch.
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code, out).toBe(1);
      expect(out).toMatch(/hung-render: run \d+ failed/);
      const pid = Number(fs.readFileSync(path.join(fakeDir, 'pid'), 'utf8'));
      expect(() => process.kill(pid, 0)).toThrow(); // the never-answering "browser" is gone too
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
