import type { Settings } from '../../src/config.js';
import type { Tenant } from '../../src/simulator/index.js';
import { addDays, at, businessHours, D, datesIn, H, isoDow, localDate, midnight, percentile, previousMonth, previousWeek, simDate } from './spec-time.js';

/**
 * An independent implementation of kpi-spec §1–§5 (intake and profitability) over the simulator's tenant
 * (the source of truth), plus the ticket state history of §3, which only our sync produces. Nothing here
 * comes from src/reporting or reports/: it is a second reading of the spec to compare against.
 */

type Rec = Record<string, number | string | boolean | null>;
/** One ticket state record (kpi-spec §3), as the sync stored it. */
export interface StateRec {
  /** Ticket id. */
  ticket_id: number;
  /** changedAt (ms). */
  changed_at: number;
  /** Status value. */
  status: number | null;
  /** completedDate (ms). */
  completed_date: number | null;
}

/** What a report computes: metrics and rows. */
export interface Expected {
  /** Metric values. */
  metrics: Record<string, number | null>;
  /** Rows (only the columns the checker derives). */
  rows: Record<string, unknown>[];
}

const norm = (s: string) => s.trim().toLowerCase();
const num = (v: unknown): number | null => (typeof v === 'number' && !Number.isNaN(v) ? v : null);
const pct = (a: number, b: number) => (b === 0 ? null : (100 * a) / b);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function all(tenant: Tenant, entity: string): Rec[] {
  const t = tenant.table(entity);
  const out: Rec[] = [];
  for (let p = 0; p < t.length; p++) if (t.isAlive(p)) out.push(t.stored(p) as Rec);
  return out;
}

interface Wf { name: string; reactive: boolean; fcr: boolean; backlog: boolean }

/** The spec computation for one tenant, settings, zone and state history. */
export class SpecModel {
  readonly tz: string;
  readonly tickets: Rec[];
  readonly ticketById = new Map<number, Rec>();
  readonly entries: Rec[];
  readonly tasks: Rec[];
  readonly taskById = new Map<number, Rec>();
  readonly projectCompany = new Map<number, number | null>();
  readonly resources = new Map<number, Rec>();
  readonly companies = new Map<number, Rec>();
  readonly holidays: Set<string>;
  readonly avail = new Map<number, Rec>();
  readonly wfOf = new Map<number, Wf>();
  readonly workflows: Wf[];
  private readonly bhDays: Set<number>;
  private readonly bhStart: [number, number];
  private readonly bhEnd: [number, number];

  constructor(readonly tenant: Tenant, readonly s: Settings, readonly states: StateRec[]) {
    this.tz = s.timezone;
    this.tickets = all(tenant, 'Tickets');
    for (const t of this.tickets) this.ticketById.set(t.id as number, t);
    this.entries = all(tenant, 'TimeEntries');
    this.tasks = all(tenant, 'Tasks');
    for (const t of this.tasks) this.taskById.set(t.id as number, t);
    for (const p of all(tenant, 'Projects')) this.projectCompany.set(p.id as number, num(p.companyID));
    for (const r of all(tenant, 'Resources')) this.resources.set(r.id as number, r);
    for (const c of all(tenant, 'Companies')) this.companies.set(c.id as number, c);
    this.holidays = new Set(all(tenant, 'Holidays').filter((h) => h.holidayDate !== null).map((h) => simDate(h.holidayDate as number)));
    for (const a of all(tenant, 'ResourceDailyAvailabilities')) this.avail.set(a.resourceID as number, a);
    const dayNo: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
    this.bhDays = new Set(s.businessHours.days.map((d) => dayNo[d]!));
    const hm = (x: string) => x.split(':').map(Number) as [number, number];
    this.bhStart = hm(s.businessHours.start);
    this.bhEnd = hm(s.businessHours.end);
    this.workflows = [...s.workflows.map((w) => ({ name: w.name, reactive: w.reactive, fcr: w.fcr, backlog: w.backlog })),
      { name: 'Unclassified', reactive: false, fcr: false, backlog: true }];
    for (const t of this.tickets) this.wfOf.set(t.id as number, this.classify(t));
  }

