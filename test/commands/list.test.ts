import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { main } from '../../src/cli.js';
import { captureIO } from './io.js';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-list-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const SCHEDULES = {
  owner: 'ops@msp.example',
  roles: {
    managers: { recipients: ['boss@msp.example', { autotask: { role: 'Service Manager' } }], except: ['intern@msp.example'] },
    techs: { recipients: [{ address: 'ada@msp.example', resourceId: 12 }] },
  },
  schedules: [
    { id: 'weekly-intake', cron: '0 7 * * 1', timezone: 'Europe/London', reports: ['intake'], format: 'pdf', roles: ['managers'], subject: 'Intake {period}' },
    { id: 'daily-backlog', cron: '30 8 * * 1-5', timezone: 'America/New_York', reports: ['intake/backlog'], format: 'html', roles: ['techs'], subject: 'Backlog', burst: 'technician', enabled: false },
  ],
};

describe('psa-reports list', () => {
  it('--describe prints each report\'s definition and its metric names', async () => {
    const io = captureIO(dir);
    expect(await main(['list', 'reports', '--describe'], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain('metrics: first_response_met_pct, first_response_measured');
    expect(out.replace(/\s+/g, ' ')).toContain(REPORTS['intake/backlog'].description.split(/\s+/).slice(0, 6).join(' '));
  });

  it('lists every report grouped, one line each with id, window and title', async () => {
    const io = captureIO(dir);
    expect(await main(['list', 'reports'], io)).toBe(0);
    const lines = io.stdout().split('\n');
    expect(lines).toContain('intake');
    const backlog = lines.find((l) => l.trim().startsWith('intake/backlog '))!;
    expect(backlog).toMatch(/^ {2}intake\/backlog\s+point-in-time\s+Ticket backlog$/);
    expect(lines.find((l) => l.includes('intake/sla-performance'))).toMatch(/previous-week\s+SLA performance$/);
    // Every registered report appears exactly once, under its group's heading.
    for (const id of Object.keys(REPORTS)) expect(lines.filter((l) => l.trim().split(/\s+/)[0] === id)).toHaveLength(1);
    const intakeAt = lines.indexOf('intake');
    expect(lines.slice(intakeAt + 1, intakeAt + 1 + Object.keys(REPORTS).filter((k) => k.startsWith('intake/')).length).every((l) => l.startsWith('  intake/'))).toBe(true);
    // No argument: reports.
    const io2 = captureIO(dir);
    expect(await main(['list'], io2)).toBe(0);
    expect(io2.stdout()).toBe(io.stdout());
  });

  it('lists groups with their report counts', async () => {
    const io = captureIO(dir);
    expect(await main(['list', 'groups'], io)).toBe(0);
    const n = Object.keys(REPORTS).filter((k) => k.startsWith('intake/')).length;
    expect(io.stdout().split('\n').find((l) => l.startsWith('intake '))).toMatch(new RegExp(`^intake\\s+${n} reports\\s+.*backlog`));
  });

  it('lists the entities of the catalogue with table and sync mode', async () => {
    const io = captureIO(dir);
    expect(await main(['list', 'entities'], io)).toBe(0);
    const lines = io.stdout().split('\n');
    expect(lines.find((l) => l.startsWith('Tickets '))).toMatch(/^Tickets\s+tickets\s+incremental by lastActivityDate\s+\d+ fields$/);
    expect(lines.find((l) => l.startsWith('Resources '))).toMatch(/full re-read/);
    expect(lines.find((l) => l.startsWith('DeletedTicketLogs '))).toMatch(/deletion log/);
  });

  it('lists schedules and roles of schedules.json', async () => {
    fs.writeFileSync(path.join(dir, 'schedules.json'), JSON.stringify(SCHEDULES));
    const io = captureIO(dir);
    expect(await main(['list', 'schedules'], io)).toBe(0);
    const lines = io.stdout().split('\n');
    expect(lines[0]).toMatch(/^weekly-intake\s+0 7 \* \* 1 Europe\/London\s+pdf\s+roles: managers\s+reports: intake$/);
    expect(lines[1]).toMatch(/^daily-backlog .*\(disabled\) burst by technician; reports: intake\/backlog$/);
    const io2 = captureIO(dir);
    expect(await main(['list', 'roles', '--schedules', 'schedules.json'], io2)).toBe(0);
    expect(io2.stdout()).toContain('managers  boss@msp.example, autotask(role=Service Manager) except intern@msp.example');
    expect(io2.stdout()).toContain('ada@msp.example (resource 12)');
  });

  it('exits 2 naming the allowed kinds for an unknown one, and the file for a missing schedules.json', async () => {
    const io = captureIO(dir);
    expect(await main(['list', 'widgets'], io)).toBe(2);
    expect(io.stderr()).toContain('Allowed: reports, groups, entities, schedules, roles');
    const io2 = captureIO(dir);
    expect(await main(['list', 'schedules'], io2)).toBe(2);
    expect(io2.stderr()).toContain(path.join(dir, 'schedules.json'));
  });
});
