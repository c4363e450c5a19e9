import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { expandReports, loadSchedules, parseSchedules, schedulesJsonSchema } from '../../src/delivery/schedules.js';
import { resolveRecipients, resolveScheduleRecipients } from '../../src/delivery/recipients.js';
import { seedResources, tempStore } from './_helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Report ids of kpi-spec.md. */
const KPI_IDS = [
  'intake/workflow-distribution', 'intake/sla-performance', 'intake/service-delivery-forecast', 'intake/project-availability-forecast',
  'intake/backlog', 'intake/scheduled-no-future-call', 'intake/on-hold-past-due', 'intake/needs-intervention',
  'profitability/resource-utilization', 'profitability/mttr', 'profitability/rhem', 'profitability/labor-profitability',
  'tech-performance/real-time-time-entry', 'tech-performance/reopen-rate', 'tech-performance/escalation-rate', 'tech-performance/first-contact-resolution',
  'accounting/approve-and-post', 'accounting/expired-contracts', 'accounting/contract-renewals', 'accounting/contract-profitability',
  'accounting/commissions', 'accounting/expense-approvals', 'accounting/unbilled-expenses',
  'sales/pipeline', 'sales/ready-to-close', 'sales/stuck-in-stage', 'sales/closed-last-week', 'sales/account-activity', 'sales/todos', 'sales/appointments', 'sales/won-handoff',
];

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
}

const base = () => ({
  owner: 'ops@msp.example',
  roles: { team: { recipients: ['a@msp.example'] } },
  schedules: [{ id: 'weekly', cron: '0 7 * * mon', timezone: 'UTC', reports: ['intake'], format: 'pdf', roles: ['team'], subject: 'KPIs {period}' }],
});

