import type Database from 'better-sqlite3';
import type { Tenant } from '../../src/simulator/index.js';

/**
 * An independent model of kpi-spec §1–§3, §6, §7, §8 for the tech-performance, accounting and sales reports,
 * written straight from the spec text. It reads the simulator's tenant (the source of truth) and, for the
 * §3 state history that only our sync produces, the store's ticket_states / opportunity_states. Nothing here
 * comes from src/reporting or reports/: a disagreement with `run --format json` is a finding, not a tautology.
 */

type Rec = Record<string, number | string | boolean | null>;
type Metrics = Record<string, number | null>;
export type Row = Record<string, unknown>;
export interface Expected { metrics: Metrics; rows: Row[]; window?: { from: number; to: number } }

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// ---- time (Intl only) ----------------------------------------------------------------------------------

const fmts = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmts.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    fmts.set(tz, f);
  }
  return f;
}
function wall(ms: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const x of fmt(tz).formatToParts(ms)) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}
function offsetAt(ms: number, tz: string): number {
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - (ms - (((ms % 1000) + 1000) % 1000));
}
/** The instant of a local wall time (date `YYYY-MM-DD`, hh:mm) in a zone. */
export function zoned(date: string, tz: string, hh = 0, mm = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let t = guess - offsetAt(guess, tz);
  t = guess - offsetAt(t, tz);
  return t;
}
export function localDate(ms: number, tz: string): string {
  const w = wall(ms, tz);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}
const dateMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const msDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (date: string, n: number) => msDate(dateMs(date) + n * DAY);
/** ISO weekday 1 (Mon) … 7 (Sun) of a calendar date. */
const isoDow = (date: string) => ((new Date(dateMs(date)).getUTCDay() + 6) % 7) + 1;
const daysBetween = (a: string, b: string) => Math.round((dateMs(b) - dateMs(a)) / DAY);

export function windowOf(kind: 'previous-week' | 'previous-month' | 'last-7-days', T: number, tz: string): { from: number; to: number } {
  const today = localDate(T, tz);
  if (kind === 'last-7-days') return { from: T - 7 * DAY, to: T };
  if (kind === 'previous-week') {
    const monday = addDays(today, 1 - isoDow(today));
    return { from: zoned(addDays(monday, -7), tz), to: zoned(monday, tz) };
  }
  const [y, m] = today.split('-').map(Number) as [number, number];
  const first = `${y}-${String(m).padStart(2, '0')}-01`;
  const prev = m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
  return { from: zoned(prev, tz), to: zoned(first, tz) };
}

// ---- percentiles, percentages ---------------------------------------------------------------------------

export function nearestRank(values: number[], k: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((k / 100) * s.length)) - 1]!;
}
const pct = (a: number, b: number) => (b === 0 ? null : (100 * a) / b);

// ---- tenant access ---------------------------------------------------------------------------------------

function rows(tenant: Tenant, entity: string): Rec[] {
  const t = tenant.table(entity);
  const out: Rec[] = [];
  for (let i = 0; i < t.length; i++) if (t.isAlive(i)) out.push({ ...t.stored(i), id: t.idAt(i) });
  return out;
}
const norm = (s: string | undefined | null) => (s ?? '').trim().toLowerCase();

/** Everything the model needs, read once. */
export class Model {
  readonly tickets: Rec[];
  readonly ticketById = new Map<number, Rec>();
  readonly entries: Rec[];
  readonly resources = new Map<number, Rec>();
  readonly holidays = new Set<string>();
  readonly companies = new Map<number, Rec>();
  private readonly ticketStates = new Map<number, Rec[]>();
  private readonly oppStates = new Map<number, Rec[]>();

