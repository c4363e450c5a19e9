/**
 * The order a bundle shows its reports in: what an owner looks for first. Service promises (SLA) and the
 * team's time (utilisation, backlog) lead, then money, then the desk's quality measures, then lists to work
 * through, then sales. Reports not named here keep their schedule's order after these.
 */
export const OWNER_ORDER: readonly string[] = [
  'intake/sla-performance',
  'profitability/resource-utilization',
  'intake/backlog',
  'profitability/labor-profitability',
  'accounting/approve-and-post',
  'intake/service-delivery-forecast',
  'profitability/mttr',
  'tech-performance/first-contact-resolution',
  'tech-performance/reopen-rate',
  'tech-performance/escalation-rate',
  'tech-performance/real-time-time-entry',
  'profitability/rhem',
  'accounting/contract-profitability',
  'intake/on-hold-past-due',
  'intake/scheduled-no-future-call',
  'intake/workflow-distribution',
  'intake/project-availability-forecast',
  'accounting/expired-contracts',
  'accounting/contract-renewals',
  'sales/pipeline',
  'sales/closed-last-week',
  'sales/ready-to-close',
  'sales/stuck-in-stage',
  'sales/todos',
  'sales/account-activity',
  'sales/appointments',
];

/** Sorts items by OWNER_ORDER of their report id; a stable sort, unknown ids last in their given order. */
export function ownerOrder<T>(items: T[], idOf: (t: T) => string): T[] {
  const rank = (t: T): number => {
    const i = OWNER_ORDER.indexOf(idOf(t));
    return i < 0 ? OWNER_ORDER.length : i;
  };
  return items.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map((x) => x.t);
}
