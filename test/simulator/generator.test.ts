import { describe, expect, it } from 'vitest';
import { generateTenant, type Tenant } from '../../src/simulator/index.js';
import type { StoredRecord } from '../../src/simulator/table.js';
import { NOW } from './_helpers.js';

const D = 86_400_000;
const H = 3_600_000;

function rows(t: Tenant, entity: string): StoredRecord[] {
  const tab = t.table(entity);
  const out: StoredRecord[] = [];
  for (let p = 0; p < tab.length; p++) if (tab.isAlive(p)) out.push(tab.stored(p));
  return out;
}

const label = (t: Tenant, e: string, f: string, v: unknown) => (t.label(e, f, v as number) ?? '').trim().toLowerCase();

/** kpi-spec §2 default workflow rules, by label. */
function workflow(t: Tenant, r: StoredRecord): string {
  const l = (f: string) => label(t, 'Tickets', f, r[f]);
  if (r.projectID !== null) return 'Project';
  if (l('ticketType') === 'alert') return 'Alert';
  if (l('ticketCategory') === 'recurring') return 'Recurring Maintenance';
  if (l('ticketType') === 'incident') {
    const p = l('priority');
    if (p === 'critical') return 'Critical Incident';
    if (p === 'high') return 'High Incident';
    if (p === 'medium') return 'Medium Incident';
    if (p === 'low') return 'Normal Incident';
  }
  if (l('ticketType') === 'problem') return 'Problem';
  if (l('ticketType') === 'change request') return 'Change (MAC)';
  if (l('ticketType') === 'service request') {
    if (l('issueType') === 'quick hit') return 'Quick Hit';
    if (l('issueType') === 'install') return 'Install';
    return 'Service Request';
  }
  return 'Unclassified';
}

const ALL_WORKFLOWS = ['Project', 'Alert', 'Recurring Maintenance', 'Critical Incident', 'High Incident', 'Medium Incident', 'Normal Incident',
  'Problem', 'Change (MAC)', 'Quick Hit', 'Install', 'Service Request'];

