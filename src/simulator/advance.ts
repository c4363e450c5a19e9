import type { Rng } from './prng.js';
import type { Tenant } from './tenant.js';
import { SCALES } from './generator.js';
import { dayStart } from './format.js';

/** What one `advance` changed, by kind (ids), so tests can assert on specific records. */
export interface AdvanceSummary {
  /** Simulated time before. */
  from: number;
  /** Simulated time after (the new now). */
  to: number;
  /** Ticket ids per kind of change. */
  tickets: {
    /** New tickets. */
    created: number[];
    /** Status/queue/assignee/priority changed (without completing, reopening or escalating). */
    updated: number[];
    /** Set to Complete. */
    completed: number[];
    /** Complete → open again. */
    reopened: number[];
    /** Status Escalate or moved to Tier 2/3. */
    escalated: number[];
    /** Removed (each has a DeletedTicketLogs row). */
    deleted: number[];
  };
  /** Time entry ids per kind of change. */
  timeEntries: {
    /** New entries. */
    created: number[];
    /** Approved for billing (each got a BillingItems row). */
    approved: number[];
    /** Removed (each has a DeletedTicketActivityLogs or DeletedTaskActivityLogs row). */
    deleted: number[];
  };
  /** New billing items. */
  billingItems: { created: number[] };
  /** Opportunity ids per kind of change. */
  opportunities: {
    /** New opportunities. */
    created: number[];
    /** Moved to another stage. */
    stageChanged: number[];
    /** Closed won. */
    won: number[];
    /** Lost. */
    lost: number[];
  };
}

const H = 3_600_000;
const D = 86_400_000;
const MIN = 60_000;

/**
 * Moves the tenant's clock by `ms` and lets the service desk work like a real one. Every changed record
 * gets its change timestamp set to the new now; deletions write the deletion logs. Counts scale with
 * the tenant's size and the time advanced; when at least a minute passes, each kind happens at least once
 * (where a candidate exists), so a test can advance once and see every kind of change.
 */