  constructor(readonly tenant: Tenant, db: Database.Database) {
    this.tickets = rows(tenant, 'Tickets');
    for (const t of this.tickets) this.ticketById.set(t.id as number, t);
    this.entries = rows(tenant, 'TimeEntries');
    for (const r of rows(tenant, 'Resources')) this.resources.set(r.id as number, r);
    for (const c of rows(tenant, 'Companies')) this.companies.set(c.id as number, c);
    for (const h of rows(tenant, 'Holidays')) if (typeof h.holidayDate === 'number') this.holidays.add(msDate(h.holidayDate));
    for (const s of db.prepare('SELECT * FROM ticket_states ORDER BY ticket_id, id').all() as Rec[]) {
      const id = s.ticket_id as number;
      if (!this.ticketStates.has(id)) this.ticketStates.set(id, []);
      this.ticketStates.get(id)!.push(s);
    }
    for (const s of db.prepare('SELECT * FROM opportunity_states ORDER BY opportunity_id, id').all() as Rec[]) {
      const id = s.opportunity_id as number;
      if (!this.oppStates.has(id)) this.oppStates.set(id, []);
      this.oppStates.get(id)!.push(s);
    }
  }

  /** Company name of an id (null without one). */
  companyName(id: unknown): string | null {
    return typeof id === 'number' ? String(this.companies.get(id)?.companyName ?? `#${id}`) : null;
  }
  /** Company name of a contract's company. */
  contractCompany(contractId: unknown): string | null {
    const c = typeof contractId === 'number' ? this.tenant.get('Contracts', contractId) : undefined;
    return c ? this.companyName(c.companyID) : null;
  }

  /** "First Last" of a resource; "Unassigned" without an id. */
  resourceName(id: number | null): string {
    if (id === null) return 'Unassigned';
    const r = this.resources.get(id);
    return r ? [r.firstName, r.lastName].map((s) => String(s ?? '').trim()).filter(Boolean).join(' ') : `#${id}`;
  }

  label(entity: string, field: string, v: unknown): string {
    return norm(typeof v === 'number' ? this.tenant.label(entity, field, v) : undefined);
  }

  // §2 default workflows, first match wins.
  workflow(t: Rec): { name: string; reactive: boolean; fcr: boolean; backlog: boolean } {
    const L = (f: string) => this.label('Tickets', f, t[f]);
    const type = L('ticketType');
    const prio = L('priority');
    if (t.projectID !== null && t.projectID !== undefined) return { name: 'Project', reactive: false, fcr: false, backlog: false };
    if (type === 'alert') return { name: 'Alert', reactive: false, fcr: false, backlog: false };
    if (L('ticketCategory') === 'recurring') return { name: 'Recurring Maintenance', reactive: false, fcr: false, backlog: false };
    if (type === 'incident') {
      const n = ({ critical: 'Critical Incident', high: 'High Incident', medium: 'Medium Incident', low: 'Normal Incident' } as Record<string, string>)[prio];
      if (n) return { name: n, reactive: true, fcr: true, backlog: true };
    }
    if (type === 'problem') return { name: 'Problem', reactive: false, fcr: false, backlog: true };
    if (type === 'change request') return { name: 'Change (MAC)', reactive: false, fcr: false, backlog: true };
    if (type === 'service request') {
      const it = L('issueType');
      if (it === 'quick hit') return { name: 'Quick Hit', reactive: false, fcr: true, backlog: true };
      if (it === 'install') return { name: 'Install', reactive: false, fcr: false, backlog: true };
      return { name: 'Service Request', reactive: false, fcr: false, backlog: true };
    }
    return { name: 'Unclassified', reactive: false, fcr: false, backlog: true };
  }

  bh(a: number, b: number, tz: string): number {
    if (b <= a) return 0;
    let total = 0;
    for (let d = localDate(a, tz); d <= localDate(b, tz); d = addDays(d, 1)) {
      if (isoDow(d) > 5 || this.holidays.has(d)) continue;
      const lo = Math.max(a, zoned(d, tz, 8));
      const hi = Math.min(b, zoned(d, tz, 17));
      if (hi > lo) total += hi - lo;
    }
    return total / HOUR;
  }

  workInstant(e: Rec, tz: string): number {
    return typeof e.startDateTime === 'number' ? e.startDateTime : zoned(msDate(e.dateWorked as number), tz);
  }