function checkKpiCoverage(t: Tenant, now: number): void {
  const today = Math.floor(now / D) * D;
  const d = new Date(now);
  const prevMonth = [Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)] as const;
  const inPrevMonth = (x: unknown) => typeof x === 'number' && x >= prevMonth[0] && x < prevMonth[1];
  const tickets = rows(t, 'Tickets');
  const complete = t.completeTicketStatus();
  const open = tickets.filter((r) => r.status !== complete);

  // intake/workflow-distribution: every workflow has tickets created in the previous month.
  const wfPrev = new Set(tickets.filter((r) => inPrevMonth(r.createDate)).map((r) => workflow(t, r)));
  for (const w of ALL_WORKFLOWS) expect(wfPrev.has(w), `workflow ${w} in previous month`).toBe(true);

  // intake/backlog: open backlog tickets older than 14 days, and some younger.
  const backlog = open.filter((r) => !['Project', 'Alert', 'Recurring Maintenance'].includes(workflow(t, r)));
  expect(backlog.filter((r) => now - (r.createDate as number) > 14 * D).length).toBeGreaterThan(0);
  expect(backlog.filter((r) => now - (r.createDate as number) < 10 * D).length).toBeGreaterThan(0);

  // intake/sla-performance: measured events, met and breached, and open breaches.
  const sla = tickets.filter((r) => r.serviceLevelAgreementID !== null);
  const lastMonthFr = sla.filter((r) => inPrevMonth(r.firstResponseDateTime) && r.firstResponseDueDateTime !== null);
  expect(lastMonthFr.length).toBeGreaterThan(0);
  const resolved = sla.filter((r) => r.resolvedDateTime !== null && r.resolvedDueDateTime !== null);
  expect(resolved.some((r) => (r.resolvedDateTime as number) <= (r.resolvedDueDateTime as number))).toBe(true);
  expect(resolved.some((r) => (r.resolvedDateTime as number) > (r.resolvedDueDateTime as number))).toBe(true);
  const metShare = resolved.filter((r) => (r.resolvedDateTime as number) <= (r.resolvedDueDateTime as number)).length / resolved.length;
  expect(metShare).toBeGreaterThan(0.7);
  expect(open.some((r) => r.resolvedDateTime === null && r.resolvedDueDateTime !== null && (r.resolvedDueDateTime as number) < now)).toBe(true);
  expect(tickets.some((r) => r.serviceLevelAgreementID === null && workflow(t, r).includes('Incident'))).toBe(true);

  // intake/scheduled-no-future-call and on-hold-past-due.
  const calls = rows(t, 'ServiceCalls');
  const links = rows(t, 'ServiceCallTickets');
  const scheduled = open.filter((r) => ['scheduled', 'dispatched'].includes(label(t, 'Tickets', 'status', r.status)));
  expect(scheduled.length).toBeGreaterThan(0);
  const futureCall = (tid: unknown) => links.filter((l) => l.ticketID === tid).map((l) => calls.find((c) => c.id === l.serviceCallID)!)
    .some((c) => (c.startDateTime as number) > now && c.isComplete !== true && c.canceledDateTime === null);
  expect(scheduled.some((r) => futureCall(r.id))).toBe(true);
  expect(scheduled.some((r) => !futureCall(r.id))).toBe(true);
  const onHold = ['on hold', 'waiting customer', 'waiting vendor', 'waiting materials'];
  expect(open.some((r) => onHold.includes(label(t, 'Tickets', 'status', r.status)) && (r.dueDateTime as number) < now)).toBe(true);

  // forecasts: open tickets with and without estimates, open tasks with remaining hours, overdue and undated ones.
  expect(open.some((r) => r.projectID === null && (r.estimatedHours === null || r.estimatedHours === 0))).toBe(true);
  expect(open.some((r) => r.projectID === null && (r.estimatedHours as number) > 0)).toBe(true);
  const tasks = rows(t, 'Tasks').filter((r) => label(t, 'Tasks', 'status', r.status) !== 'complete');
  expect(tasks.length).toBeGreaterThan(0);
  expect(tasks.some((r) => r.endDateTime !== null && (r.endDateTime as number) < now)).toBe(true);
  expect(tasks.some((r) => r.startDateTime === null && r.endDateTime === null)).toBe(true);
  expect(tasks.some((r) => r.endDateTime !== null && (r.endDateTime as number) > now)).toBe(true);

  // Utilization and labour: service resources, availability, costs.
  const resources = rows(t, 'Resources');
  expect(resources.some((r) => r.isActive === false)).toBe(true);
  expect(resources.some((r) => r.internalCost === null)).toBe(true);
  expect(resources.filter((r) => r.internalCost !== null).length).toBeGreaterThan(resources.length / 2);
  const avail = rows(t, 'ResourceDailyAvailabilities');
  const entries = rows(t, 'TimeEntries');
  const recentWorkers = new Set(entries.filter((e) => ((e.startDateTime ?? e.dateWorked) as number) >= now - 56 * D).map((e) => e.resourceID));
  const activeWorkers = resources.filter((r) => r.isActive === true && recentWorkers.has(r.id));
  expect(activeWorkers.some((r) => avail.some((a) => a.resourceID === r.id && (a.weeklyBillableHoursGoal as number) > 0))).toBe(true);
  expect(activeWorkers.some((r) => !avail.some((a) => a.resourceID === r.id))).toBe(true);
  expect(rows(t, 'Holidays').some((h) => (h.holidayDate as number) > now - 400 * D && (h.holidayDate as number) < now)).toBe(true);

  // Time entries: real-time entry lag, entries without end time, task entries, non-billable.
  const withEnd = entries.filter((e) => e.endDateTime !== null);
  const onTime = withEnd.filter((e) => (e.createDateTime as number) - (e.endDateTime as number) <= 15 * 60_000).length / withEnd.length;
  expect(onTime).toBeGreaterThan(0.55);
  expect(onTime).toBeLessThan(0.95);
  expect(withEnd.some((e) => (e.createDateTime as number) - (e.endDateTime as number) > D)).toBe(true);
  expect(entries.some((e) => e.endDateTime === null && e.dateWorked !== null)).toBe(true);
  expect(entries.some((e) => e.taskID !== null)).toBe(true);
  expect(entries.some((e) => e.isNonBillable === true)).toBe(true);
  expect(entries.every((e) => (e.createDateTime as number) <= now && ((e.endDateTime as number | null) ?? 0) <= now)).toBe(true);

  // FCR: quick-hit tickets completed with exactly one entry, quickly.
  const teCount = new Map<unknown, number>();
  for (const e of entries) if (e.ticketID !== null) teCount.set(e.ticketID, (teCount.get(e.ticketID) ?? 0) + 1);
  const quick = tickets.filter((r) => workflow(t, r) === 'Quick Hit' && r.status === complete);
  expect(quick.some((r) => teCount.get(r.id) === 1 && (r.completedDate as number) - (r.createDate as number) < H)).toBe(true);
  expect(tickets.filter((r) => r.status === complete).every((r) => r.completedDate !== null && r.completedByResourceID !== null)).toBe(true);
  const esc = tickets.filter((r) => inPrevMonth(r.completedDate) && ['tier 2', 'tier 3'].includes(label(t, 'Tickets', 'queueID', r.queueID)));
  expect(esc.length).toBeGreaterThan(0);

  // Accounting: unapproved billable time, billing items by type, contracts expired/renewing.
  const billed = new Set(rows(t, 'BillingItems').map((b) => b.timeEntryID));
  expect(entries.some((e) => e.billingApprovalDateTime === null && e.isNonBillable === false && (e.hoursToBill as number) > 0 && !billed.has(e.id))).toBe(true);
  expect(entries.filter((e) => e.billingApprovalDateTime !== null).every((e) => e.isNonBillable === true || billed.has(e.id))).toBe(true);
  const items = rows(t, 'BillingItems');
  const types = new Set(items.filter((b) => inPrevMonth(b.itemDate)).map((b) => label(t, 'BillingItems', 'billingItemType', b.billingItemType)));
  expect(types.has('labor')).toBe(true);
  expect(types.has('recurring contract service')).toBe(true);
  expect(items.some((b) => (b.ourCost as number) > 0 && label(t, 'BillingItems', 'billingItemType', b.billingItemType) !== 'labor')).toBe(true);
  const contracts = rows(t, 'Contracts');
  const active = contracts.filter((c) => label(t, 'Contracts', 'status', c.status) === 'active');
  expect(active.some((c) => (c.endDate as number) < today)).toBe(true);
  expect(active.some((c) => (c.endDate as number) >= today && (c.endDate as number) <= today + 120 * D)).toBe(true);
  expect(contracts.some((c) => c.renewedContractID !== null)).toBe(true);
  expect(contracts.some((c) => label(t, 'Contracts', 'status', c.status) === 'inactive')).toBe(true);
  for (const type of ['recurring service', 'time and materials', 'block hours']) {
    expect(contracts.some((c) => label(t, 'Contracts', 'contractType', c.contractType) === type), type).toBe(true);
  }
  expect(entries.some((e) => e.contractID !== null && inPrevMonth(e.startDateTime))).toBe(true);

  // RHEM: active endpoints at managed companies, reactive hours on them.
  const managed = new Set(active.filter((c) => label(t, 'Contracts', 'contractType', c.contractType) === 'recurring service'
    && (c.startDate as number) <= prevMonth[1] && (c.endDate as number) >= prevMonth[1] - D).map((c) => c.companyID));
  expect(managed.size).toBeGreaterThan(0);
  const cis = rows(t, 'ConfigurationItems');
  expect(cis.some((c) => managed.has(c.companyID) && c.isActive === true && ['workstation', 'laptop', 'server'].includes(label(t, 'ConfigurationItems', 'configurationItemType', c.configurationItemType)))).toBe(true);
  expect(cis.some((c) => c.isActive === false)).toBe(true);

  // Sales.
  const opps = rows(t, 'Opportunities');
  const os = (r: StoredRecord) => label(t, 'Opportunities', 'status', r.status);
  const st = (r: StoredRecord) => label(t, 'Opportunities', 'stage', r.stage);
  const activeOpps = opps.filter((r) => os(r) === 'active');
  for (const stage of ['qualification', 'sales engineering', 'proposal', 'negotiation']) expect(activeOpps.some((r) => st(r) === stage), stage).toBe(true);
  expect(activeOpps.some((r) => st(r) === 'sales engineering' && now - (r.lastActivity as number) > 14 * D && now - (r.createDate as number) > 14 * D)).toBe(true);
  expect(activeOpps.some((r) => (r.projectedCloseDate as number) >= today && (r.projectedCloseDate as number) <= today + 30 * D)).toBe(true);
  expect(activeOpps.some((r) => (r.probability as number) >= 75)).toBe(true);
  expect(opps.some((r) => ['closed', 'implemented'].includes(os(r)) && (r.closedDate as number) >= now - 7 * D)).toBe(true);
  expect(opps.some((r) => os(r) === 'lost' && (r.lostDate as number) >= now - 7 * D)).toBe(true);
  const companies = rows(t, 'Companies');
  expect(companies.find((c) => c.id === 0)).toBeDefined();
  const accounts = companies.filter((c) => c.isActive === true && ['customer', 'prospect'].includes(label(t, 'Companies', 'companyType', c.companyType)));
  expect(accounts.some((c) => c.lastActivityDate === null || now - (c.lastActivityDate as number) > 90 * D)).toBe(true);
  expect(accounts.some((c) => c.lastActivityDate !== null && now - (c.lastActivityDate as number) < 30 * D)).toBe(true);
  expect(companies.some((c) => label(t, 'Companies', 'companyType', c.companyType) === 'prospect')).toBe(true);
  const todos = rows(t, 'CompanyToDos').filter((r) => r.completedDate === null);
  expect(todos.some((r) => (r.startDateTime as number) < now)).toBe(true);
  expect(todos.some((r) => (r.startDateTime as number) >= now)).toBe(true);
  expect(rows(t, 'Appointments').some((a) => (a.startDateTime as number) >= now && (a.startDateTime as number) < now + 7 * D)).toBe(true);
  expect(rows(t, 'ExpenseReports').length).toBeGreaterThan(0);
  expect(rows(t, 'ResourceRoleDepartments').length).toBeGreaterThan(0);
  expect(rows(t, 'Departments').length).toBeGreaterThan(0);
  expect(rows(t, 'DeletedTicketLogs').length).toBeGreaterThan(0);

  // Nothing lies in the future except planned things.
  for (const r of tickets) {
    expect(r.createDate as number).toBeLessThanOrEqual(now);
    expect(r.lastActivityDate as number).toBeLessThanOrEqual(now);
    expect(r.lastActivityDate as number).toBeGreaterThanOrEqual(r.createDate as number);
  }
}

