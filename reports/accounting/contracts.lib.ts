import { dateOf } from '../../src/reporting/time.js';

/**
 * What a contract bills per period as last billed, shared by the renewal and expired-contract reports: each
 * reads its contracts' recurring billing items (the Autotask system types Recurring Contract Service and
 * Recurring Contract Service Adjustment, dated before the as-of time) with its own SQL, and sums them here.
 */

/** A recurring billing item of a contract. */
export interface RecurringItem {
  contract_id: number;
  item_at: number;
  amount: number | null;
  /** 1 for a Recurring Contract Service item, 0 for an adjustment. */
  is_service: number;
}

/**
 * Per contract, the sum of its recurring items (service and adjustments) dated in the month, in the zone, of
 * its latest Recurring Contract Service item.
 */
export function lastRecurring(items: RecurringItem[], tz: string): Map<number, number> {
  const month = (ms: number) => dateOf(ms, tz).slice(0, 7);
  const latest = new Map<number, string>();
  for (const i of items) {
    if (!i.is_service) continue;
    const m = month(i.item_at);
    if ((latest.get(i.contract_id) ?? '') < m) latest.set(i.contract_id, m);
  }
  const out = new Map<number, number>();
  for (const i of items) {
    if (latest.get(i.contract_id) !== month(i.item_at)) continue;
    out.set(i.contract_id, (out.get(i.contract_id) ?? 0) + (i.amount ?? 0));
  }
  return out;
}