  // ---- §3 ----
  private complete(status: unknown): boolean {
    return this.label('Tickets', 'status', status) === 'complete';
  }
  completions(ticket: number): { at: number; idx: number; rec: Rec }[] {
    const out: { at: number; idx: number; rec: Rec }[] = [];
    (this.ticketStates.get(ticket) ?? []).forEach((r, idx) => {
      if (this.complete(r.status)) out.push({ at: (r.completed_date as number | null) ?? (r.changed_at as number), idx, rec: r });
    });
    return out;
  }
  /** Whether a non-complete record follows completion `c` within reopenDays (14). */
  reopenedAfter(ticket: number, c: { at: number; idx: number }): boolean {
    const st = this.ticketStates.get(ticket) ?? [];
    for (let i = c.idx + 1; i < st.length; i++) {
      if (!this.complete(st[i]!.status) && (st[i]!.changed_at as number) - c.at <= 14 * DAY) return true;
    }
    return false;
  }
  escalated(ticket: number): boolean {
    return (this.ticketStates.get(ticket) ?? []).some((r) => this.label('Tickets', 'status', r.status) === 'escalate'
      || ['tier 2', 'tier 3'].includes(this.label('Tickets', 'queueID', r.queue_id)));
  }
  /**
   * "The first recorded assignedResource of the ticket". Read literally that may be the first record's value,
   * often empty for a ticket created into a queue; the report documents the other reading — the first resource
   * ever recorded as assigned (records before the first assignment skipped) — which is what a service manager
   * wants from "who first owned it". The checker follows the documented reading.
   */
  firstAssigned(ticket: number): number | null {
    return ((this.ticketStates.get(ticket) ?? []).find((r) => r.assigned_resource_id !== null)?.assigned_resource_id as number | null) ?? null;
  }
  /** Every recorded state of a ticket, in record order. */
  ticketRecords(ticket: number): Rec[] {
    return this.ticketStates.get(ticket) ?? [];
  }
  /** Tickets with recorded states. */
  recordedTickets(): number[] {
    return [...this.ticketStates.keys()];
  }
  /** Opportunities with recorded states. */
  recordedOpportunities(): number[] {
    return [...this.oppStates.keys()];
  }
  oppRecords(opp: number): Rec[] {
    return this.oppStates.get(opp) ?? [];
  }
}

// ---- §6 tech performance ---------------------------------------------------------------------------------

function perResource<T extends { res: number | null; hit: boolean }>(items: T[], den: string, num: string, rate: string): Row[] {
  const by = new Map<number | null, { d: number; n: number }>();
  for (const i of items) {
    const a = by.get(i.res) ?? { d: 0, n: 0 };
    a.d++;
    if (i.hit) a.n++;
    by.set(i.res, a);
  }
  return [...by].map(([id, a]) => ({ resource_id: id, [den]: a.d, [num]: a.n, [rate]: pct(a.n, a.d) }));
}
function named(m: Model, e: Expected): Expected {
  for (const r of e.rows) r.resource = m.resourceName(r.resource_id as number | null);
  return e;
}

export function rtte(m: Model, T: number, tz: string): Expected {
  return named(m, rtte0(m, T, tz));
}
function rtte0(m: Model, T: number, tz: string): Expected {
  const w = windowOf('previous-week', T, tz);
  const lags: number[] = [];
  let without = 0;
  const by = new Map<number | null, number[]>();
  for (const e of m.entries) {
    const c = e.createDateTime as number;
    if (!(c >= w.from && c < w.to)) continue;
    const res = e.resourceID as number | null;
    if (!by.has(res)) by.set(res, []);
    if (typeof e.endDateTime !== 'number') { without++; continue; }
    const lag = (c - e.endDateTime) / MIN;
    lags.push(lag);
    by.get(res)!.push(lag);
  }
  const on = (l: number[]) => l.filter((x) => x <= 15).length;
  return {
    window: w,
    metrics: { rtte_pct: pct(on(lags), lags.length), measured: lags.length, without_end_time: without, median_lag_minutes: nearestRank(lags, 50) },
    rows: [...by].map(([id, l]) => ({ resource_id: id, measured: l.length, on_time: on(l), rtte_pct: pct(on(l), l.length), median_lag_minutes: nearestRank(l, 50) })),
  };
}

