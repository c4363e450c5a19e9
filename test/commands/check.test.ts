import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { main } from '../../src/cli.js';
import { captureIO } from './io.js';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-check-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, v: unknown) => fs.writeFileSync(path.join(dir, name), typeof v === 'string' ? v : JSON.stringify(v, null, 2));
const SCHEDULES = {
  owner: 'ops@msp.example',
  roles: { managers: { recipients: ['boss@msp.example'] } },
  schedules: [{ id: 'weekly-intake', cron: '0 7 * * 1', timezone: 'Europe/London', reports: ['intake', 'sales/pipeline'], format: 'pdf', roles: ['managers'], subject: 'Intake {period}' }],
};

describe('psa-reports check', () => {
  it('prints an ok line per valid part and exits 0', async () => {
    write('settings.json', { settings: { timezone: 'America/New_York', backlogDays: 21 } });
    write('schedules.json', SCHEDULES);
    const io = captureIO(dir);
    expect(await main(['check', '--config', 'settings.json'], io)).toBe(0);
    const lines = io.stdout().split('\n');
    expect(lines[0]).toBe(`ok  settings: ${path.join(dir, 'settings.json')}`);
    expect(lines[1]).toMatch(new RegExp(`^ok  reports: ${Object.keys(REPORTS).length} definitions, \\d+ SQL files$`));
    expect(lines[2]).toBe(`ok  schedules: 1 schedule(s), 1 role(s) in ${path.join(dir, 'schedules.json')}`);
    expect(io.stderr()).toBe('');
  });

  it('tells what this machine would use, never a secret: Autotask variables, mail, Chromium, the store', async () => {
    write('settings.json', { render: { chromiumPath: path.join(dir, 'no-chromium') } });
    const bare = captureIO(dir, {});
    expect(await main(['check', '--config', 'settings.json'], bare)).toBe(0);
    const a = bare.stdout();
    expect(a).toMatch(/!!  autotask: AUTOTASK_USERNAME, AUTOTASK_SECRET, AUTOTASK_INTEGRATION_CODE not set/);
    expect(a).toContain(`--  mail: no SMTP_URL, so messages are written as .eml files to ${path.join(dir, 'out/outbox')}`);
    expect(a).toContain(`!!  chromium: not found at ${path.join(dir, 'no-chromium')}`);
    expect(a).toContain(`!!  store: ${path.join(dir, 'psa-reports.db')} does not exist yet`);
    expect(fs.existsSync(path.join(dir, 'psa-reports.db'))).toBe(false); // check creates nothing

    // A store that has synced, real Chromium, SMTP with a password: the password is not printed.
    const { openDb } = await import('../../src/store/db.js');
    const db = openDb(path.join(dir, 'psa-reports.db'));
    db.prepare(`INSERT INTO sync_runs (started_at, finished_at, status, summary) VALUES (?, ?, 'ok', '{}')`).run(Date.now() - 7_200_000, Date.now() - 3_600_000);
    db.close();
    const env = {
      AUTOTASK_USERNAME: 'api@msp.example', AUTOTASK_SECRET: 'sekret-value-1', AUTOTASK_INTEGRATION_CODE: 'CODE',
      SMTP_URL: 'smtp://mailer:pa55word-x@mail.msp.example:587', MAIL_FROM: 'reports@msp.example', PUPPETEER_EXECUTABLE_PATH: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    };
    const io = captureIO(dir, env);
    expect(await main(['check'], io)).toBe(0);
    const b = io.stdout();
    expect(b).toContain('--  autotask: user api@msp.example, zone found through');
    expect(b).toMatch(/--  mail: SMTP smtp:\/\/mailer:\S*@mail\.msp\.example:587, from reports@msp\.example/);
    expect(b).toMatch(/--  chromium: \S+ \(PDFs\)/);
    expect(b).toMatch(/--  store: .*psa-reports\.db, last sync \S+ \(60 min ago\)/);
    expect(b + io.stderr()).not.toContain('pa55word-x');
    expect(b + io.stderr()).not.toContain('sekret-value-1');
  });

  it("shows the API budget used in the last hour from the store's ledger, and a store that predates it", async () => {
    const { openDb } = await import('../../src/store/db.js');
    const { storeLedger } = await import('../../src/store/request-ledger.js');
    const file = path.join(dir, 'psa-reports.db');
    const db = openDb(file);
    db.prepare(`INSERT INTO sync_runs (started_at, finished_at, status, summary) VALUES (?, ?, 'ok', '{}')`).run(Date.now() - 60_000, Date.now() - 60_000);
    const ledger = storeLedger(db);
    for (let i = 0; i < 1234; i++) ledger.take(Date.now() - 120_000, 5_000);
    ledger.take(Date.now() - 2 * 3_600_000, 5_000); // outside the hour
    ledger.noteThreshold({ at: Date.now() - 240_000, threshold: 10_000, tenantUsed: 3_100, ownUsed: 1_234 });
    db.close();
    const io = captureIO(dir);
    expect(await main(['check'], io)).toBe(0);
    expect(io.stdout()).toContain('--  API budget: 1,234 of 5,000 requests in the last hour (25 %, autotask.budgetShare 0.5); the Autotask database was at 3,100 of 10,000 (1,866 by other integrations) 4 min ago');

    // A store last opened by a version without the ledger: check opens it read-only and says so.
    const old = openDb(file);
    old.exec("DROP TABLE api_requests; DELETE FROM schema_migrations WHERE version = 14; DELETE FROM meta WHERE key = 'autotask.threshold'");
    old.close();
    const io2 = captureIO(dir);
    expect(await main(['check'], io2)).toBe(0);
    expect(io2.stdout()).toContain('--  API budget: no requests recorded yet (the next sync records them)');
  });

  it('notes a missing default schedules.json without failing', async () => {
    const io = captureIO(dir);
    expect(await main(['check'], io)).toBe(0);
    expect(io.stdout()).toContain('ok  settings: built-in defaults');
    expect(io.stdout()).toContain(`--  schedules: none at ${path.join(dir, 'schedules.json')}`);
  });

  it('reports every problem of settings and schedules together, with file, path and what is allowed; exit 2', async () => {
    write('settings.json', { settings: { timezone: 'Mars/Olympus', targetUtilization: 2 } });
    write('sched.json', {
      ...SCHEDULES,
      schedules: [
        { ...SCHEDULES.schedules[0], cron: '61 7 * * 1' },
        { ...SCHEDULES.schedules[0], id: 'other', reports: ['intake/nope'] },
      ],
    });
    const io = captureIO(dir);
    expect(await main(['check', '--config', 'settings.json', '--schedules', 'sched.json'], io)).toBe(2);
    const err = io.stderr();
    const settingsFile = path.join(dir, 'settings.json');
    expect(err).toContain(`${settingsFile}: settings.timezone: an IANA time zone name`);
    expect(err).toContain(`${settingsFile}: settings.targetUtilization:`);
    // The schedules are still checked when the settings are not, and their problems named by path.
    expect(err).toMatch(new RegExp(`${path.join(dir, 'sched.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: schedules\\[0\\]\\.cron: `));
    expect(io.stdout()).toMatch(/^ok {2}reports: /m);
    expect(io.stdout()).not.toContain('ok  settings');
    expect(err).toContain('check: 2 part(s) invalid');
  });

  it('does not hide unknown roles and reports while the schedules file has other errors', async () => {
    write('sched.json', { ...SCHEDULES, schedules: [{ ...SCHEDULES.schedules[0], cron: '61 7 * * 1', roles: ['nobody'], reports: ['intake/nope'], deadline: '30d' }] });
    const io = captureIO(dir);
    expect(await main(['check', '--schedules', 'sched.json'], io)).toBe(2);
    const err = io.stderr();
    const f = path.join(dir, 'sched.json');
    expect(err).toContain(`${f}: schedules[0].cron: `);
    expect(err).toContain(`${f}: schedules[0].deadline: at most 24h`);
    expect(err).toContain(`${f}: schedules[0].roles[0]: unknown role "nobody"`);
    expect(err).toContain(`${f}: schedules[0].reports[0]: unknown report "intake/nope"`);
  });

  it('names an unknown report of a schedule and an explicitly given schedules file that is missing', async () => {
    write('sched.json', { ...SCHEDULES, schedules: [{ ...SCHEDULES.schedules[0], reports: ['intake/nope'] }] });
    const io = captureIO(dir);
    expect(await main(['check', '--schedules', 'sched.json'], io)).toBe(2);
    expect(io.stderr()).toContain(`${path.join(dir, 'sched.json')}: schedules[0].reports[0]: unknown report "intake/nope"; known groups:`);
    const io2 = captureIO(dir, { PSA_REPORTS_SCHEDULES: 'missing.json' });
    expect(await main(['check'], io2)).toBe(2);
    expect(io2.stderr()).toContain(`${path.join(dir, 'missing.json')}: cannot read the file`);
  });

  it('reports malformed JSON with the file name', async () => {
    write('schedules.json', '{ "owner": ');
    const io = captureIO(dir);
    expect(await main(['check'], io)).toBe(2);
    expect(io.stderr()).toContain(`${path.join(dir, 'schedules.json')}: not valid JSON`);
  });
});

