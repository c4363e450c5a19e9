import fs from 'node:fs';
import path from 'node:path';
import { Database } from '../../src/store/sqlite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { main } from '../../src/cli.js';
import { captureIO } from '../helpers/synced.js';
import { crossStore } from './setup.js';
import { midnight } from './spec-time.js';
import { all, SPEC, SpecModel, type Expected, type StateRec } from './spec-impl.js';

/**
 * Cross-check: every metric of the intake and profitability reports, computed by `psa-reports run --format
 * json` over a store synced from the simulator through the real sync path, against an independent
 * implementation of kpi-spec.md (./spec-impl.ts) over the simulator's own tenant data, with edge-case
 * records and renumbered picklists (./setup.ts). Four as-of instants (a Thursday that is a US holiday, around
 * the New York DST change, the first of a month, and spring after the March/April DST changes) in UTC and
 * New York with default settings, and in Sydney with every setting these reports read moved off its default.
 */

const NOW = Date.parse('2026-11-26T12:00:00Z');
const AS_OF = ['2026-11-26T12:00:00Z', '2026-11-01T03:30:00Z', '2026-12-01T04:30:00Z', '2026-04-01T12:00:00Z'];
const ZONES = ['UTC', 'America/New_York'];
const IDS = Object.keys(SPEC);
/** Row key per report (rows are matched on it). */
const KEY: Record<string, string> = {
  'intake/workflow-distribution': 'workflow', 'intake/sla-performance': 'workflow', 'intake/service-delivery-forecast': 'week_start',
  'intake/project-availability-forecast': 'week_start', 'intake/backlog': 'ticket_id', 'intake/scheduled-no-future-call': 'ticket_id',
  'intake/on-hold-past-due': 'ticket_id', 'profitability/resource-utilization': 'resource_id', 'profitability/mttr': 'workflow',
  'profitability/rhem': 'company_id', 'profitability/labor-profitability': 'company_id',
};

/**
 * A zone east of UTC (DST from 2026-10-04) and every setting the eleven reports read moved off its default:
 * workflow rules on queue, source, sub-issue type, status, label lists in odd case, hasProject false.
 */
const CUSTOM = {
  timezone: 'Australia/Sydney',
  // Sunday hours that span Sydney's spring-forward night (2026-10-04 02:00 → 03:00) and New York's fall-back.
  businessHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '01:30', end: '18:00' },
  completeStatuses: ['Complete', 'customer note added'],
  completeTaskStatuses: ['Complete', ' on hold'],
  workflows: [
    { name: 'Escalated', queue: ['Tier 3', 'tier 2 '], reactive: true, backlog: true },
    { name: 'Projects', hasProject: true, backlog: false },
    { name: 'Phone incidents', ticketType: 'incident', source: ['Phone', 'Walk-in'], reactive: true, fcr: true },
    { name: 'Other incidents', ticketType: 'Incident', hasProject: false, reactive: true },
    { name: 'Password resets', subIssueType: 'password reset', fcr: true },
    { name: 'Waiting', status: ['Waiting Customer', 'waiting vendor'], backlog: false },
    { name: 'Service', ticketType: 'Service Request', priority: ['Low', 'Medium'] },
  ],
  forecastWeeks: 6, targetUtilization: 0.75, backlogDays: 7, defaultDailyHours: 7.5,
  onHoldStatuses: ['On Hold', 'waiting materials'], scheduledStatuses: ['Scheduled'],
  managedContractTypes: ['Recurring Service', 'block hours'], endpointTypes: ['Workstation', 'server', 'Network Device'],
  serviceRevenueItemTypes: ['Labor', 'Product'],
};

let env: Awaited<ReturnType<typeof crossStore>>;
let states: StateRec[];
beforeAll(async () => {
  env = await crossStore({ seed: 23, now: NOW, days: 3 });
  const db = new Database(env.cfg.db, { readonly: true });
  states = db.prepare('SELECT ticket_id, changed_at, status, completed_date FROM ticket_states ORDER BY ticket_id, changed_at, id').all() as StateRec[];
  db.close();
}, 60_000);
afterAll(async () => { await env?.cleanup(); });

function close(a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

/** Differences between ours (JSON output) and the spec's numbers, as readable lines. */
function compare(id: string, ours: { metrics: Record<string, unknown>; rows: Record<string, unknown>[] }, spec: Expected): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(spec.metrics)) if (!close(ours.metrics[k], v)) out.push(`${id} metric ${k}: ours ${ours.metrics[k]} spec ${v}`);
  const key = KEY[id]!;
  const mine = new Map(spec.rows.map((r) => [String(r[key]), r]));
  const theirs = new Map(ours.rows.map((r) => [String(r[key]), r]));
  for (const k of mine.keys()) if (!theirs.has(k)) out.push(`${id} row ${key}=${k}: missing from ours`);
  for (const k of theirs.keys()) if (!mine.has(k)) out.push(`${id} row ${key}=${k}: not in the spec's rows`);
  for (const [k, r] of mine) {
    const o = theirs.get(k);
    if (!o) continue;
    for (const [c, v] of Object.entries(r)) if (!close(o[c], v)) out.push(`${id} row ${key}=${k} ${c}: ours ${o[c]} spec ${v}`);
  }
  if (id === 'intake/backlog') {
    // Oldest first.
    const order = ours.rows.map((r) => String(r.ticket_id));
    if (order.join() !== spec.rows.map((r) => String(r.ticket_id)).join()) out.push(`${id} rows not oldest first`);
  }
  return out;
}