/** Backlog-flagged (or fcr-flagged) tickets with a completion event in the window, each once (first such event). */
function completedIn(m: Model, w: { from: number; to: number }, flag: 'backlog' | 'fcr') {
  const out: { t: Rec; first: { at: number; idx: number; rec: Rec }; inWin: { at: number; idx: number; rec: Rec }[] }[] = [];
  for (const t of m.tickets) {
    if (!m.workflow(t)[flag]) continue;
    const inWin = m.completions(t.id as number).filter((c) => c.at >= w.from && c.at < w.to);
    if (inWin.length) out.push({ t, first: inWin[0]!, inWin });
  }
  return out;
}
const completer = (r: Rec) => ((r.completed_by_resource_id ?? r.assigned_resource_id) as number | null) ?? null;

export function reopenRate(m: Model, T: number, tz: string): Expected {
  return named(m, reopenRate0(m, T, tz));
}
function reopenRate0(m: Model, T: number, tz: string): Expected {
  const w = windowOf('previous-month', T, tz);
  const items = completedIn(m, w, 'backlog').map((c) => ({
    res: completer(c.first.rec),
    // "Reopened = those with a reopen after such a completion": any of its in-window completions.
    hit: c.inWin.some((e) => m.reopenedAfter(c.t.id as number, e)),
  }));
  const n = items.filter((i) => i.hit).length;
  return { window: w, metrics: { completed: items.length, reopened: n, reopen_rate_pct: pct(n, items.length) }, rows: perResource(items, 'completed', 'reopened', 'reopen_rate_pct') };
}

export function escalationRate(m: Model, T: number, tz: string): Expected {
  return named(m, escalationRate0(m, T, tz));
}
function escalationRate0(m: Model, T: number, tz: string): Expected {
  const w = windowOf('previous-month', T, tz);
  const items = completedIn(m, w, 'backlog').map((c) => ({ res: m.firstAssigned(c.t.id as number), hit: m.escalated(c.t.id as number) }));
  const n = items.filter((i) => i.hit).length;
  return { window: w, metrics: { completed: items.length, escalated: n, escalation_rate_pct: pct(n, items.length) }, rows: perResource(items, 'completed', 'escalated', 'escalation_rate_pct') };
}

export function fcr(m: Model, T: number, tz: string): Expected {
  return named(m, fcr0(m, T, tz));
}
function fcr0(m: Model, T: number, tz: string): Expected {
  const w = windowOf('previous-month', T, tz);
  const entryCount = new Map<number, number>();
  for (const e of m.entries) if (typeof e.ticketID === 'number') entryCount.set(e.ticketID, (entryCount.get(e.ticketID) ?? 0) + 1);
  const items = completedIn(m, w, 'fcr').map((c) => {
    const id = c.t.id as number;
    const neverReopened = !m.completions(id).some((e) => m.reopenedAfter(id, e));
    // bh from createDate to the (first in-window) completion time.
    const hit = neverReopened && entryCount.get(id) === 1 && m.bh(c.t.createDate as number, c.first.at, tz) <= 1;
    return { res: completer(c.first.rec), hit };
  });
  const n = items.filter((i) => i.hit).length;
  return { window: w, metrics: { eligible: items.length, first_contact_resolved: n, fcr_pct: pct(n, items.length) }, rows: perResource(items, 'eligible', 'first_contact_resolved', 'fcr_pct') };
}

// ---- §7 accounting ---------------------------------------------------------------------------------------

function companyOfEntry(m: Model, e: Rec, tasks: Map<number, Rec>, projects: Map<number, Rec>): number | null {
  if (typeof e.ticketID === 'number') return (m.ticketById.get(e.ticketID)?.companyID as number | null) ?? null;
  if (typeof e.taskID === 'number') {
    const p = tasks.get(e.taskID)?.projectID;
    return typeof p === 'number' ? ((projects.get(p)?.companyID as number | null) ?? null) : null;
  }
  return null;
}
const byId = (tenant: Tenant, entity: string) => new Map(rows(tenant, entity).map((r) => [r.id as number, r]));

