import type { Config } from '../../src/config.js';
import { syncStore as runSync } from '../../src/app.js';
import type { Simulator } from '../../src/simulator/index.js';
import { captureIO } from '../helpers/synced.js';

const MIN = 60_000;
const DAY = 86_400_000;

/**
 * Records on the edges kpi-spec names (window boundaries, the 15-minute lag, bucket limits, a reopen exactly
 * `reopenDays` after its completion, empty probability/amount/start), written into the simulated tenant and
 * synced through the real sync path. Generated data seldom lands exactly on a boundary; these do. Assumes
 * the tenant's now is 2026-11-26T12:00Z (a Thursday; today is 2026-11-26 in UTC and in New York).
 */
export async function addEdgeCases(sim: Simulator, cfg: Config, env: NodeJS.ProcessEnv, dir: string): Promise<{ reopenAtLimit: number; reopenPastLimit: number; completedAt: number }> {
  const t = sim.tenant;
  const now = t.now;
  const io = captureIO(env, dir);
  const sync = async () => {
    const s = await runSync(cfg, io, { clock: { now: () => sim.now() }, progress: 'none' });
    if (!s.ok) throw new Error(`sync failed: ${s.failed.join(', ')}`);
  };
  const iso = (s: string) => Date.parse(s);
  const day = (n: number) => new Date(Date.parse('2026-11-26T00:00:00Z') + n * DAY).toISOString().slice(0, 10);

  // A client ticket and a resource to hang time entries on; an open incident pair for the reopen boundary.
  const tickets = t.table('Tickets');
  const complete = t.completeTicketStatus();
  const incident = t.value('Tickets', 'ticketType', 'Incident');
  const open: number[] = [];
  let client = -1;
  for (let i = 0; i < tickets.length && (open.length < 2 || client < 0); i++) {
    if (!tickets.isAlive(i)) continue;
    const r = tickets.stored(i);
    if (client < 0 && typeof r.companyID === 'number' && r.companyID !== 0) client = tickets.idAt(i);
    if (r.status !== complete && r.ticketType === incident && r.projectID === null && r.ticketCategory !== t.value('Tickets', 'ticketCategory', 'Recurring')) open.push(tickets.idAt(i));
  }
  const resource = t.table('Resources').idAt(0);
  const role = t.table('Roles').idAt(0);
  const company = t.get('Tickets', client)!.companyID as number;

  // RTTE window in UTC [11-16, 11-23), in New York [11-16 05:00Z, 11-23 05:00Z).
  const entry = (createDateTime: number, end: number | null, extra: Record<string, unknown> = {}) => t.insert('TimeEntries', {
    resourceID: resource, roleID: role, ticketID: client, createDateTime,
    ...(end === null ? {} : { startDateTime: end - 60 * MIN, endDateTime: end }), ...extra,
  });
  entry(iso('2026-11-16T00:00:00Z'), iso('2026-11-16T00:00:00Z') - 15 * MIN); // at `from` in UTC; lag exactly 15: on time
  entry(iso('2026-11-23T00:00:00Z'), iso('2026-11-23T00:00:00Z') - 15 * MIN - 600); // at `to` in UTC (out); lag just over 15
  entry(iso('2026-11-18T10:00:00Z'), iso('2026-11-18T10:30:00Z')); // entered before the work ended: negative lag, on time
  entry(iso('2026-11-18T11:00:00Z'), null, { dateWorked: '2026-11-17', hoursWorked: 1.5 }); // no end time
  // Work instants by dateWorked: today's 00:00 is before T in both zones; tomorrow's is not.
  const contract = t.table('Contracts').idAt(0);
  entry(now, null, { dateWorked: day(0), hoursWorked: 2, contractID: contract });
  entry(now, null, { dateWorked: day(1), hoursWorked: 3, contractID: contract });
  entry(now, null, { dateWorked: '2026-10-31', hoursWorked: 4, contractID: contract }); // October in both zones
  entry(now, null, { dateWorked: '2026-11-01', hoursWorked: 5, contractID: contract }); // November in both zones

  // Contracts ending around today and the renewal buckets.
  const active = t.value('Contracts', 'status', 'Active');
  const type = t.table('Contracts').get(0, 'contractType');
  for (const [n, rev] of [[-1, 100], [0, 200], [30, 300], [31, 400], [60, 500], [61, 600], [120, 700], [121, 800]] as const) {
    t.insert('Contracts', { contractName: `Edge ${n}`, companyID: company, status: active, contractType: type, startDate: '2025-01-01', endDate: day(n), estimatedRevenue: rev });
  }
  // Billing items of the contract around the October window edge (2026-11-01 00:00 UTC = 10-31 20:00 New York).
  const bit = (label: string) => t.value('BillingItems', 'billingItemType', label);
  t.insert('BillingItems', { billingItemType: bit('Labor'), companyID: company, contractID: contract, itemDate: iso('2026-10-15T12:00:00Z'), extendedPrice: 1000, ourCost: 500 });
  t.insert('BillingItems', { billingItemType: bit('Labor Adjustment'), companyID: company, contractID: contract, itemDate: iso('2026-10-15T12:00:00Z'), extendedPrice: -100, ourCost: 50 });
  t.insert('BillingItems', { billingItemType: bit('Product'), companyID: company, contractID: contract, itemDate: iso('2026-11-01T00:00:00Z'), extendedPrice: 300, ourCost: 100 });
  t.insert('BillingItems', { billingItemType: bit('Product'), companyID: company, contractID: contract, itemDate: iso('2026-10-01T03:59:59Z'), extendedPrice: 70, ourCost: 7 });

  // Opportunities.
  const os = (l: string) => t.value('Opportunities', 'status', l);
  const stage = (l: string) => t.value('Opportunities', 'stage', l);
  t.insert('Opportunities', { title: 'Edge stuck, no amount', companyID: company, ownerResourceID: resource, stage: stage('Sales Engineering'), status: os('Active'), amount: null, probability: null, projectedCloseDate: day(30), createDate: now - 20 * DAY });
  t.insert('Opportunities', { title: 'Edge stage 14 d', companyID: company, ownerResourceID: resource, stage: stage('Sales Engineering'), status: os('Active'), amount: 10, probability: 10, projectedCloseDate: day(31), createDate: now - 14 * DAY });
  t.insert('Opportunities', { title: 'Edge likely, late', companyID: company, ownerResourceID: resource, stage: stage('Proposal'), status: os('Active'), amount: 1234.5, probability: 75, projectedCloseDate: day(-10), createDate: now - 40 * DAY });
  t.insert('Opportunities', { title: 'Edge won 11-19', companyID: company, ownerResourceID: resource, stage: stage('Proposal'), status: os('Closed'), amount: 111, probability: 100, closedDate: '2026-11-19', createDate: now - 40 * DAY });
  t.insert('Opportunities', { title: 'Edge won 11-20', companyID: company, ownerResourceID: resource, stage: stage('Proposal'), status: os('Implemented'), amount: 222, probability: 100, closedDate: '2026-11-20', createDate: now - 40 * DAY });
  t.insert('Opportunities', { title: 'Edge lost today', companyID: company, ownerResourceID: resource, stage: stage('Proposal'), status: os('Lost'), amount: 333, probability: 0, lostDate: day(0), createDate: now - 40 * DAY });

  // To-dos and appointments at T and the window ends.
  t.insert('CompanyToDos', { companyID: company, assignedToResourceID: resource, activityDescription: 'Edge no start', startDateTime: null });
  t.insert('CompanyToDos', { companyID: company, assignedToResourceID: null, activityDescription: 'Edge at T', startDateTime: now });
  t.insert('CompanyToDos', { companyID: company, assignedToResourceID: null, activityDescription: 'Edge just before T', startDateTime: now - 1 });
  for (const [title, at] of [['Edge at T', now], ['Edge at T+7d', now + 7 * DAY], ['Edge before T+7d', now + 7 * DAY - 1]] as const) {
    t.insert('Appointments', { resourceID: resource, title, startDateTime: at, endDateTime: at + 30 * MIN });
  }

  // Reopen exactly reopenDays after the completion (counts) and 1 ms later (does not): complete, sync, reopen,
  // sync. Both syncs run at the same simulated now (no random activity in between); the reopen's changedAt is
  // the lastActivityDate the update sets, which the incremental sync re-reads through its overlap.
  const [a, b] = open as [number, number];
  t.update('Tickets', a, { status: complete, completedDate: now - 14 * DAY });
  t.update('Tickets', b, { status: complete, completedDate: now - 14 * DAY - 1 });
  await sync();
  const inProgress = t.value('Tickets', 'status', 'In Progress');
  t.update('Tickets', a, { status: inProgress, lastActivityDate: now });
  t.update('Tickets', b, { status: inProgress, lastActivityDate: now });
  await sync();
  return { reopenAtLimit: a, reopenPastLimit: b, completedAt: now - 14 * DAY };
}