describe('schedules.json', () => {
  it('the committed schedules.schema.json is the one generated from the zod schema', () => {
    const file = path.join(root, 'schedules.schema.json');
    // After changing the zod schema: UPDATE_SCHEMAS=1 npx vitest run test/delivery/schedules.test.ts
    if (process.env.UPDATE_SCHEMAS) fs.writeFileSync(file, `${JSON.stringify(schedulesJsonSchema(), null, 2)}\n`);
    const committed = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(committed, 'schedules.schema.json is stale: regenerate with UPDATE_SCHEMAS=1').toEqual(JSON.parse(JSON.stringify(schedulesJsonSchema())));
    // The DST behaviour is documented where people edit the file.
    expect(JSON.stringify(committed)).toContain('03:00 EDT');
  });

  it('the shipped default is valid and names only reports of kpi-spec.md', () => {
    const file = loadSchedules(path.join(root, 'schedules.json'), { reportIds: KPI_IDS });
    const byId = Object.fromEntries(file.schedules.map((s) => [s.id, s]));
    expect(byId['service-kpis-weekly']).toMatchObject({ cron: '0 7 * * mon', roles: ['service-managers'] });
    // intake, profitability and tech-performance: 16 reports with the dispatcher's list.
    expect(expandReports(byId['service-kpis-weekly']!.reports, KPI_IDS)).toHaveLength(16);
    // The dispatcher's list every business morning to the service leads; spreadsheets to accounting; the
    // won-deal hand-off weekly to sales and operations.
    expect(byId['dispatcher-daily']).toMatchObject({ cron: '30 7 * * mon-fri', reports: ['intake/needs-intervention'], roles: ['service-managers'] });
    expect(byId['commissions-monthly']).toMatchObject({ cron: '0 8 2 * *', reports: ['accounting/commissions'], format: 'xlsx', roles: ['accounting'] });
    expect(byId['expenses-weekly']).toMatchObject({ cron: '0 8 * * mon', reports: ['accounting/expense-approvals', 'accounting/unbilled-expenses'], format: 'xlsx', roles: ['accounting'] });
    expect(byId['won-handoff-weekly']).toMatchObject({ reports: ['sales/won-handoff'], roles: ['sales', 'operations'] });
    expect(byId['technician-scorecards-weekly']!.burst).toBe('technician');
    // The digest for everyone outside sales: the four deal-level reports, in reading order.
    expect(expandReports(byId['sales-pipeline-weekly']!.reports, KPI_IDS)).toEqual(['sales/pipeline', 'sales/ready-to-close', 'sales/stuck-in-stage', 'sales/closed-last-week']);
    // Every shipped report is in some default schedule (the sales team gets the whole group).
    const scheduled = new Set(file.schedules.flatMap((s) => expandReports(s.reports, KPI_IDS)));
    expect([...KPI_IDS].filter((id) => !scheduled.has(id))).toEqual([]);
    expect(byId['approve-and-post-daily']!.reports).toEqual(['accounting/approve-and-post']);
    for (const s of file.schedules) expect(s.owner).toBe('ops@msp.example');
  });

  it('defaults: catch-up skip, freshness 2h, deadline 10m, enabled', () => {
    const s = parseSchedules(base(), 'schedules.json').schedules[0]!;
    expect(s).toMatchObject({ catchUp: { kind: 'skip' }, freshnessMs: 7_200_000, deadlineMs: 600_000, enabled: true, burst: null, owner: 'ops@msp.example' });
  });

  it('errors name the file, the JSON path and the allowed values (exit 2)', () => {
    const bad = base() as Record<string, any>;
    bad.schedules[0].format = 'docx';
    bad.schedules[0].catchUp = 'everything';
    bad.schedules[0].timezone = 'Mars/Olympus';
    bad.schedules[0].cron = '0 25 * * *';
    bad.schedules[0].roles = ['team', 'board'];
    bad.schedules[0].freshness = 'two hours';
    const e = errorOf(() => parseSchedules(bad, '/etc/psa/schedules.json'));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('CONFIG');
    expect(e.exitCode).toBe(2);
    const lines = e.message.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\/etc\/psa\/schedules\.json: schedules\[0\]\.format: .*"pdf".*"html".*"both".*"csv".*"xlsx"/));
    expect(lines).toContainEqual(expect.stringMatching(/schedules\[0\]\.catchUp: one of "skip", "latest" or "all-within:<n>m\|h\|d"/));
    expect(lines).toContainEqual(expect.stringMatching(/schedules\[0\]\.timezone: an IANA time zone name/));
    expect(lines).toContainEqual(expect.stringMatching(/schedules\[0\]\.cron: hour field: 25 is outside 0–23/));
    expect(lines).toContainEqual(expect.stringMatching(/schedules\[0\]\.freshness: a duration/));
  });

  it('unknown roles, duplicate ids and unknown reports are reported with their paths', () => {
    const bad = base() as Record<string, any>;
    bad.schedules.push({ ...bad.schedules[0], roles: ['board'] });
    const e = errorOf(() => parseSchedules(bad, 'schedules.json'));
    expect(e.message).toMatch(/schedules\.json: schedules\[1\]\.id: duplicate schedule id "weekly"/);
    expect(e.message).toMatch(/schedules\.json: schedules\[1\]\.roles\[0\]: unknown role "board"; defined roles: team/);
    const unknown = base() as Record<string, any>;
    unknown.schedules[0].reports = ['intake', 'finance/cashflow'];
    const e2 = errorOf(() => parseSchedules(unknown, 'schedules.json', { reportIds: KPI_IDS }));
    expect(e2.message).toMatch(/schedules\.json: schedules\[0\]\.reports\[1\]: unknown report "finance\/cashflow"; known groups: intake, profitability/);
  });

  it('unknown roles and reports are reported together with the schema\'s problems, not after they are fixed', () => {
    const bad = base() as Record<string, any>;
    bad.schedules[0].format = 'docx';
    bad.schedules[0].roles = ['board'];
    bad.schedules[0].reports = ['finance/cashflow'];
    const lines = errorOf(() => parseSchedules(bad, 'schedules.json', { reportIds: KPI_IDS })).message.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^schedules\.json: schedules\[0\]\.format: /));
    expect(lines).toContainEqual('schedules.json: schedules[0].roles[0]: unknown role "board"; defined roles: team');
    expect(lines).toContainEqual(expect.stringMatching(/^schedules\.json: schedules\[0\]\.reports\[0\]: unknown report "finance\/cashflow"/));
  });

  it('a deadline longer than 24h is refused (a run timer cannot hold 25 days; no honest run needs a day)', () => {
    for (const deadline of ['25d', '30d', '2d', '1441m']) {
      const bad = base() as Record<string, any>;
      bad.schedules[0].deadline = deadline;
      const e = errorOf(() => parseSchedules(bad, 'schedules.json'));
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain('schedules.json: schedules[0].deadline: at most 24h');
    }
    const ok = base() as Record<string, any>;
    ok.schedules[0].deadline = '24h';
    expect(parseSchedules(ok, 'schedules.json').schedules[0]!.deadlineMs).toBe(86_400_000);
  });

  it('recipient entries that are neither an address nor a selector say what is allowed', () => {
    const bad = base() as Record<string, any>;
    bad.roles.team.recipients = ['not-an-address', { autotask: { title: 'Boss' } }];
    const e = errorOf(() => parseSchedules(bad, 'schedules.json'));
    expect(e.message).toMatch(/roles\.team\.recipients\[0\]: an e-mail address such as "ops@msp\.example"/);
    expect(e.message).toMatch(/roles\.team\.recipients\[1\]\.autotask: Unrecognized key: "title" \(allowed: role, department, securityLevel\)/);
    const typo = base() as Record<string, any>;
    typo.schedules[0].cronn = '0 7 * * *';
    expect(errorOf(() => parseSchedules(typo, 'schedules.json')).message).toMatch(/schedules\[0\]: Unrecognized key: "cronn" \(allowed: id, description, cron, timezone/);
  });

  it('a file that is not JSON names the file', () => {
    const store = tempStore();
    try {
      const f = path.join(store.dir, 'schedules.json');
      fs.writeFileSync(f, '{ "owner": ');
      expect(errorOf(() => loadSchedules(f)).message).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
    } finally {
      store.cleanup();
    }
  });
});

