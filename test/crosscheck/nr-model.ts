import type { Tenant } from '../../src/simulator/index.js';
import { zoned, type Expected, type Model, type Row } from './tas-model.js';

/**
 * An independent model of the five reports kpi-spec added last (intake/needs-intervention,
 * accounting/commissions, accounting/expense-approvals, accounting/unbilled-expenses, sales/won-handoff),
 * written from the spec text over the simulator's tenant. Nothing here comes from src/reporting or reports/.
 * Settings are the defaults unless given.
 */

type Rec = Record<string, number | string | boolean | null>;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function all(t: Tenant, entity: string): Rec[] {
  const tb = t.table(entity);
  const out: Rec[] = [];
  for (let i = 0; i < tb.length; i++) if (tb.isAlive(i)) out.push({ ...tb.stored(i), id: tb.idAt(i) } as Rec);
  return out;
}
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export interface NrSettings {
  slaRiskHours: number; unassignedMinutes: number; staleDays: number;
  onHold: string[]; scheduled: string[];
  commission: { basis: 'gross_profit' | 'revenue'; defaultRate: number; rates: Record<string, number> };
}
export const DEFAULTS: NrSettings = {
  slaRiskHours: 2, unassignedMinutes: 30, staleDays: 3,
  onHold: ['on hold', 'waiting customer', 'waiting vendor', 'waiting materials'], scheduled: ['scheduled', 'dispatched'],
  commission: { basis: 'gross_profit', defaultRate: 0.1, rates: {} },
};

export function needsIntervention(m: Model, T: number, s: NrSettings = DEFAULTS): Expected {
  const order = ['breached', 'at_risk', 'unassigned', 'stale'];
  const counts: Record<string, number> = { breached: 0, at_risk: 0, unassigned: 0, stale: 0 };
  const out: { row: Row; r: number; key: number; id: number }[] = [];
  for (const t of m.tickets) {
    if (m.label('Tickets', 'status', t.status) === 'complete') continue;
    if (t.projectID !== null && t.projectID !== undefined) continue;
    if (!m.workflow(t).backlog) continue;
    const events = [['firstResponseDateTime', 'firstResponseDueDateTime'], ['resolutionPlanDateTime', 'resolutionPlanDueDateTime'], ['resolvedDateTime', 'resolvedDueDateTime']];
    const dues = events.filter(([a, d]) => num(t[d!]) !== null && num(t[a!]) === null).map(([, d]) => t[d!] as number);
    const reasons: string[] = [];
    if (dues.some((d) => d < T)) reasons.push('breached');
    else if (dues.some((d) => T <= d && d < T + s.slaRiskHours * HOUR)) reasons.push('at_risk');
    const created = num(t.createDate);
    if ((t.assignedResourceID === null || t.assignedResourceID === undefined) && created !== null && T - created > s.unassignedMinutes * MIN) reasons.push('unassigned');
    const st = m.label('Tickets', 'status', t.status);
    const act = num(t.lastActivityDate) ?? created;
    if (!s.onHold.includes(st) && !s.scheduled.includes(st) && act !== null && T - act > s.staleDays * DAY) reasons.push('stale');
    if (!reasons.length) continue;
    for (const r of reasons) counts[r]!++;
    const next = dues.length ? Math.min(...dues) : null;
    const reason = reasons[0]!;
    out.push({
      r: order.indexOf(reason), id: t.id as number,
      key: reason === 'breached' || reason === 'at_risk' ? next! : reason === 'unassigned' ? created! : act!,
      row: {
        ticket_id: t.id, reason, workflow: m.workflow(t).name,
        next_due: next === null ? null : new Date(next).toISOString(),
        minutes_to_due: next === null ? null : (next - T) / MIN,
        age_hours: created === null ? null : (T - created) / HOUR,
      },
    });
  }
  out.sort((a, b) => a.r - b.r || a.key - b.key || a.id - b.id);
  return { metrics: { tickets: out.length, ...counts }, rows: out.map((o) => o.row) };
}

/** Won = status label Closed or Implemented; closedDate (a date) in [from, to) by its 00:00 in the zone. */
function won(m: Model, from: number, to: number, tz: string): Rec[] {
  return all(m.tenant, 'Opportunities').filter((o) => ['closed', 'implemented'].includes(m.label('Opportunities', 'status', o.status))
    && typeof o.closedDate === 'number' && zoned(ymd(o.closedDate), tz) >= from && zoned(ymd(o.closedDate), tz) < to);
}

export function commissions(m: Model, w: { from: number; to: number }, tz: string, s: NrSettings = DEFAULTS): Expected {
  const by = new Map<number | null, { won: number; revenue: number; gross_profit: number; commission: number; rate: number }>();
  let n = 0, revenue = 0, gp = 0, commission = 0;
  for (const o of won(m, w.from, w.to, tz)) {
    const amount = num(o.amount) ?? 0;
    const profit = amount - (num(o.cost) ?? 0);
    const owner = num(o.ownerResourceID);
    const rate = owner !== null && String(owner) in s.commission.rates ? s.commission.rates[String(owner)]! : s.commission.defaultRate;
    const c = Math.max(s.commission.basis === 'revenue' ? amount : profit, 0) * rate;
    const row = by.get(owner) ?? { won: 0, revenue: 0, gross_profit: 0, commission: 0, rate };
    row.won++; row.revenue += amount; row.gross_profit += profit; row.commission += c;
    by.set(owner, row);
    n++; revenue += amount; gp += profit; commission += c;
  }
  const rows = [...by.entries()].map(([resource_id, v]) => ({ resource_id, ...v }))
    .sort((a, b) => b.commission - a.commission || (a.resource_id ?? Infinity) - (b.resource_id ?? Infinity));
  return { window: w, metrics: { won: n, revenue, gross_profit: gp, commission, margin_pct: revenue === 0 ? null : (100 * gp) / revenue }, rows };
}