export function advanceTenant(tenant: Tenant, ms: number, rng: Rng): AdvanceSummary {
  if (!(ms >= 0)) throw new Error('advance: ms must be >= 0');
  const from = tenant.now;
  const to = from + ms;
  tenant.now = to;
  const summary: AdvanceSummary = {
    from, to,
    tickets: { created: [], updated: [], completed: [], reopened: [], escalated: [], deleted: [] },
    timeEntries: { created: [], approved: [], deleted: [] },
    billingItems: { created: [] },
    opportunities: { created: [], stageChanged: [], won: [], lost: [] },
  };
  if (ms === 0) return summary;
  const days = ms / D;
  const atLeast = ms >= MIN ? 1 : 0;
  const scale = SCALES[tenant.scale];
  const ticketRate = scale.tickets / 395;
  const count = (mean: number) => Math.max(atLeast, rng.poisson(mean));

  const tickets = tenant.table('Tickets');
  const te = tenant.table('TimeEntries');
  const complete = tenant.completeTicketStatus();
  const sv = (label: string) => tenant.value('Tickets', 'status', label);
  const qv = (label: string) => tenant.value('Tickets', 'queueID', label);
  const openStatuses = ['In Progress', 'Waiting Customer', 'Waiting Vendor', 'On Hold', 'Scheduled', 'Waiting Materials'].map(sv);
  const resources = tenant.table('Resources');
  const techs: { id: number; role: number }[] = [];
  for (let p = 0; p < resources.length; p++) {
    if (resources.isAlive(p) && resources.get(p, 'isActive') === true && resources.get(p, 'title') === 'Technician') {
      techs.push({ id: resources.idAt(p), role: resources.get(p, 'defaultServiceDeskRoleID') as number });
    }
  }
  // Hand-built tenants may not title anyone "Technician": any active resource will do.
  if (techs.length === 0) {
    for (let p = 0; p < resources.length; p++) {
      if (resources.isAlive(p) && resources.get(p, 'isActive') !== false) techs.push({ id: resources.idAt(p), role: (resources.get(p, 'defaultServiceDeskRoleID') as number | null) ?? 0 });
    }
  }
  if (techs.length === 0) techs.push({ id: tenant.adminResourceId, role: 0 });
  const roleOf = new Map(techs.map((t) => [t.id, t.role]));
  const tech = () => rng.pick(techs);

  // Current open and recently completed tickets.
  const open: number[] = [];
  const recentDone: number[] = [];
  for (let p = 0; p < tickets.length; p++) {
    if (!tickets.isAlive(p)) continue;
    if (tickets.get(p, 'status') === complete) {
      const cd = tickets.get(p, 'completedDate') as number | null;
      if (cd !== null && cd >= from - 14 * D) recentDone.push(tickets.idAt(p));
    } else open.push(tickets.idAt(p));
  }
  const touched = new Set<number>();
  const takeRandom = (pool: number[], n: number) => {
    const out: number[] = [];
    for (let k = 0; k < n && pool.length > 0; k++) {
      const i = rng.int(0, pool.length - 1);
      const id = pool[i]!;
      pool[i] = pool[pool.length - 1]!;
      pool.pop();
      if (touched.has(id)) continue;
      touched.add(id);
      out.push(id);
    }
    return out;
  };

  // New tickets.
  const companies = tenant.table('Companies');
  const customerIds: number[] = [];
  for (let p = 0; p < companies.length; p++) if (companies.isAlive(p) && companies.get(p, 'companyType') === 1) customerIds.push(companies.idAt(p));
  if (customerIds.length === 0) for (let p = 0; p < companies.length; p++) if (companies.isAlive(p)) customerIds.push(companies.idAt(p));
  const nNew = customerIds.length ? count(ticketRate * days) : 0;
  const prio = ['Critical', 'High', 'Medium', 'Low'].map((l) => tenant.value('Tickets', 'priority', l));
  for (let k = 0; k < nNew; k++) {
    // Spread over the step, in id order as Autotask numbers them.
    const created = Math.floor(from + ((k + rng.next()) / nNew) * ms);
    const pr = rng.weighted([[prio[0]!, 1], [prio[1]!, 5], [prio[2]!, 10], [prio[3]!, 8]]);
    const assigned = rng.chance(0.5) ? tech() : null;
    const dueH = pr === prio[0] ? [0.5, 2, 4] : pr === prio[1] ? [1, 4, 8] : pr === prio[2] ? [2, 8, 24] : [4, 16, 72];
    const d = new Date(created).toISOString();
    const id = tenant.insert('Tickets', {
      ticketNumber: `T${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}.${String(9000 + ((tickets.maxId + 1) % 1000)).padStart(4, '0')}`,
      title: rng.pick(['Cannot log in', 'Printer offline', 'New user request', 'Email bouncing', 'Slow network']),
      companyID: rng.pick(customerIds), status: assigned ? sv('In Progress') : sv('New'), priority: pr,
      queueID: assigned ? qv('Tier 1') : qv('Triage'), ticketType: tenant.value('Tickets', 'ticketType', rng.chance(0.7) ? 'Incident' : 'Service Request'),
      issueType: 12, subIssueType: null, ticketCategory: 3, source: 4, serviceLevelAgreementID: 1,
      assignedResourceID: assigned?.id ?? null, assignedResourceRoleID: assigned?.role ?? null, createDate: created, lastActivityDate: to,
      dueDateTime: created + dueH[2]! * H, estimatedHours: rng.chance(0.6) ? 1 : null,
      firstResponseDueDateTime: created + dueH[0]! * H, resolutionPlanDueDateTime: created + dueH[1]! * H, resolvedDueDateTime: created + dueH[2]! * H,
      // Most tickets are answered well inside the first-response target, assigned yet or not.
      firstResponseDateTime: rng.chance(0.97) ? Math.min(to, Math.floor(created + dueH[0]! * H * rng.float(0.2, 0.9))) : null, creatorResourceID: assigned?.id ?? null, description: 'New request.',
    });
    summary.tickets.created.push(id);
    touched.add(id);
    // Many requests are fixed on the first call: one short time entry, resolved within the hour.
    const hours = rng.pick([0.25, 0.25, 0.5]);
    const fixAt = created + hours * H + Math.round(rng.float(5, 20)) * MIN;
    if (assigned && pr !== prio[0] && rng.chance(0.45) && fixAt <= to) {
      const teId = tenant.insert('TimeEntries', {
        resourceID: assigned.id, roleID: assigned.role, ticketID: id, taskID: null, contractID: null, dateWorked: dayStart(created),
        startDateTime: fixAt - hours * H, endDateTime: fixAt, hoursWorked: hours, hoursToBill: hours, isNonBillable: false, billingApprovalDateTime: null,
        timeEntryType: 2, createDateTime: Math.min(to, fixAt + Math.round(rng.float(1, 8)) * MIN), lastModifiedDateTime: to, summaryNotes: 'Fixed on the call.',
        showOnInvoice: true, creatorUserID: assigned.id, lastModifiedUserID: assigned.id,
      });
      summary.timeEntries.created.push(teId);
      tenant.update('Tickets', id, { status: complete, completedDate: fixAt, completedByResourceID: assigned.id, resolvedDateTime: fixAt, firstResponseDateTime: Math.min(fixAt, created + dueH[0]! * H * 0.5) });
      summary.tickets.completed.push(id);
    }
  }

  // Completions. A real desk resolves most tickets before their resolution due time: open tickets due
  // in this step (or within the next day) are mostly completed in it, before the due time where the step
  // allows; a few older tickets are closed late, as the backlog is worked down.
  const completeOne = (id: number, at0: number) => {
    const pos = tickets.find(id);
    const assigned = (tickets.get(pos, 'assignedResourceID') as number | null) ?? tech().id;
    // Completed somewhere in the step (not all at its end), never before the ticket existed.
    const created = tickets.get(pos, 'createDate') as number;
    const at = Math.min(to, Math.max(created + MIN, from + 1, at0));
    const patch: Record<string, unknown> = { status: complete, completedDate: at, completedByResourceID: assigned, resolvedDateTime: at };
    if (tickets.get(pos, 'assignedResourceID') === null) {
      patch.assignedResourceID = assigned;
      patch.assignedResourceRoleID = roleOf.get(assigned) ?? techs[0]?.role ?? null;
    }
    if (tickets.get(pos, 'firstResponseDateTime') === null) patch.firstResponseDateTime = at;
    tenant.update('Tickets', id, patch);
    summary.tickets.completed.push(id);
  };
  // Office holidays (the tenant's holiday sets): nobody logs time on them.
  const holidays = new Set<number>();
  const hol = tenant.table('Holidays');
  for (let p = 0; p < hol.length; p++) if (hol.isAlive(p) && hol.get(p, 'holidaySetID') === 1) holidays.add(dayStart(hol.get(p, 'holidayDate') as number));
  const dueSoon = open.filter((id) => {
    const pos = tickets.find(id);
    const due = tickets.get(pos, 'resolvedDueDateTime') as number | null;
    return due !== null && due > from && due <= to + D && (tickets.get(pos, 'createDate') as number) < to;
  }).sort((a, b) => a - b);
  for (const id of dueSoon) {
    if (!rng.chance(0.96) || touched.has(id)) continue;
    touched.add(id);
    open.splice(open.indexOf(id), 1);
    const pos = tickets.find(id);
    const created = tickets.get(pos, 'createDate') as number;
    const due = tickets.get(pos, 'resolvedDueDateTime') as number;
    completeOne(id, created + (Math.min(due, to) - created) * rng.float(0.3, 0.98));
  }
  // Other work closes at its own pace: tickets without a resolution target (alerts, maintenance, projects),
  // and now and then an old one from the backlog.
  const noTarget = open.filter((id) => tickets.get(tickets.find(id), 'resolvedDueDateTime') === null);
  for (const id of takeRandom(noTarget, Math.min(noTarget.length, count(ticketRate * days * 0.2)))) completeOne(id, Math.floor(to - rng.next() * ms));
  for (const id of takeRandom(open, rng.chance(Math.min(1, days * 0.1)) ? 1 : 0)) completeOne(id, Math.floor(to - rng.next() * ms));

  // Reopens of recently completed tickets.
  for (const id of takeRandom(recentDone, count(ticketRate * days * 0.05))) {
    tenant.update('Tickets', id, { status: sv('In Progress') });
    summary.tickets.reopened.push(id);
  }

  // Escalations.
  for (const id of takeRandom(open, count(ticketRate * days * 0.08))) {
    if (rng.chance(0.5)) tenant.update('Tickets', id, { status: sv('Escalate') });
    else tenant.update('Tickets', id, { queueID: rng.chance(0.7) ? qv('Tier 2') : qv('Tier 3') });
    summary.tickets.escalated.push(id);
  }

  // Ordinary changes: status, priority, assignee.
  for (const id of takeRandom(open, count(ticketRate * days * 0.6))) {
    const roll = rng.next();
    if (roll < 0.5) tenant.update('Tickets', id, { status: rng.pick(openStatuses) });
    else if (roll < 0.75) tenant.update('Tickets', id, { priority: rng.pick(prio) });
    else {
      const t = tech();
      tenant.update('Tickets', id, { assignedResourceID: t.id, assignedResourceRoleID: t.role });
    }
    summary.tickets.updated.push(id);
  }

  // Deletions: tickets without time entries (Autotask refuses to delete tickets with time).
  const withTime = new Set<number>();
  const teTicket = te.numColumn('ticketID')!;
  for (let p = 0; p < te.length; p++) if (te.isAlive(p) && !Number.isNaN(teTicket[p]!)) withTime.add(teTicket[p]!);
  // Open tickets first; when every open one has time on it, an old ticket without time (a duplicate alert).
  let deletable = open.filter((id) => !withTime.has(id));
  if (!deletable.length) {
    deletable = [];
    for (let p = 0; p < tickets.length && deletable.length < 50; p++) {
      if (tickets.isAlive(p) && !withTime.has(tickets.idAt(p)) && !touched.has(tickets.idAt(p))) deletable.push(tickets.idAt(p));
    }
  }
  for (const id of takeRandom(deletable, count(ticketRate * days * 0.01))) {
    tenant.remove('Tickets', id);
    summary.tickets.deleted.push(id);
  }

  // Time entries: each technician works a day like the generated history's (about 6 h logged per working
  // day, so some 30 h a week), on open tickets (their own first), entered within minutes of the work.
  const liveOpen: number[] = [];
  const openOf = new Map<number, number[]>();
  for (let p = 0; p < tickets.length; p++) {
    if (!tickets.isAlive(p) || tickets.get(p, 'status') === complete) continue;
    const id = tickets.idAt(p);
    liveOpen.push(id);
    const who = tickets.get(p, 'assignedResourceID') as number | null;
    if (who !== null) openOf.set(who, [...(openOf.get(who) ?? []), id]);
  }
  const addEntry = (tid: number, who: number, start: number, hours: number) => {
    const pos = tickets.find(tid);
    const end = start + hours * H;
    const id = tenant.insert('TimeEntries', {
      resourceID: who, roleID: roleOf.get(who) ?? techs[0]?.role ?? null, ticketID: tid, taskID: null, contractID: tickets.get(pos, 'contractID'),
      dateWorked: dayStart(start), startDateTime: start, endDateTime: end, hoursWorked: hours, hoursToBill: hours, isNonBillable: rng.chance(0.1),
      billingApprovalDateTime: null, timeEntryType: 2, // Most entries are typed in right after the work; some at the end of the day.
      createDateTime: Math.min(to, end + (rng.chance(0.85) ? rng.float(0, 10) : rng.float(10, 240)) * MIN), lastModifiedDateTime: to,
      summaryNotes: 'Worked on ticket.', showOnInvoice: true, creatorUserID: who, lastModifiedUserID: who,
    });
    summary.timeEntries.created.push(id);
  };
  if (liveOpen.length) {
    for (let day = dayStart(from); day < to; day += D) {
      const dow = new Date(day).getUTCDay();
      if (dow === 0 || dow === 6 || holidays.has(day)) continue;
      // Working hours 08:00–17:00 (UTC, as the generated history) that fall inside this step.
      const ws = Math.max(from, day + 8 * H);
      const we = Math.min(to, day + 17 * H);
      if (we - ws < 15 * MIN) continue;
      const share = (we - ws) / (9 * H);
      for (const t of techs) {
        let budget = Math.round(rng.float(5, 7) * share * 4) / 4;
        let at = ws + Math.round(rng.float(0, 0.5) * H / (15 * MIN)) * 15 * MIN;
        const mine = openOf.get(t.id) ?? [];
        while (budget >= 0.25) {
          const hours = Math.min(budget, Math.max(0.25, Math.round(rng.exp(1.2) * 4) / 4), 3);
          if (at + hours * H > we) break;
          addEntry(mine.length && rng.chance(0.7) ? rng.pick(mine) : rng.pick(liveOpen), t.id, at, hours);
          budget -= hours;
          at += hours * H + Math.round(rng.float(0, 0.5) * 4) * 15 * MIN;
        }
      }
    }
    // Even a minute's step records some work, so every kind of change can be seen.
    if (atLeast && summary.timeEntries.created.length === 0) {
      const tid = rng.pick(liveOpen);
      const who = (tickets.get(tickets.find(tid), 'assignedResourceID') as number | null) ?? tech().id;
      addEntry(tid, who, to - Math.min(ms, 15 * MIN), Math.min(ms, 15 * MIN) / H);
    }
  }

  // Approvals (with billing items) and deletions of time entries, from older unapproved entries.
  const approvedCol = te.numColumn('billingApprovalDateTime')!;
  const endCol = te.numColumn('endDateTime')!;
  const unapproved: number[] = [];
  const createdIds = new Set(summary.timeEntries.created);
  for (let p = te.length - 1; p >= 0 && unapproved.length < 5000; p--) {
    if (te.isAlive(p) && Number.isNaN(approvedCol[p]!) && !createdIds.has(te.idAt(p))) unapproved.push(te.idAt(p));
  }
  const teDone = new Set<number>();
  const teRate = scale.timeEntries / 395;
  const contracts = tenant.table('Contracts');
  const recurringType = tryValue(tenant, 'Contracts', 'contractType', 'Recurring Service');
  const recurringContracts = new Set<number>();
  for (let p = 0; p < contracts.length; p++) if (contracts.isAlive(p) && contracts.get(p, 'contractType') === recurringType) recurringContracts.add(contracts.idAt(p));
  const pickTe = (n: number) => {
    const out: number[] = [];
    for (let k = 0; k < n && unapproved.length; k++) {
      const i = rng.int(0, unapproved.length - 1);
      const id = unapproved[i]!;
      unapproved[i] = unapproved[unapproved.length - 1]!;
      unapproved.pop();
      if (!teDone.has(id)) {
        teDone.add(id);
        out.push(id);
      }
    }
    return out;
  };
  for (const id of pickTe(count(teRate * days * 0.02))) {
    tenant.remove('TimeEntries', id);
    summary.timeEntries.deleted.push(id);
  }
  // Approval: entries older than a day are approved with a good chance each day, so most time is posted
  // within a week of the work (as in the generated history).
  const approvable = unapproved.filter((id) => {
    const pos = te.find(id);
    return pos >= 0 && (endCol[pos]! < to - D || te.get(pos, 'endDateTime') === null);
  });
  const nApprove = Math.max(count(teRate * days * 0.1), Math.round(approvable.length * Math.min(1, 0.45 * days)));
  for (const id of pickTe(nApprove)) {
    const pos = te.find(id);
    if (pos < 0 || !(endCol[pos]! < to - D) && te.get(pos, 'endDateTime') !== null) continue;
    const rec = te.stored(pos);
    tenant.update('TimeEntries', id, { billingApprovalDateTime: to, billingApprovalResourceID: tenant.adminResourceId, billingApprovalLevelMostRecent: 1 });
    summary.timeEntries.approved.push(id);
    if (rec.isNonBillable === true) continue;
    const ticketPos = rec.ticketID !== null ? tickets.find(rec.ticketID as number) : -1;
    // Work under a recurring contract is mostly covered by the monthly fee (billed at 0).
    const covered = rec.contractID !== null && recurringContracts.has(rec.contractID as number) && rng.chance(0.8);
    const rate = covered ? 0 : 125;
    const bi = tenant.insert('BillingItems', {
      billingItemType: tenant.value('BillingItems', 'billingItemType', 'Labor'), companyID: ticketPos >= 0 ? tickets.get(ticketPos, 'companyID') : null,
      contractID: rec.contractID, ticketID: rec.ticketID, taskID: rec.taskID, projectID: null, timeEntryID: id, roleID: rec.roleID, invoiceID: null,
      itemName: 'Labor', itemDate: dayStart((rec.startDateTime as number | null) ?? (rec.dateWorked as number)), quantity: rec.hoursToBill, rate,
      extendedPrice: Math.round(rate * (rec.hoursToBill as number) * 100) / 100, ourCost: 0, postedDate: to, description: 'Labor',
      totalAmount: Math.round(rate * (rec.hoursToBill as number) * 100) / 100, nonBillable: false, itemApproverID: tenant.adminResourceId,
    });
    summary.billingItems.created.push(bi);
  }

  // Monthly recurring billing: each active recurring contract bills its fee two days into a month, as in
  // the generated history (the fee is the contract's last monthly item).
  for (let m = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), 1); m <= to; m = Date.UTC(new Date(m).getUTCFullYear(), new Date(m).getUTCMonth() + 1, 1)) {
    const postAt = m + 2 * D;
    if (postAt <= from || postAt > to) continue;
    const bis = tenant.table('BillingItems');
    const fee = new Map<number, { rate: number; companyID: unknown }>();
    for (let p = 0; p < bis.length; p++) {
      if (!bis.isAlive(p) || bis.get(p, 'billingItemType') !== 6) continue;
      const c = bis.get(p, 'contractID') as number | null;
      if (c !== null) fee.set(c, { rate: bis.get(p, 'rate') as number, companyID: bis.get(p, 'companyID') });
    }
    const active = tryValue(tenant, 'Contracts', 'status', 'Active');
    for (const id of [...recurringContracts].sort((a, b) => a - b)) {
      const pos = contracts.find(id);
      const f = fee.get(id);
      if (!f || contracts.get(pos, 'status') !== active) continue;
      if ((contracts.get(pos, 'startDate') as number) > m || (contracts.get(pos, 'endDate') as number) < m) continue;
      const bi = tenant.insert('BillingItems', {
        billingItemType: 6, companyID: f.companyID, contractID: id, ticketID: null, taskID: null, projectID: null, timeEntryID: null, roleID: null,
        invoiceID: null, itemName: 'Managed Services', itemDate: m, quantity: 1, rate: f.rate, extendedPrice: f.rate, ourCost: Math.round(f.rate * 0.18 * 100) / 100,
        postedDate: postAt, description: 'Monthly managed services', totalAmount: f.rate, nonBillable: false, itemApproverID: tenant.adminResourceId,
      });
      summary.billingItems.created.push(bi);
    }
  }

  // Appointments keep appearing in the coming days' calendars.
  for (const t of techs) {
    if (!rng.chance(Math.min(1, days * 0.4))) continue;
    const at = dayStart(to + rng.int(1, 10) * D) + rng.int(8, 16) * H;
    tenant.insert('Appointments', {
      resourceID: t.id, title: rng.pick(['Client meeting', 'Onsite visit', 'Vendor call', 'Training', 'QBR prep']),
      startDateTime: at, endDateTime: at + rng.pick([0.5, 1, 2]) * H, createDateTime: to, updateDateTime: to, description: null, creatorResourceID: t.id,
    });
  }

  // Sales: stage moves, wins, losses, new opportunities.
  const opps = tenant.table('Opportunities');
  const ov = (f: string, l: string) => tenant.value('Opportunities', f, l);
  const active = ov('status', 'Active');
  const stages = ['Qualification', 'Sales Engineering', 'Proposal', 'Negotiation'].map((l) => ov('stage', l));
  const activeOpps: number[] = [];
  for (let p = 0; p < opps.length; p++) if (opps.isAlive(p) && opps.get(p, 'status') === active) activeOpps.push(opps.idAt(p));
  const oppRate = scale.opportunities / 395;
  const oppTouched = new Set<number>();
  const pickOpp = (n: number) => {
    const out: number[] = [];
    for (let k = 0; k < n && activeOpps.length; k++) {
      const i = rng.int(0, activeOpps.length - 1);
      const id = activeOpps[i]!;
      activeOpps[i] = activeOpps[activeOpps.length - 1]!;
      activeOpps.pop();
      if (!oppTouched.has(id)) {
        oppTouched.add(id);
        out.push(id);
      }
    }
    return out;
  };
  for (const id of pickOpp(count(oppRate * days * 0.6))) {
    const pos = opps.find(id);
    const cur = stages.indexOf(opps.get(pos, 'stage') as number);
    const nextStage = stages[Math.min(stages.length - 1, cur + 1)] ?? stages[1]!;
    const finalStage = nextStage === opps.get(pos, 'stage') ? stages[Math.max(0, cur - 1)]! : nextStage;
    tenant.update('Opportunities', id, { stage: finalStage, probability: [10, 30, 50, 75][stages.indexOf(finalStage)] ?? 20 });
    summary.opportunities.stageChanged.push(id);
  }
  for (const id of pickOpp(count(oppRate * days * 0.3))) {
    tenant.update('Opportunities', id, { status: ov('status', 'Closed'), closedDate: dayStart(to), probability: 100 });
    summary.opportunities.won.push(id);
  }
  for (const id of pickOpp(count(oppRate * days * 0.25))) {
    tenant.update('Opportunities', id, { status: ov('status', 'Lost'), lostDate: dayStart(to), probability: 0 });
    summary.opportunities.lost.push(id);
  }
  const nOpp = rng.poisson(oppRate * days);
  for (let k = 0; k < nOpp && customerIds.length; k++) {
    const company = rng.pick(customerIds);
    const cpos = companies.find(company);
    const id = tenant.insert('Opportunities', {
      title: 'New opportunity', companyID: company, ownerResourceID: companies.get(cpos, 'ownerResourceID'), stage: stages[0], status: active,
      amount: Math.round(rng.float(2000, 40000) / 50) * 50, probability: 10, projectedCloseDate: dayStart(to + rng.int(20, 90) * D),
      closedDate: null, lostDate: null, createDate: Math.floor(from + rng.next() * ms), lastActivity: to,
    });
    summary.opportunities.created.push(id);
  }

  // Companies whose tickets moved show activity too.
  const changedCompanies = new Set<number>();
  for (const id of [...summary.tickets.created, ...summary.tickets.completed, ...summary.tickets.reopened, ...summary.tickets.escalated, ...summary.tickets.updated]) {
    const pos = tickets.find(id);
    if (pos >= 0) changedCompanies.add(tickets.get(pos, 'companyID') as number);
  }
  for (const c of changedCompanies) if (companies.find(c) >= 0) tenant.update('Companies', c, {});
  return summary;
}

/** The value of a picklist label, or null when this tenant has no such label (hand-built tenants). */
function tryValue(tenant: Tenant, entity: string, field: string, label: string): number | null {
  try {
    return tenant.value(entity, field, label);
  } catch {
    return null;
  }
}