export function approveAndPost(m: Model, T: number, tz: string): Expected {
  const billed = new Set(rows(m.tenant, 'BillingItems').map((b) => b.timeEntryID).filter((x) => typeof x === 'number'));
  const roles = byId(m.tenant, 'Roles');
  const tasks = byId(m.tenant, 'Tasks');
  const projects = byId(m.tenant, 'Projects');
  let entries = 0, hours = 0, value = 0, over7 = 0, over30 = 0;
  const by = new Map<number | null, { entries: number; hours: number; value: number; oldest: number }>();
  for (const e of m.entries) {
    if (e.billingApprovalDateTime !== null && e.billingApprovalDateTime !== undefined) continue;
    if (e.isNonBillable === true) continue;
    const h = (e.hoursToBill as number | null) ?? 0;
    if (!(h > 0)) continue;
    const wi = m.workInstant(e, tz);
    if (!(wi < T)) continue;
    if (billed.has(e.id as number)) continue;
    const v = h * (((typeof e.roleID === 'number' ? roles.get(e.roleID)?.hourlyRate : null) as number | null) ?? 0);
    const age = T - wi;
    entries++; hours += h; value += v;
    if (age > 7 * DAY) over7++;
    if (age > 30 * DAY) over30++;
    const c = companyOfEntry(m, e, tasks, projects);
    const a = by.get(c) ?? { entries: 0, hours: 0, value: 0, oldest: 0 };
    a.entries++; a.hours += h; a.value += v; a.oldest = Math.max(a.oldest, age / DAY);
    by.set(c, a);
  }
  return { metrics: { entries, hours, value, over_7d: over7, over_30d: over30 }, rows: [...by].map(([id, a]) => ({ company_id: id, company: m.companyName(id) ?? 'No company', entries: a.entries, hours: a.hours, value: a.value, oldest_days: a.oldest })) };
}

function activeContracts(m: Model): Rec[] {
  return rows(m.tenant, 'Contracts').filter((c) => m.label('Contracts', 'status', c.status) === 'active');
}

export function expiredContracts(m: Model, T: number, tz: string): Expected {
  const today = localDate(T, tz);
  const list = activeContracts(m).filter((c) => typeof c.endDate === 'number' && msDate(c.endDate) < today);
  return { metrics: { contracts: list.length }, rows: list.map((c) => ({ contract_id: c.id, contract: c.contractName, company: m.companyName(c.companyID), end_date: msDate(c.endDate as number), days_expired: daysBetween(msDate(c.endDate as number), today), renewed: c.renewedContractID !== null && c.renewedContractID !== undefined })) };
}

export function contractRenewals(m: Model, T: number, tz: string): Expected {
  const today = localDate(T, tz);
  const openOppCompanies = new Set(rows(m.tenant, 'Opportunities').filter((o) => m.label('Opportunities', 'status', o.status) === 'active').map((o) => o.companyID));
  const b = { due_30: 0, due_60: 0, due_90: 0, due_120: 0 };
  let rev = 0;
  const out: Row[] = [];
  for (const c of activeContracts(m)) {
    if (typeof c.endDate !== 'number') continue;
    const d = daysBetween(today, msDate(c.endDate));
    if (d < 0 || d > 120) continue;
    const key = d <= 30 ? 'due_30' : d <= 60 ? 'due_60' : d <= 90 ? 'due_90' : 'due_120';
    b[key]++;
    rev += (c.estimatedRevenue as number | null) ?? 0;
    out.push({ contract_id: c.id, contract: c.contractName, company: m.companyName(c.companyID), end_date: msDate(c.endDate), days_left: d, has_open_opportunity: openOppCompanies.has(c.companyID) });
  }
  return { metrics: { ...b, estimated_revenue: rev }, rows: out };
}