export function expenseApprovals(m: Model, T: number): Expected {
  const reports = all(m.tenant, 'ExpenseReports');
  const amount = (r: Rec) => num(r.internalCurrencyExpenseTotal) ?? 0;
  const awaiting = reports.filter((r) => m.label('ExpenseReports', 'status', r.status) === 'awaiting approval');
  const rows = awaiting.map((r) => ({ expense_report_id: r.id, age_days: num(r.submitDate) === null ? null : (T - (r.submitDate as number)) / DAY, amount: amount(r), _at: num(r.submitDate) ?? Infinity }))
    .sort((a, b) => a._at - b._at || (a.expense_report_id as number) - (b.expense_report_id as number))
    .map(({ _at, ...r }) => r);
  return {
    metrics: {
      reports: awaiting.length,
      amount: awaiting.reduce((s, r) => s + amount(r), 0),
      over_7d: rows.filter((r) => r.age_days !== null && r.age_days > 7).length,
      approved_unpaid_amount: reports.filter((r) => m.label('ExpenseReports', 'status', r.status) === 'approved for payment').reduce((s, r) => s + amount(r), 0),
    },
    rows,
  };
}

export function unbilledExpenses(m: Model, T: number): Expected {
  const status = new Map(all(m.tenant, 'ExpenseReports').map((r) => [r.id, m.label('ExpenseReports', 'status', r.status)]));
  const billed = new Set(all(m.tenant, 'BillingItems').map((b) => b.expenseItemID).filter((x) => typeof x === 'number'));
  const ok = ['approved for payment', 'paid', 'transferred to quickbooks'];
  const items = all(m.tenant, 'ExpenseItems').filter((i) => i.isBillableToCompany === true && num(i.expenseDate) !== null && (i.expenseDate as number) < T
    && ok.includes(status.get(i.expenseReportID as number) ?? '') && !billed.has(i.id));
  const by = new Map<number | null, { items: number; amount: number; oldest: number }>();
  for (const i of items) {
    const c = num(i.companyID);
    const g = by.get(c) ?? { items: 0, amount: 0, oldest: Infinity };
    g.items++; g.amount += num(i.internalCurrencyExpenseAmount) ?? 0; g.oldest = Math.min(g.oldest, i.expenseDate as number);
    by.set(c, g);
  }
  const rows = [...by.entries()].map(([company_id, g]) => ({ company_id, items: g.items, amount: g.amount, oldest_days: (T - g.oldest) / DAY }))
    .sort((a, b) => b.amount - a.amount || (a.company_id ?? Infinity) - (b.company_id ?? Infinity));
  return {
    metrics: { items: items.length, amount: items.reduce((s, i) => s + (num(i.internalCurrencyExpenseAmount) ?? 0), 0), companies: new Set(items.map((i) => i.companyID).filter((c) => c !== null && c !== undefined)).size },
    rows,
  };
}

export function wonHandoff(m: Model, T: number, tz: string): Expected {
  const w = { from: T - 30 * DAY, to: T };
  const linked = (entity: string) => new Set(all(m.tenant, entity).map((r) => r.opportunityID).filter((x) => typeof x === 'number'));
  const contracts = linked('Contracts');
  const orders = linked('SalesOrders');
  const delivery = new Set([...linked('Projects'), ...linked('Tickets')]);
  const rows = won(m, w.from, w.to, tz).map((o) => {
    const z = (f: string) => num(o[f]) ?? 0;
    const state = (needed: boolean, has: boolean) => (has ? 'yes' : needed ? 'no' : 'n/a');
    return {
      opportunity_id: o.id,
      contract: state(z('monthlyRevenue') + z('quarterlyRevenue') + z('semiannualRevenue') + z('yearlyRevenue') > 0, contracts.has(o.id)),
      sales_order: state(z('onetimeCost') > 0, orders.has(o.id)),
      delivery: state(true, delivery.has(o.id)),
      days_since_close: (T - zoned(ymd(o.closedDate as number), tz)) / DAY,
    };
  });
  const gap = (r: (typeof rows)[number]) => [r.contract, r.sales_order, r.delivery].includes('no');
  rows.sort((a, b) => Number(gap(b)) - Number(gap(a)) || b.days_since_close - a.days_since_close || (a.opportunity_id as number) - (b.opportunity_id as number));
  const handed = rows.filter((r) => !gap(r)).length;
  return {
    window: w,
    metrics: {
      won: rows.length, handed_off: handed,
      missing_contract: rows.filter((r) => r.contract === 'no').length,
      missing_sales_order: rows.filter((r) => r.sales_order === 'no').length,
      missing_delivery: rows.filter((r) => r.delivery === 'no').length,
      handoff_pct: rows.length ? (100 * handed) / rows.length : null,
    },
    rows,
  };
}
