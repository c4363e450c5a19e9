import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { checkAutotask } from '../../src/commands/check-online.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { simHome, simEnv, type SimHome } from '../helpers/synced.js';
import { startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { captureIO } from './io.js';

/**
 * Each mistake that used to load without error and then do the wrong thing silently: check exits 2 and
 * names the file (or variable), the field and the fix.
 */

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-check2-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, v: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(v, null, 2));
const schedule = (over: Record<string, unknown> = {}) => ({ id: 'weekly', cron: '0 7 * * 1', timezone: 'Europe/London', reports: ['intake'], format: 'pdf', roles: ['managers'], subject: 'KPIs {period}', ...over });
const schedules = (over: Record<string, unknown> = {}, roles: Record<string, unknown> = { managers: { recipients: ['boss@msp.example'] } }) =>
  ({ owner: 'ops@msp.example', roles, schedules: [schedule(over)] });

async function check(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO(dir, env);
  const code = await main(['check', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('check: mistakes that passed silently', () => {
  it('a target key without its group: exit 2 with the closest valid key', async () => {
    write('settings.json', { settings: { targets: { 'sla-performance.first_response_met_pct': 95, 'intake/backlog.total_open': 10 } } });
    const r = await check(['--config', 'settings.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'settings.json')}: settings.targets."sla-performance.first_response_met_pct": no report has this metric, so the target would be ignored (did you mean "intake/sla-performance.first_response_met_pct"?)`);
    // A valid key is accepted.
    write('ok.json', { settings: { targets: { 'intake/sla-performance.first_response_met_pct': 95 } } });
    expect((await check(['--config', 'ok.json'])).code).toBe(0);
  });

  it('a subject placeholder typo: exit 2 listing the allowed placeholders', async () => {
    write('schedules.json', schedules({ subject: 'KPIs {periodd} for {name}' }));
    const r = await check(['--schedules', 'schedules.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'schedules.json')}: schedules[0].subject: unknown placeholder {periodd} would be sent as written (did you mean {period}?); allowed: {period} {date} {schedule} {name}`);
  });

  it('notes schedules whose zone differs from settings.timezone (run would compute elsewhere)', async () => {
    write('schedules.json', schedules());
    const r = await check(['--schedules', 'schedules.json']);
    expect(r.out).toContain('!!  zones: weekly run in Europe/London but settings.timezone is UTC (the default: no --config): psa-reports run computes in UTC');
    write('settings.json', { settings: { timezone: 'Europe/London' } });
    expect((await check(['--config', 'settings.json', '--schedules', 'schedules.json'])).out).not.toContain('zones:');
  });

  it('a role whose exceptions remove every address reaches nobody, even without a store', async () => {
    write('schedules.json', schedules({}, { managers: { recipients: ['boss@msp.example'], except: ['Boss@msp.example'] } }));
    const r = await check(['--schedules', 'schedules.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'schedules.json')}: roles.managers: reaches no address (its "except" list removes every recipient)`);
  });

  it('SMTP_URL that is not a URL, and MAIL_FROM left on localhost with a real server: exit 2 naming the variable', async () => {
    const bad = await check([], { SMTP_URL: 'smtp//bad' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('environment: SMTP_URL: not a URL; write smtp://user:password@host:587');
    const scheme = await check([], { SMTP_URL: 'http://mail.msp.example' });
    expect(scheme.err).toContain('environment: SMTP_URL: scheme "http" is not smtp or smtps');
    const local = await check([], { SMTP_URL: 'smtp://u:secret-pw@mail.msp.example:587' });
    expect(local.code).toBe(2);
    expect(local.err).toContain('environment: MAIL_FROM: "reports@localhost" (the default, MAIL_FROM is not set) is not on a real domain, and the server mail.msp.example will refuse or spam-file it; set MAIL_FROM=');
    expect(local.out + local.err).not.toContain('secret-pw');
    // A local relay takes a local sender; a real sender passes.
    expect((await check([], { SMTP_URL: 'smtp://127.0.0.1:25' })).code).toBe(0);
    expect((await check([], { SMTP_URL: 'smtp://mail.msp.example:587', MAIL_FROM: 'Reports <reports@msp.example>' })).code).toBe(0);
  });
});

describe('check against a synced store and online', () => {
  let home: SimHome;
  let smtp: TestSmtp;
  beforeAll(async () => {
    home = simHome(await startSimulator({ port: 0, seed: 7, scale: 'tiny', now: Date.parse('2026-03-02T12:00:00Z') }), 'psa-check-sim-');
    await home.sync();
    smtp = await startSmtp({ auth: { user: 'mailer', pass: 'smtp-pass-9' } });
  }, 120_000);
  afterAll(async () => {
    await smtp?.close();
    await home?.cleanup();
  });

  it('counts the people each Autotask selector reaches; a selector reaching nobody is exit 2 with the known names', async () => {
    write('schedules.json', schedules({}, {
      managers: { recipients: [{ autotask: { role: 'Helpdesk Technician' } }] },
      nobody: { recipients: [{ autotask: { role: 'Helpdesk Tech' } }] },
    }));
    const db = path.join(home.dir, 'store.db');
    const r = await check(['--schedules', 'schedules.json', '--db', db]);
    expect(r.out).toMatch(/--  role managers: [1-9]\d* address\(es\) \(\{"autotask": \{"role":"Helpdesk Technician"\}\}: [1-9]\d*\)/);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'schedules.json')}: roles.nobody.recipients: {"autotask": {"role":"Helpdesk Tech"}} reaches nobody: no role "Helpdesk Tech" in the store (did you mean "Helpdesk Technician"?); known: `);
    // Without the store the selectors cannot be judged: a note, not an error.
    const bare = await check(['--schedules', 'schedules.json']);
    expect(bare.code).toBe(0);
    expect(bare.out).toContain('--  role nobody: 1 Autotask selector(s), resolved at send time');
  });

  it('--online logs into SMTP and Autotask: budget use, every entity readable', async () => {
    const env = simEnv(home.sim, { SMTP_URL: smtp.url, MAIL_FROM: 'reports@msp.example' });
    const r = await check(['--online'], env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok {2}smtp: logged into 127\.0\.0\.1:\d+ as mailer \(no message sent\)/);
    expect(r.out).toMatch(/ok {2}autotask: logged in as \S+; \d+ of 10000 requests used in the current 60 min by all integrations \(\d+ %\); this program may use 50 %/);
    expect(r.out).toMatch(/ok {2}autotask: the API user may read all \d+ entities the sync reads/);
    expect(smtp.received).toHaveLength(0);
  });

  it('--online with a wrong Autotask secret and a wrong SMTP password: exit 2 naming each, no secret printed', async () => {
    const env = simEnv(home.sim, { AUTOTASK_SECRET: 'wrong-secret-1', SMTP_URL: smtp.url.replace('smtp-pass-9', 'bad-pass-2'), MAIL_FROM: 'reports@msp.example' });
    const r = await check(['--online'], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('environment: SMTP_URL: the server refused the login at 127.0.0.1:');
    expect(r.err).toContain('environment: autotask: Autotask rejected the credentials (HTTP 401');
    expect(r.err).toContain('AUTOTASK_SECRET');
    // One failed login, not one per entity: the entity reads are not tried.
    expect(r.err.match(/autotask:/g)).toHaveLength(1);
    expect(r.out + r.err).not.toMatch(/wrong-secret-1|bad-pass-2/);
  });

  it('--online names an entity the API user may not read, the reports needing it and the permission to grant', async () => {
    // The simulator grants every entity; a tenant's locked-down security level is played by refusing one
    // endpoint with Autotask's 403, everything else going to the simulator over HTTP.
    const denying: typeof fetch = async (input, init) => {
      const url = String(input);
      if (/\/Contracts\/query\/count/i.test(url)) return new Response(JSON.stringify({ errors: ['The logged in Resource does not have the adequate permissions to query this entity type.'] }), { status: 403 });
      return fetch(input, init);
    };
    const cfg = loadConfig({}, simEnv(home.sim), dir);
    const r = await checkAutotask(cfg, { fetch: denying });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^environment: autotask: Contracts: the API user may not read it \(needed by [a-z, -]*accounting[a-z, -]*\); grant its security level Contracts → Contracts: View All$/);
  });
});