  label(entity: string, field: string, v: unknown): string | null {
    if (typeof v !== 'number') return null;
    const hit = this.tenant.picklists[entity]?.[field]?.find((x) => x.value === v);
    return hit ? norm(hit.label) : null;
  }

  /** Picklist label as shown (trimmed). */
  display(entity: string, field: string, v: unknown): string | null {
    const hit = typeof v === 'number' ? this.tenant.picklists[entity]?.[field]?.find((x) => x.value === v) : undefined;
    return hit ? hit.label.trim() : null;
  }

  companyName(id: unknown): string | null {
    if (typeof id !== 'number') return null;
    return (this.companies.get(id)?.companyName as string | undefined) ?? `#${id}`;
  }

  resourceName(id: unknown): string | null {
    if (typeof id !== 'number') return null;
    const r = this.resources.get(id);
    return r ? `${r.firstName ?? ''} ${r.lastName ?? ''}`.trim() : `#${id}`;
  }

  private inList(entity: string, field: string, v: unknown, list: string[]): boolean {
    const l = this.label(entity, field, v);
    return l !== null && list.map(norm).includes(l);
  }

  /** kpi-spec §2: first matching rule by labels, else Unclassified. */
  classify(t: Rec): Wf {
    const fieldOf: Record<string, string> = { ticketType: 'ticketType', priority: 'priority', queue: 'queueID', issueType: 'issueType',
      subIssueType: 'subIssueType', ticketCategory: 'ticketCategory', source: 'source', status: 'status' };
    for (const rule of this.s.workflows) {
      let ok = true;
      for (const [k, field] of Object.entries(fieldOf)) {
        const want = (rule as Record<string, unknown>)[k] as string | string[] | undefined;
        if (want === undefined) continue;
        const l = this.label('Tickets', field, t[field]);
        if (l === null || !(Array.isArray(want) ? want : [want]).map(norm).includes(l)) { ok = false; break; }
      }
      if (ok && rule.hasProject !== undefined && (t.projectID !== null) !== rule.hasProject) ok = false;
      if (ok) return this.workflows.find((w) => w.name === rule.name)!;
    }
    return this.workflows[this.workflows.length - 1]!;
  }

  complete(t: Rec): boolean {
    return this.inList('Tickets', 'status', t.status, this.s.completeStatuses);
  }

  bh(a: number, b: number): number {
    return businessHours(a, b, this.tz, this.bhDays, this.bhStart, this.bhEnd, this.holidays);
  }

  /** Work instant of an entry (kpi-spec §1). */
  work(e: Rec): number {
    if (typeof e.startDateTime === 'number') return e.startDateTime;
    return midnight(simDate(e.dateWorked as number), this.tz);
  }

  /** Company of an entry's ticket or task's project. */
  entryCompany(e: Rec): number | null {
    if (typeof e.ticketID === 'number') return num(this.ticketById.get(e.ticketID)?.companyID);
    if (typeof e.taskID === 'number') {
      const task = this.taskById.get(e.taskID);
      return task ? (this.projectCompany.get(task.projectID as number) ?? null) : null;
    }
    return null;
  }

  entriesIn(from: number, to: number): Rec[] {
    return this.entries.filter((e) => { const w = this.work(e); return w >= from && w < to; });
  }

  /** Service resources at T (kpi-spec §1). */
  serviceResources(T: number): number[] {
    // "[T − 56 d, T)": 56 days of 24 h, as "last-7-days = [T − 7 d, T)" reads.
    const ids = new Set<number>();
    for (const e of this.entriesIn(T - 56 * D, T)) ids.add(e.resourceID as number);
    return [...ids].filter((id) => this.resources.get(id)?.isActive === true).sort((a, b) => a - b);
  }

  /** Available hours of a resource on the dates whose 00:00 lies in [from, to). */
  available(rid: number, from: number, to: number): number {
    const a = this.avail.get(rid);
    const names = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    let h = 0;
    for (const d of datesIn(from, to, this.tz)) {
      if (this.holidays.has(d)) continue;
      const dow = isoDow(d);
      h += a ? (num(a[`${names[dow - 1]}AvailableHours`]) ?? 0) : dow <= 5 ? this.s.defaultDailyHours : 0;
    }
    return h;
  }