export function contractProfitability(m: Model, T: number, tz: string): Expected {
  const w = windowOf('previous-month', T, tz);
  const per = new Map<number, { revenue: number; cost: number }>();
  const get = (id: number) => { let a = per.get(id); if (!a) { a = { revenue: 0, cost: 0 }; per.set(id, a); } return a; };
  for (const b of rows(m.tenant, 'BillingItems')) {
    if (typeof b.contractID !== 'number' || typeof b.itemDate !== 'number' || b.itemDate < w.from || b.itemDate >= w.to) continue;
    const a = get(b.contractID);
    a.revenue += (b.extendedPrice as number | null) ?? 0;
    if (!['labor', 'labor adjustment'].includes(m.label('BillingItems', 'billingItemType', b.billingItemType))) a.cost += (b.ourCost as number | null) ?? 0;
  }
  for (const e of m.entries) {
    if (typeof e.contractID !== 'number') continue;
    const wi = m.workInstant(e, tz);
    if (wi < w.from || wi >= w.to) continue;
    const cost = (m.resources.get(e.resourceID as number)?.internalCost as number | null) ?? 0;
    get(e.contractID).cost += ((e.hoursWorked as number | null) ?? 0) * cost;
  }
  let revenue = 0, cost = 0;
  for (const a of per.values()) { revenue += a.revenue; cost += a.cost; }
  return {
    window: w,
    metrics: { revenue, cost, margin_pct: revenue === 0 ? null : (100 * (revenue - cost)) / revenue },
    rows: [...per].map(([id, a]) => ({ contract_id: id, company: m.contractCompany(id), revenue: a.revenue, cost: a.cost, margin_pct: a.revenue === 0 ? null : (100 * (a.revenue - a.cost)) / a.revenue })),
  };
}

// ---- §8 sales --------------------------------------------------------------------------------------------

function opps(m: Model, status: string[]): Rec[] {
  return rows(m.tenant, 'Opportunities').filter((o) => status.includes(m.label('Opportunities', 'status', o.status)));
}

export function pipeline(m: Model): Expected {
  const by = new Map<string, { n: number; amount: number; weighted: number }>();
  let n = 0, amount = 0, weighted = 0;
  for (const o of opps(m, ['active'])) {
    const stage = m.label('Opportunities', 'stage', o.stage);
    const a = by.get(stage) ?? { n: 0, amount: 0, weighted: 0 };
    const amt = (o.amount as number | null) ?? 0;
    const wv = (amt * ((o.probability as number | null) ?? 0)) / 100;
    a.n++; a.amount += amt; a.weighted += wv;
    by.set(stage, a);
    n++; amount += amt; weighted += wv;
  }
  return { metrics: { open_opportunities: n, open_amount: amount, weighted_amount: weighted }, rows: [...by].map(([s, a]) => ({ stage: s, opportunities: a.n, amount: a.amount, weighted_amount: a.weighted })) };
}

export function readyToClose(m: Model, T: number, tz: string): Expected {
  const today = localDate(T, tz);
  const list = opps(m, ['active']).filter((o) => {
    const pc = typeof o.projectedCloseDate === 'number' ? msDate(o.projectedCloseDate) : null;
    return (pc !== null && pc >= today && pc <= addDays(today, 30)) || ((o.probability as number | null) ?? 0) >= 75;
  });
  return { metrics: { opportunities: list.length, amount: list.reduce((s, o) => s + ((o.amount as number | null) ?? 0), 0) }, rows: list.map((o) => ({ opportunity_id: o.id, amount: o.amount, probability: o.probability })) };
}

export function stuckInStage(m: Model, T: number): Expected {
  const out: Row[] = [];
  for (const o of opps(m, ['active'])) {
    const stage = m.label('Opportunities', 'stage', o.stage);
    if (stage !== 'sales engineering') continue;
    const recs = m.oppRecords(o.id as number);
    // The current run: walk back from the last record while the stage label stays the same.
    let i = recs.length - 1;
    if (i < 0 || m.label('Opportunities', 'stage', recs[i]!.stage) !== stage) continue;
    while (i > 0 && m.label('Opportunities', 'stage', recs[i - 1]!.stage) === stage) i--;
    const days = (T - (recs[i]!.changed_at as number)) / DAY;
    if (days > 14) out.push({ opportunity_id: o.id, days_in_stage: days });
  }
  return { metrics: { opportunities: out.length }, rows: out };
}