describe('generateTenant', () => {
  it('is deterministic for the same seed and now', () => {
    const a = generateTenant({ seed: 9, scale: 'tiny', now: NOW });
    const b = generateTenant({ seed: 9, scale: 'tiny', now: NOW });
    for (const e of ['Tickets', 'TimeEntries', 'Opportunities', 'Contracts', 'BillingItems']) expect(rows(a, e), e).toEqual(rows(b, e));
    const c = generateTenant({ seed: 10, scale: 'tiny', now: NOW });
    expect(rows(c, 'Tickets')).not.toEqual(rows(a, 'Tickets'));
  });

  it('sizes the scales as documented', () => {
    const tiny = generateTenant({ seed: 1, scale: 'tiny', now: NOW });
    expect(tiny.table('Companies').size).toBe(40);
    expect(tiny.table('Tickets').size).toBeGreaterThan(250);
    expect(tiny.table('TimeEntries').size).toBeGreaterThan(1500);
    const small = generateTenant({ seed: 1, scale: 'small', now: NOW });
    expect(small.table('Tickets').size).toBeGreaterThan(1300);
  });

  it('has data for every kpi-spec report across many tiny seeds and months', () => {
    const failures: string[] = [];
    for (let seed = 100; seed < 124; seed++) {
      const now = Date.UTC(2026, seed % 12, 1 + (seed * 7) % 27, (seed * 5) % 24, 17);
      try {
        checkKpiCoverage(generateTenant({ seed, scale: 'tiny', now }), now);
      } catch (e) {
        const line = /generator\.test\.ts:(\d+)/.exec((e as Error).stack ?? '')?.[1];
        failures.push(`seed ${seed} at ${new Date(now).toISOString()} (line ${line}): ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
  });

  for (const [scale, seed, now] of [['tiny', 42, NOW], ['tiny', 7, Date.UTC(2026, 0, 5, 9)], ['small', 1, NOW], ['tiny', 3, Date.UTC(2026, 2, 31, 23, 30)]] as const) {
    it(`has data for every kpi-spec report (${scale}, seed ${seed}, ${new Date(now).toISOString()})`, () => {
      checkKpiCoverage(generateTenant({ seed, scale, now }), now);
    });
  }
});