  /** Completion events (kpi-spec §3): ticket → times. */
  completions(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const r of this.states) {
      if (!this.inList('Tickets', 'status', r.status, this.s.completeStatuses)) continue;
      const list = out.get(r.ticket_id) ?? [];
      list.push(r.completed_date ?? r.changed_at);
      out.set(r.ticket_id, list);
    }
    return out;
  }

  // ---------------------------------------------------------------- intake

  workflowDistribution(T: number, w?: Win): Expected {
    const { from, to } = w ?? previousMonth(T, this.tz);
    const created = this.tickets.filter((t) => (t.createDate as number) >= from && (t.createDate as number) < to);
    const total = created.length;
    const hours = new Map<string, number>();
    for (const e of this.entriesIn(from, to)) {
      if (typeof e.ticketID !== 'number') continue;
      const wf = this.wfOf.get(e.ticketID);
      if (!wf) continue;
      hours.set(wf.name, (hours.get(wf.name) ?? 0) + (num(e.hoursWorked) ?? 0));
    }
    const rows = this.workflows.map((w) => {
      const n = created.filter((t) => this.wfOf.get(t.id as number) === w).length;
      return { workflow: w.name, tickets: n, share_pct: pct(n, total), hours: hours.get(w.name) ?? 0 };
    });
    const unc = rows[rows.length - 1]!.tickets;
    return {
      metrics: { tickets_total: total, workflows_used: rows.slice(0, -1).filter((r) => r.tickets > 0).length, unclassified_pct: pct(unc, total) },
      rows,
    };
  }

  slaPerformance(T: number, w?: Win): Expected {
    const { from, to } = w ?? previousWeek(T, this.tz);
    const events = [['first_response', 'firstResponseDateTime', 'firstResponseDueDateTime'],
      ['resolution_plan', 'resolutionPlanDateTime', 'resolutionPlanDueDateTime'],
      ['resolved', 'resolvedDateTime', 'resolvedDueDateTime']] as const;
    const withSla = this.tickets.filter((t) => t.serviceLevelAgreementID !== null);
    const metrics: Record<string, number | null> = {};
    const calc = (pop: Rec[], a: string, d: string) => {
      const measured = pop.filter((t) => typeof t[a] === 'number' && (t[a] as number) >= from && (t[a] as number) < to && typeof t[d] === 'number');
      const met = measured.filter((t) => (t[a] as number) <= (t[d] as number)).length;
      return { measured: measured.length, met_pct: pct(met, measured.length) };
    };
    for (const [name, a, d] of events) {
      const c = calc(withSla, a, d);
      metrics[`${name}_met_pct`] = c.met_pct;
      metrics[`${name}_measured`] = c.measured;
      metrics[`${name}_breached_open`] = withSla.filter((t) => !this.complete(t) && t[a] === null && typeof t[d] === 'number' && (t[d] as number) < T).length;
    }
    metrics.tickets_without_sla = this.tickets.filter((t) => t.serviceLevelAgreementID === null && (t.createDate as number) >= from && (t.createDate as number) < to).length;
    const rows = this.workflows.map((w) => {
      const pop = withSla.filter((t) => this.wfOf.get(t.id as number) === w);
      const r: Record<string, unknown> = { workflow: w.name };
      for (const [name, a, d] of events) {
        const c = calc(pop, a, d);
        r[`${name}_met_pct`] = c.met_pct;
        r[`${name}_measured`] = c.measured;
      }
      return r;
    });
    return { metrics, rows };
  }

  /** Forecast weeks (kpi-spec §4): W0 and the N week boundaries, as calendar-day midnights. */
  weeks(T: number): { W0: number; starts: string[]; bounds: number[] } {
    const today = localDate(T, this.tz);
    const monday = addDays(today, 1 - isoDow(today));
    const N = this.s.forecastWeeks;
    const starts = Array.from({ length: N }, (_, i) => addDays(monday, 7 * i));
    const bounds = Array.from({ length: N + 1 }, (_, i) => midnight(addDays(monday, 7 * i), this.tz));
    return { W0: bounds[0]!, starts, bounds };
  }

  serviceDelivery(T: number): Expected & { capacity: number[]; demand: number[] } {
    const { W0, starts, bounds } = this.weeks(T);
    const N = this.s.forecastWeeks;
    const res = this.serviceResources(T);
    const available = starts.map((_, i) => sum(res.map((r) => this.available(r, bounds[i]!, bounds[i + 1]!))));
    const capacity = available.map((a) => a * this.s.targetUtilization);
    const baseFrom = midnight(addDays(starts[0]!, -56), this.tz);
    let baseHours = 0;
    for (const e of this.entriesIn(baseFrom, W0)) {
      if (typeof e.ticketID !== 'number') continue;
      const t = this.ticketById.get(e.ticketID);
      if (t && t.projectID === null) baseHours += num(e.hoursWorked) ?? 0;
    }
    const baseline = baseHours / 8;
    const logged = new Map<number, number>();
    for (const e of this.entries) if (typeof e.ticketID === 'number') logged.set(e.ticketID, (logged.get(e.ticketID) ?? 0) + (num(e.hoursWorked) ?? 0));
    const open = this.tickets.filter((t) => !this.complete(t) && t.projectID === null);
    const backlog = sum(open.map((t) => Math.max((num(t.estimatedHours) ?? 0) - (logged.get(t.id as number) ?? 0), 0)));
    const demand = starts.map(() => baseline + backlog / N);
    const rows = starts.map((w, i) => ({ week_start: w, available_hours: available[i], capacity_hours: capacity[i], demand_hours: demand[i], gap_hours: capacity[i]! - demand[i]! }));
    const cap = sum(capacity);
    const dem = sum(demand);
    return {
      capacity, demand, rows,
      metrics: {
        capacity_hours: cap, demand_hours: dem, gap_hours: cap - dem, load_pct: pct(dem, cap),
        fte_gap: (cap - dem) / (N * 40 * this.s.targetUtilization),
        open_tickets_without_estimate: open.filter((t) => !(num(t.estimatedHours) ?? 0)).length,
      },
    };
  }

  projectAvailability(T: number): Expected {
    const { capacity, demand } = this.serviceDelivery(T);
    const { W0, starts, bounds } = this.weeks(T);
    const N = this.s.forecastWeeks;
    const projCap = capacity.map((c, i) => c - demand[i]!);
    const onTask = new Map<number, number>();
    for (const e of this.entries) if (typeof e.taskID === 'number') onTask.set(e.taskID, (onTask.get(e.taskID) ?? 0) + (num(e.hoursWorked) ?? 0));
    const scheduled = starts.map(() => 0);
    let backlog = 0;
    for (const task of this.tasks) {
      if (this.inList('Tasks', 'status', task.status, this.s.completeTaskStatuses)) continue;
      // Documented reading: a negative remainingHours counts as 0.
      const rem = num(task.remainingHours) !== null ? Math.max(num(task.remainingHours)!, 0) : Math.max((num(task.estimatedHours) ?? 0) - (onTask.get(task.id as number) ?? 0), 0);
      backlog += rem;
      const start = num(task.startDateTime);
      const end = num(task.endDateTime);
      if (end !== null && end <= W0) { scheduled[0]! += rem; continue; }
      // "A task without both dates": read as lacking either date.
      if (start === null || end === null) { for (let i = 0; i < N; i++) scheduled[i]! += rem / N; continue; }
      const s0 = Math.max(start, W0);
      const len = end - s0;
      for (let i = 0; i < N; i++) {
        const ov = Math.min(end, bounds[i + 1]!) - Math.max(s0, bounds[i]!);
        if (ov > 0) scheduled[i]! += (rem * ov) / len;
      }
    }
    const rows = starts.map((w, i) => ({ week_start: w, project_capacity_hours: projCap[i], scheduled_hours: scheduled[i], project_available_hours: projCap[i]! - scheduled[i]! }));
    const pc = sum(projCap);
    const sc = sum(scheduled);
    return {
      rows,
      metrics: { project_capacity_hours: pc, scheduled_project_hours: sc, available_project_hours: pc - sc, project_backlog_hours: backlog, weeks_to_clear: pc <= 0 ? null : backlog / (pc / N) },
    };
  }

  backlog(T: number): Expected {
    // Our documented reading: the backlog at T holds only tickets created at or before T (a ticket created
    // after T, seen in the latest synced state, was not in the backlog at T and would get a negative age).
    const open = this.tickets.filter((t) => !this.complete(t) && t.projectID === null && this.wfOf.get(t.id as number)!.backlog && (t.createDate as number) <= T);
    const age = (t: Rec) => (T - (t.createDate as number)) / D;
    const { from, to } = previousWeek(T, this.tz);
    const isBacklogWf = (id: number) => this.wfOf.get(id)?.backlog === true;
    let completed = 0;
    for (const [id, times] of this.completions()) if (isBacklogWf(id) && times.some((x) => x >= from && x < to)) completed++;
    const created = this.tickets.filter((t) => isBacklogWf(t.id as number) && (t.createDate as number) >= from && (t.createDate as number) < to).length;
    const over = open.filter((t) => age(t) > this.s.backlogDays).sort((a, b) => (a.createDate as number) - (b.createDate as number));
    return {
      metrics: {
        open_tickets: open.length, over_threshold: over.length,
        age_lt_10d: open.filter((t) => age(t) < 10).length,
        age_10_30d: open.filter((t) => age(t) >= 10 && age(t) <= 30).length,
        age_gt_30d: open.filter((t) => age(t) > 30).length,
        kill_rate: created === 0 ? null : completed / created,
      },
      rows: over.map((t) => ({
        ticket_id: t.id, ticket_number: t.ticketNumber, title: t.title, company: this.companyName(t.companyID), status: this.display('Tickets', 'status', t.status),
        workflow: this.wfOf.get(t.id as number)!.name, assigned_resource: t.assignedResourceID === null ? 'Unassigned' : this.resourceName(t.assignedResourceID),
        age_days: age(t), days_since_activity: typeof t.lastActivityDate === 'number' ? (T - t.lastActivityDate) / D : null,
      })),
    };
  }

  scheduledNoFutureCall(T: number): Expected {
    const calls = new Map<number, Rec>();
    for (const c of all(this.tenant, 'ServiceCalls')) calls.set(c.id as number, c);
    const future = new Set<number>();
    const lastStart = new Map<number, number>();
    for (const l of all(this.tenant, 'ServiceCallTickets')) {
      const c = calls.get(l.serviceCallID as number);
      if (c && typeof c.startDateTime === 'number') lastStart.set(l.ticketID as number, Math.max(lastStart.get(l.ticketID as number) ?? -Infinity, c.startDateTime));
      if (c && typeof c.startDateTime === 'number' && c.startDateTime > T && c.isComplete !== true && c.canceledDateTime === null) future.add(l.ticketID as number);
    }
    const hits = this.tickets.filter((t) => !this.complete(t) && this.inList('Tickets', 'status', t.status, this.s.scheduledStatuses) && !future.has(t.id as number));
    return {
      metrics: { tickets: hits.length },
      rows: hits.map((t) => ({
        ticket_id: t.id, ticket_number: t.ticketNumber, title: t.title, status: this.display('Tickets', 'status', t.status),
        assigned_resource: t.assignedResourceID === null ? 'Unassigned' : this.resourceName(t.assignedResourceID),
        last_service_call_start: lastStart.has(t.id as number) ? new Date(lastStart.get(t.id as number)!).toISOString() : null,
      })),
    };
  }

  onHoldPastDue(T: number): Expected {
    const hits = this.tickets.filter((t) => !this.complete(t) && this.inList('Tickets', 'status', t.status, this.s.onHoldStatuses) && typeof t.dueDateTime === 'number' && t.dueDateTime < T);
    return { metrics: { tickets: hits.length }, rows: hits.map((t) => ({ ticket_id: t.id, ticket_number: t.ticketNumber, title: t.title, status: this.display('Tickets', 'status', t.status), due: new Date(t.dueDateTime as number).toISOString(), days_past_due: (T - (t.dueDateTime as number)) / D })) };
  }

  // ---------------------------------------------------------------- profitability

  resourceUtilization(T: number, w?: Win): Expected {
    const { from, to } = w ?? previousWeek(T, this.tz);
    const days = datesIn(from, to, this.tz).length;
    const inWin = this.entriesIn(from, to);
    const rows = this.serviceResources(T).map((rid) => {
      const available = this.available(rid, from, to);
      const client = inWin.filter((e) => e.resourceID === rid && (this.entryCompany(e) ?? 0) !== 0);
      const ch = sum(client.map((e) => num(e.hoursWorked) ?? 0));
      const bh = sum(client.filter((e) => e.isNonBillable !== true).map((e) => num(e.hoursWorked) ?? 0));
      const goal = num(this.avail.get(rid)?.weeklyBillableHoursGoal);
      return {
        resource_id: rid, resource: this.resourceName(rid), available_hours: available, client_hours: ch, billable_hours: bh,
        utilization_pct: pct(ch, available), billable_utilization_pct: pct(bh, available),
        goal_attainment_pct: goal ? pct(ch, (goal * days) / 7) : null,
      };
    });
    const av = sum(rows.map((r) => r.available_hours));
    const cl = sum(rows.map((r) => r.client_hours));
    const bi = sum(rows.map((r) => r.billable_hours));
    return { rows, metrics: { utilization_pct: pct(cl, av), billable_utilization_pct: pct(bi, av), available_hours: av, client_hours: cl } };
  }

  mttr(T: number, w?: Win): Expected {
    const { from, to } = w ?? previousMonth(T, this.tz);
    const hit: { wf: Wf; wall: number; bh: number }[] = [];
    for (const t of this.tickets) {
      const wf = this.wfOf.get(t.id as number)!;
      if (!wf.reactive) continue;
      const R = num(t.resolvedDateTime) ?? num(t.completedDate);
      if (R === null || R < from || R >= to) continue;
      const c = t.createDate as number;
      // Documented reading: a resolution before the create date (bad data) counts as 0 hours.
      hit.push({ wf, wall: Math.max(0, R - c) / H, bh: this.bh(c, R) });
    }
    const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : null);
    const bhs = hit.map((h) => h.bh);
    return {
      metrics: { resolved: hit.length, mttr_hours: mean(hit.map((h) => h.wall)), mttr_business_hours: mean(bhs), p50_business_hours: percentile(bhs, 50), p90_business_hours: percentile(bhs, 90) },
      rows: this.workflows.filter((w) => w.reactive).map((w) => {
        const xs = hit.filter((h) => h.wf === w).map((h) => h.bh);
        return { workflow: w.name, resolved: xs.length, mttr_business_hours: mean(xs) };
      }),
    };
  }

  rhem(T: number, w?: Win): Expected {
    const { from, to } = w ?? previousMonth(T, this.tz);
    const E = addDays(localDate(to, this.tz), -1);
    const managed = new Set<number>();
    for (const c of all(this.tenant, 'Contracts')) {
      if (this.label('Contracts', 'status', c.status) !== 'active') continue;
      if (!this.inList('Contracts', 'contractType', c.contractType, this.s.managedContractTypes)) continue;
      // Documented reading: a missing start or end date is open-ended.
      const sd = typeof c.startDate === 'number' ? simDate(c.startDate) : '0000-01-01';
      const ed = typeof c.endDate === 'number' ? simDate(c.endDate) : '9999-12-31';
      if (sd <= E && E <= ed) managed.add(c.companyID as number);
    }
    const endpoints = new Map<number, number>();
    for (const ci of all(this.tenant, 'ConfigurationItems')) {
      if (ci.isActive !== true || !managed.has(ci.companyID as number)) continue;
      if (!this.inList('ConfigurationItems', 'configurationItemType', ci.configurationItemType, this.s.endpointTypes)) continue;
      endpoints.set(ci.companyID as number, (endpoints.get(ci.companyID as number) ?? 0) + 1);
    }
    const hours = new Map<number, number>();
    for (const e of this.entriesIn(from, to)) {
      if (typeof e.ticketID !== 'number') continue;
      const t = this.ticketById.get(e.ticketID);
      if (!t || !this.wfOf.get(e.ticketID)!.reactive || !managed.has(t.companyID as number)) continue;
      hours.set(t.companyID as number, (hours.get(t.companyID as number) ?? 0) + (num(e.hoursWorked) ?? 0));
    }
    const ep = sum([...endpoints.values()]);
    const rh = sum([...hours.values()]);
    return {
      metrics: { rhem: ep === 0 ? null : rh / ep, reactive_hours: rh, managed_endpoints: ep, managed_companies: managed.size },
      rows: [...managed].sort((a, b) => a - b).map((c) => ({ company_id: c, company: this.companyName(c), endpoints: endpoints.get(c) ?? 0, reactive_hours: hours.get(c) ?? 0, rhem: endpoints.get(c) ? (hours.get(c) ?? 0) / endpoints.get(c)! : null })),
    };
  }

  laborProfitability(T: number, w?: Win): Expected {
    const { from, to } = w ?? previousMonth(T, this.tz);
    const revBy = new Map<number, number>();
    let revenue = 0;
    for (const b of all(this.tenant, 'BillingItems')) {
      if (typeof b.itemDate !== 'number' || b.itemDate < from || b.itemDate >= to) continue;
      if (!this.inList('BillingItems', 'billingItemType', b.billingItemType, this.s.serviceRevenueItemTypes)) continue;
      revenue += num(b.extendedPrice) ?? 0;
      revBy.set(b.companyID as number, (revBy.get(b.companyID as number) ?? 0) + (num(b.extendedPrice) ?? 0));
    }
    let cost = 0;
    let without = 0;
    const costBy = new Map<number, number>();
    for (const e of this.entriesIn(from, to)) {
      const ic = num(this.resources.get(e.resourceID as number)?.internalCost);
      const h = num(e.hoursWorked) ?? 0;
      // Documented reading: "no internalCost" is an empty field; 0 is a cost of 0 (the spec writes
      // "empty or 0" when it means both).
      // Documented reading: a client company has a row when it has service revenue or time in the window,
      // so time by uncosted resources alone gives a row with 0 cost.
      if (ic === null) {
        without += h;
        const c0 = this.entryCompany(e);
        if (c0 !== null) costBy.set(c0, costBy.get(c0) ?? 0);
        continue;
      }
      cost += h * ic;
      const c = this.entryCompany(e);
      if (c !== null) costBy.set(c, (costBy.get(c) ?? 0) + h * ic);
    }
    const companies = new Set([...revBy.keys(), ...costBy.keys()].filter((c) => c !== null && c !== 0));
    return {
      metrics: { service_revenue: revenue, labor_cost: cost, labor_profitability_ratio: cost === 0 ? null : revenue / cost, labor_margin_pct: revenue === 0 ? null : (100 * (revenue - cost)) / revenue, hours_without_cost: without },
      rows: [...companies].map((c) => {
        const r = revBy.get(c) ?? 0;
        const k = costBy.get(c) ?? 0;
        return { company_id: c, company: this.companyName(c), service_revenue: r, labor_cost: k, ratio: k === 0 ? null : r / k };
      }),
    };
  }
}