export function closedLastWeek(m: Model, T: number, tz: string): Expected {
  const w = windowOf('last-7-days', T, tz);
  const inW = (d: unknown) => typeof d === 'number' && zoned(msDate(d), tz) >= w.from && zoned(msDate(d), tz) < w.to;
  const won = opps(m, ['closed', 'implemented']).filter((o) => inW(o.closedDate));
  const lost = opps(m, ['lost']).filter((o) => inW(o.lostDate));
  const sum = (l: Rec[]) => l.reduce((s, o) => s + ((o.amount as number | null) ?? 0), 0);
  return {
    window: w,
    metrics: { won: won.length, won_amount: sum(won), lost: lost.length, lost_amount: sum(lost) },
    rows: [...won.map((o) => ({ opportunity_id: o.id, outcome: 'won', amount: o.amount })), ...lost.map((o) => ({ opportunity_id: o.id, outcome: 'lost', amount: o.amount }))],
  };
}

export function accountActivity(m: Model, T: number): Expected {
  const list = rows(m.tenant, 'Companies').filter((c) => c.isActive === true && ['customer', 'prospect'].includes(m.label('Companies', 'companyType', c.companyType)));
  const stale = list.filter((c) => typeof c.lastActivityDate !== 'number' || c.lastActivityDate < T - 90 * DAY).length;
  const perOwner = new Map<unknown, Rec[]>();
  for (const c of list) perOwner.set(c.ownerResourceID ?? null, [...(perOwner.get(c.ownerResourceID ?? null) ?? []), c]);
  // 10 oldest + 10 newest per owner. Our documented reading: never-active accounts are the oldest of all;
  // ties go by company id (the spec names no order within equal dates).
  const at = (c: Rec) => (typeof c.lastActivityDate === 'number' ? c.lastActivityDate : -Infinity);
  const out: Row[] = [];
  for (const [owner, cs] of perOwner) {
    const asc = [...cs].sort((a, b) => at(a) - at(b) || (a.id as number) - (b.id as number));
    const desc = [...cs].sort((a, b) => at(b) - at(a) || (a.id as number) - (b.id as number));
    for (const c of asc.slice(0, 10)) out.push({ key: `${String(c.id)}/oldest`, owner_id: owner, last_activity: typeof c.lastActivityDate === 'number' ? new Date(c.lastActivityDate).toISOString() : null });
    for (const c of desc.slice(0, 10)) out.push({ key: `${String(c.id)}/newest`, owner_id: owner, last_activity: typeof c.lastActivityDate === 'number' ? new Date(c.lastActivityDate).toISOString() : null });
  }
  return { metrics: { accounts: list.length, stale_90d: stale }, rows: out };
}

export function todos(m: Model, T: number): Expected {
  const open = rows(m.tenant, 'CompanyToDos').filter((t) => t.completedDate === null || t.completedDate === undefined);
  const overdue = (t: Rec) => typeof t.startDateTime === 'number' && t.startDateTime < T;
  // next_due follows our documented reading: the earliest start at or after T (overdue ones are not "next").
  const by = new Map<number | null, { open: number; overdue: number; next: number | null }>();
  for (const t of open) {
    const r = (t.assignedToResourceID as number | null) ?? null;
    const a = by.get(r) ?? { open: 0, overdue: 0, next: null };
    a.open++;
    if (overdue(t)) a.overdue++;
    if (typeof t.startDateTime === 'number' && t.startDateTime >= T && (a.next === null || t.startDateTime < a.next)) a.next = t.startDateTime;
    by.set(r, a);
  }
  return {
    metrics: { open: open.length, overdue: open.filter(overdue).length },
    rows: [...by].map(([id, a]) => ({ resource_id: id, open: a.open, overdue: a.overdue, next_due: a.next === null ? null : new Date(a.next).toISOString() })),
  };
}

export function appointments(m: Model, T: number): Expected {
  const list = rows(m.tenant, 'Appointments').filter((a) => typeof a.startDateTime === 'number' && a.startDateTime >= T && a.startDateTime < T + 7 * DAY);
  return { window: { from: T, to: T + 7 * DAY }, metrics: { appointments: list.length }, rows: list.map((a) => ({ title: a.title })) };
}