describe('cross-check of intake and profitability against kpi-spec', () => {
  it('the synced ticket state history ends, for every ticket, in the tenant\'s current state (kpi-spec §3)', () => {
    // The checker trusts ticket_states for completion events; this at least pins its last record per ticket.
    const db = new Database(env.cfg.db, { readonly: true });
    const last = new Map((db.prepare(`SELECT ticket_id, status, queue_id, assigned_resource_id, priority, completed_date, completed_by_resource_id
      FROM ticket_states s WHERE id = (SELECT MAX(id) FROM ticket_states WHERE ticket_id = s.ticket_id)`).all() as Record<string, number | null>[]).map((r) => [r.ticket_id, r]));
    db.close();
    const bad: string[] = [];
    for (const t of all(env.sim.tenant, 'Tickets')) {
      const r = last.get(t.id as number);
      const want = { status: t.status, queue_id: t.queueID, assigned_resource_id: t.assignedResourceID, priority: t.priority, completed_date: t.completedDate, completed_by_resource_id: t.completedByResourceID };
      if (!r) { bad.push(`ticket ${t.id}: no state record`); continue; }
      for (const [k, v] of Object.entries(want)) if ((r[k] ?? null) !== (v ?? null)) bad.push(`ticket ${t.id} ${k}: state ${r[k]} tenant ${v}`);
    }
    expect(bad).toEqual([]);
  });

  const cases: [string, Record<string, unknown>][] = [
    ...ZONES.map((tz): [string, Record<string, unknown>] => [tz, { timezone: tz }]),
    ['Australia/Sydney with non-default settings', CUSTOM],
  ];
  for (const [tz, settingsJson] of cases) {
    it(`agrees on every metric in ${tz}`, async () => {
      const cfgFile = path.join(env.dir, `settings-${tz.replace(/\W+/g, '-')}.json`);
      fs.writeFileSync(cfgFile, JSON.stringify({ settings: settingsJson }));
      const settings = loadConfig({ config: cfgFile, db: env.cfg.db }, env.env, env.dir).settings;
      const model = new SpecModel(env.sim.tenant, settings, states);
      const diffs: string[] = [];
      for (const asOf of AS_OF) {
        const io = captureIO(env.env, env.dir);
        const code = await main(['run', ...IDS, '--format', 'json', '--as-of', asOf, '--config', cfgFile, '--db', env.cfg.db], io);
        expect(io.stderr.join('\n')).not.toMatch(/error/i);
        expect(code).toBe(0);
        const results = JSON.parse(io.stdout.join('')) as { report: string; metrics: Record<string, unknown>; rows: Record<string, unknown>[] }[];
        for (const r of results) {
          // CROSSCHECK_DUMP=1 prints what was compared, to read the numbers behind a disagreement.
          if (process.env.CROSSCHECK_DUMP) console.log(tz, asOf, r.report, JSON.stringify(r.metrics), r.rows.length, JSON.stringify(r.rows[0]));
          // Agreement on all-zero or all-empty numbers would prove nothing: each report must have substance here.
          if (asOf === AS_OF[0]) expect(Object.values(r.metrics).some((x) => typeof x === 'number' && x !== 0), `${r.report} has a non-zero metric`).toBe(true);
          for (const d of compare(r.report, r, SPEC[r.report]!(model, Date.parse(asOf)))) diffs.push(`[${tz} ${asOf}] ${d}`);
        }
      }
      // --from/--to (dates at 00:00 in the zone) override the windows: an unaligned 36-day span across the
      // New York fall-back and the edge holiday of 2026-11-18, neither a week nor a month.
      const windowed = IDS.filter((id) => !['service-delivery-forecast', 'project-availability-forecast', 'backlog', 'scheduled-no-future-call', 'on-hold-past-due'].includes(id.split('/')[1]!));
      const io = captureIO(env.env, env.dir);
      expect(await main(['run', ...windowed, '--format', 'json', '--as-of', AS_OF[0]!, '--from', '2026-10-15', '--to', '2026-11-20', '--config', cfgFile, '--db', env.cfg.db], io)).toBe(0);
      const w = { from: midnight('2026-10-15', settings.timezone), to: midnight('2026-11-20', settings.timezone) };
      for (const r of JSON.parse(io.stdout.join('')) as { report: string; metrics: Record<string, unknown>; rows: Record<string, unknown>[] }[]) {
        for (const d of compare(r.report, r, SPEC[r.report]!(model, Date.parse(AS_OF[0]!), w))) diffs.push(`[${tz} --from/--to] ${d}`);
      }
      expect(diffs).toEqual([]);
    }, 30_000);
  }
});