/** Report id → the spec computation. */
/** A window [from, to) in ms. */
export interface Win {
  /** Start (ms). */
  from: number;
  /** End, excluded (ms). */
  to: number;
}

/** Report id → the spec computation (w: a --from/--to window overriding the default). */
export const SPEC: Record<string, (m: SpecModel, T: number, w?: Win) => Expected> = {
  'intake/workflow-distribution': (m, T, w) => m.workflowDistribution(T, w),
  'intake/sla-performance': (m, T, w) => m.slaPerformance(T, w),
  'intake/service-delivery-forecast': (m, T) => m.serviceDelivery(T),
  'intake/project-availability-forecast': (m, T) => m.projectAvailability(T),
  'intake/backlog': (m, T) => m.backlog(T),
  'intake/scheduled-no-future-call': (m, T) => m.scheduledNoFutureCall(T),
  'intake/on-hold-past-due': (m, T) => m.onHoldPastDue(T),
  'profitability/resource-utilization': (m, T, w) => m.resourceUtilization(T, w),
  'profitability/mttr': (m, T, w) => m.mttr(T, w),
  'profitability/rhem': (m, T, w) => m.rhem(T, w),
  'profitability/labor-profitability': (m, T, w) => m.laborProfitability(T, w),
};

export { at, H };