describe('checkReports', () => {
  it('returns every invalid definition and every SQL file that does not compile, with file paths', async () => {
    const { checkReports } = await import('../../src/commands/check.js');
    const { defaultSettings } = await import('../../src/config.js');
    fs.mkdirSync(path.join(dir, 'g'));
    write('g/good.sql', "SELECT t.id FROM tickets t JOIN ticket_wf w ON w.ticket_id = t.id WHERE pl('Tickets', 'status', t.status) IN (SELECT value FROM json_each(:completeStatuses)) AND t.createDate >= :from");
    write('g/bad.sql', 'SELECT t.nonexistentColumn FROM tickets t');
    write('g/bad.part.sql', 'SELEC 1');
    const r = checkReports({
      'g/good': REPORTS['intake/backlog'],
      'g/bad': { title: '', description: 'd', window: 'fortnight', metrics: {}, columns: [], compute: () => ({}) },
    }, dir, defaultSettings());
    expect(r.reports.map((x) => x.id)).toEqual(['g/good']);
    expect(r.sqlFiles).toBe(3);
    expect(r.errors).toContain('reports/g/bad.ts: title: Too small: expected string to have >=1 characters');
    expect(r.errors.some((e) => e.startsWith('reports/g/bad.ts: window:'))).toBe(true);
    expect(r.errors.some((e) => e.startsWith('reports/g/bad.ts: metrics:'))).toBe(true);
    expect(r.errors.some((e) => e.startsWith('reports/g/bad.sql: no such column: t.nonexistentColumn'))).toBe(true);
    expect(r.errors.some((e) => e.startsWith('reports/g/bad.part.sql: near "SELEC"'))).toBe(true);
    expect(r.errors.some((e) => e.includes('good'))).toBe(false);
  });
});
