import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { loadSchedules } from '../../src/delivery/schedules.js';
import { captureIO } from './io.js';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-init-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('psa-reports init', () => {
  it('writes settings, schedules and the secrets example that check accepts, and says what to do next', async () => {
    const io = captureIO(dir);
    const code = await main(['init', '--dir', 'conf', '--email', 'ops@msp.example', '--email', 'Boss@MSP.example', '--timezone', 'Europe/Berlin', '--locale', 'de-DE', '--msp-name', 'Acme IT'], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const conf = path.join(dir, 'conf');
    const cfg = loadConfig({ config: path.join(conf, 'settings.json') }, {}, dir);
    expect(cfg.settings).toMatchObject({ timezone: 'Europe/Berlin', locale: 'de-DE', currency: 'EUR', mspName: 'Acme IT' });
    const raw = JSON.parse(fs.readFileSync(path.join(conf, 'settings.json'), 'utf8'));
    for (const section of ['settings', 'autotask', 'render', 'paths']) expect(raw[section].$comment, section).toMatch(/\w/);
    expect(raw.render.paper).toBe('A4');
    const s = loadSchedules(path.join(conf, 'schedules.json'));
    expect(s.owner).toBe('ops@msp.example');
    expect(s.roles.managers!.recipients).toEqual(['ops@msp.example', 'Boss@MSP.example']);
    expect(s.schedules.every((x) => x.timezone === 'Europe/Berlin')).toBe(true);
    const env = fs.readFileSync(path.join(conf, 'psa-reports.env.example'), 'utf8');
    expect(env).toMatch(/^AUTOTASK_SECRET=$/m);
    expect(env).toMatch(/^MAIL_FROM=psa-reports <reports@msp\.example>$/m);
    expect(env).toContain('chmod 600');
    expect(io.stdout()).toContain('Next:');
    expect(io.stdout()).toContain('psa-reports check --config conf/settings.json --schedules conf/schedules.json --online');
    // What it wrote passes check.
    const chk = captureIO(dir);
    expect(await main(['check', '--config', 'conf/settings.json', '--schedules', 'conf/schedules.json'], chk)).toBe(0);
  });

  it('defaults the zone and locale to the machine\'s, not UTC by decree', async () => {
    const io = captureIO(dir);
    expect(await main(['init', '--email', 'ops@msp.example'], io)).toBe(0);
    const cfg = loadConfig({ config: 'settings.json' }, {}, dir);
    expect(cfg.settings.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('never overwrites: names the existing files and writes nothing, unless --force', async () => {
    fs.writeFileSync(path.join(dir, 'schedules.json'), '{"mine": true}');
    const io = captureIO(dir);
    expect(await main(['init', '--email', 'ops@msp.example'], io)).toBe(2);
    expect(io.stderr()).toContain(`not overwriting ${path.join(dir, 'schedules.json')}`);
    expect(io.stderr()).toContain('--force');
    expect(fs.existsSync(path.join(dir, 'settings.json'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'schedules.json'), 'utf8')).toBe('{"mine": true}');
    expect(await main(['init', '--email', 'ops@msp.example', '--force'], captureIO(dir))).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'schedules.json'), 'utf8')).toContain('service-kpis-weekly');
  });

  it('refuses a bad flag naming it and what is allowed', async () => {
    const noMail = captureIO(dir);
    expect(await main(['init'], noMail)).toBe(2);
    expect(noMail.stderr()).toContain('--email is required');
    const badZone = captureIO(dir);
    expect(await main(['init', '--email', 'a@b.example', '--timezone', 'Mars/Base'], badZone)).toBe(2);
    expect(badZone.stderr()).toContain('--timezone: an IANA time zone name');
    const badCur = captureIO(dir);
    expect(await main(['init', '--email', 'a@b.example', '--currency', 'euro'], badCur)).toBe(2);
    expect(badCur.stderr()).toContain('--currency: an ISO 4217 currency code');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('the shipped settings.example.json loads', () => {
    const root = path.resolve(__dirname, '../..');
    const cfg = loadConfig({ config: path.join(root, 'settings.example.json') }, {}, root);
    expect(cfg.settings.timezone).toBe('America/New_York');
  });
});
