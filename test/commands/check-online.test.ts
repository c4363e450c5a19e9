import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { ENTITY_PERMISSION, EVIDENCE, NON_BILLABLE_PERMISSION, groupsByEntity } from '../../src/commands/check-online.js';
import { ENTITIES } from '../../src/autotask/entities.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { simEnv } from '../helpers/synced.js';
import { captureIO } from './io.js';

/**
 * `check --online` against a simulated API user whose security level withholds some entities: refused
 * (403, or Autotask's 500 "adequate permissions") or answered empty. Each is named with the report groups
 * that need it and the setting to grant; the simulator plays the locked-down user (`faults.denied`).
 */

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7, scale: 'tiny', now: Date.parse('2026-03-02T12:00:00Z') });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-check-online-'));
}, 60_000);
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => sim.setFaults({}));

async function checkOnline() {
  const io = captureIO(dir, simEnv(sim));
  const code = await main(['check', '--online'], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const groups = groupsByEntity();
const needed = (name: string) => `needed by ${groups.get(name)!.join(', ')}`;

describe('check --online: what the API user may not read', () => {
  it('every entity the sync reads is tried: all readable on a full security level', async () => {
    const r = await checkOnline();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`ok  autotask: the API user may read all ${ENTITIES.length} entities the sync reads`);
    expect(sim.stats().byEndpoint).toEqual(expect.objectContaining(Object.fromEntries(ENTITIES.map((e) => [e.name, expect.any(Number)]))));
  });

  it('refused with 403, or with 500 "adequate permissions": one line per entity with its groups and the permission', async () => {
    for (const deniedAs of [403, 500] as const) {
      sim.setFaults({ denied: ['Contracts', 'ServiceCalls', 'Opportunities', 'ExpenseReports'], deniedAs });
      const r = await checkOnline();
      expect(r.code, String(deniedAs)).toBe(2);
      for (const name of ['Contracts', 'ServiceCalls', 'Opportunities']) {
        expect(r.err).toContain(`environment: autotask: ${name}: the API user may not read it (${needed(name)}); grant its security level ${ENTITY_PERMISSION[name]}`);
      }
      // An optional entity is a note: the sync skips it and says so.
      expect(r.out).toContain(`--  autotask: ExpenseReports: the API user may not read it (${needed('ExpenseReports')}); grant its security level ${ENTITY_PERMISSION.ExpenseReports} (optional: the sync skips it with a note)`);
      expect(r.err).not.toContain('ExpenseReports');
      expect(r.out).not.toContain('may read all');
      // Entities not withheld are not named.
      expect(r.err).not.toMatch(/Tickets|TimeEntries|Companies/);
    }
  });

  it('an entity only schedules read (their recipients by department) says so, not "no report reads it"', async () => {
    sim.setFaults({ denied: ['Departments', 'HolidaySets'], deniedAs: 403 });
    const r = await checkOnline();
    expect(r.out).toContain(`--  autotask: Departments: the API user may not read it (needed by schedules whose recipients are chosen by Autotask department); grant its security level ${ENTITY_PERMISSION.Departments}`);
    // Synced, but read by nothing yet.
    expect(r.out).toMatch(/--  autotask: HolidaySets: the API user may not read it \(no report reads it\)/);
  });

  it('answered empty (a restricted security level): named when other entities prove rows exist', async () => {
    sim.setFaults({ denied: ['Contracts', 'Tasks', 'ServiceCalls', 'BillingItems'], deniedAs: 'empty' });
    const r = await checkOnline();
    expect(r.code).toBe(2);
    const line = (name: string, by: string) =>
      new RegExp(`environment: autotask: ${name}: 0 records readable, but [1-9]\\d* ${by} record\\(s\\) name one \\(${needed(name).replace(/[()]/g, '\\$&')}\\): the API user's security level withholds them \\(Autotask answers empty, not an error\\); grant ${ENTITY_PERMISSION[name]!.replace(/[()]/g, '\\$&')}`);
    expect(r.err).toMatch(line('Contracts', 'Tickets'));
    expect(r.err).toMatch(line('Tasks', 'TimeEntries'));
    expect(r.err).toMatch(line('ServiceCalls', 'ServiceCallTickets'));
    expect(r.err).toMatch(line('BillingItems', 'TimeEntries'));
    expect(r.out).not.toContain('may read all');
  });

  it('an empty entity nothing refers to is not blamed', async () => {
    // Deletion logs are empty on a tenant that deleted nothing; no other entity names their records.
    sim.setFaults({ denied: ['DeletedTicketLogs', 'CompanyToDos'], deniedAs: 'empty' });
    const r = await checkOnline();
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('non-billable time withheld: a warning naming the setting', async () => {
    const hiding = await startSimulator({ port: 0, seed: 7, scale: 'tiny', now: Date.parse('2026-03-02T12:00:00Z'), hideNonBillableTimeEntries: true });
    try {
      const io = captureIO(dir, simEnv(hiding));
      expect(await main(['check', '--online'], io)).toBe(0);
      expect(io.stdout()).toMatch(new RegExp(`!!  autotask: TimeEntries: none of the [1-9]\\d* readable time entries is non-billable \\(${needed('TimeEntries')}\\): an API user without ${NON_BILLABLE_PERMISSION.replace(/[()]/g, '\\$&')} is shown billable time only`));
    } finally {
      await hiding.close();
    }
    // The full security level sees non-billable time: no warning.
    expect((await checkOnline()).out).not.toContain('non-billable');
  });

  it('evidence names only catalogue entities and fields (a typo would silently never prove anything)', () => {
    for (const [name, evs] of Object.entries(EVIDENCE)) {
      expect(ENTITIES.some((e) => e.name === name), name).toBe(true);
      for (const ev of evs) {
        const def = ENTITIES.find((e) => e.name === ev.entity);
        expect(def, `${name} ← ${ev.entity}`).toBeDefined();
        expect(def!.fields.map((f) => f.name), `${name} ← ${ev.entity}.${ev.field}`).toContain(ev.field);
      }
    }
  });
});

describe('the README permission table', () => {
  it('lists, per row, exactly the report groups that need its entities (the derivation check --online prints)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('**The API user\'s permissions.**'), readme.indexOf('## Reliability'));
    const all = [...new Set([...groups.values()].flat())].sort();
    const rows = table.split('\n').filter((l) => /^\| [^-]/.test(l) && !l.startsWith('| security level area'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const [, , entities, needs] = row.split('|').map((c) => c.trim());
      const names = entities!.split(',').map((n) => n.trim());
      const want = [...new Set(names.flatMap((n) => groups.get(n) ?? []))].sort();
      // "all …" / "every group …" stand for every group; otherwise the group names before any parenthesis.
      const listed = /^(all|every group)\b/.test(needs!) ? all : all.filter((g) => new RegExp(`(^|[ ,])${g}([ ,]|$)`).test(needs!.split('(')[0]!.trim()));
      expect(listed, row).toEqual(want);
    }
  });
});