describe('roles resolve from addresses and Autotask resources', () => {
  let store: ReturnType<typeof tempStore>;
  beforeEach(() => {
    store = tempStore();
    seedResources(store.db, [
      { id: 1, first: 'Mia', last: 'Manager', email: 'mia@msp.example', role: 'Service Manager', department: 'Service Desk', level: 1 },
      { id: 2, first: 'Tom', last: 'Tech', email: 'tom@msp.example', role: 'Helpdesk Technician', department: 'Service Desk', level: 3 },
      { id: 3, first: 'Sue', last: 'Sales', email: 'sue@msp.example', role: 'Account Manager', department: 'Sales', level: 3 },
      { id: 4, first: 'Old', last: 'Timer', email: 'old@msp.example', role: 'Helpdesk Technician', department: 'Service Desk', active: false },
      { id: 5, first: 'No', last: 'Mail', email: null, role: 'Helpdesk Technician', department: 'Service Desk' },
      { id: 6, first: 'Fay', last: 'Field', email: 'FAY@msp.example', role: 'Field Technician', department: 'Service Desk' },
    ]);
  });
  afterEach(() => store.cleanup());

  it('by role (one or several), department, security level, with exceptions; inactive and address-less resources are left out', () => {
    const addr = (r: { address: string }[]) => r.map((x) => x.address);
    expect(addr(resolveRecipients(store.db, { recipients: [{ autotask: { role: 'helpdesk technician' } }] }))).toEqual(['tom@msp.example']);
    expect(addr(resolveRecipients(store.db, { recipients: [{ autotask: { role: ['Helpdesk Technician', 'Field Technician'] } }] }))).toEqual(['tom@msp.example', 'fay@msp.example']);
    expect(addr(resolveRecipients(store.db, { recipients: [{ autotask: { securityLevel: 1 } }] }))).toEqual(['mia@msp.example']);
    expect(addr(resolveRecipients(store.db, { recipients: [{ autotask: {} }], except: [{ autotask: { department: 'Sales' } }] }))).toEqual(['mia@msp.example', 'tom@msp.example', 'fay@msp.example']);
    const mixed = resolveRecipients(store.db, { recipients: ['Tom@MSP.example', 'boss@msp.example', { autotask: { department: 'Service Desk' } }] });
    expect(mixed).toEqual([
      { address: 'tom@msp.example', name: 'Tom Tech', resourceId: 2, companyId: null },
      { address: 'boss@msp.example', name: null, resourceId: null, companyId: null },
      { address: 'mia@msp.example', name: 'Mia Manager', resourceId: 1, companyId: null },
      { address: 'fay@msp.example', name: 'Fay Field', resourceId: 6, companyId: null },
    ]);
  });

  it('the shipped roles resolve against an Autotask-shaped store', () => {
    const file = loadSchedules(path.join(root, 'schedules.json'));
    const outsideSales = resolveScheduleRecipients(store.db, file, { roles: ['everyone-outside-sales'] }).map((r) => r.address);
    expect(outsideSales).toEqual(['mia@msp.example', 'tom@msp.example', 'fay@msp.example']);
    const techs = resolveScheduleRecipients(store.db, file, { roles: ['technicians'] }).map((r) => r.address);
    expect(techs).toEqual(['tom@msp.example', 'fay@msp.example']);
    const managers = resolveScheduleRecipients(store.db, file, { roles: ['service-managers'] }).map((r) => r.address);
    expect(managers).toEqual(['mia@msp.example', 'service-desk-lead@msp.example']);
  });
});
