import { defineReport } from '../../src/reporting/define.js';
import { DAY } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';
import { personName } from '../../src/reporting/names.js';

interface Found {
  company_id: number;
  company_name: string | null;
  owner_id: number | null;
  owner_first: string | null;
  owner_last: string | null;
  last_activity_ms: number | null;
}

/** Accounts listed per owner at each end. */
const PER_END = 10;

export default defineReport({
  title: 'Customer and prospect activity by account owner',
  description:
    'How recently each active customer and prospect account was worked (its last activity date in Autotask). ' +
    'stale_90d counts accounts with no activity recorded, or none in the 90 days before the as-of time. For each ' +
    'account owner the table lists the 10 accounts with the oldest activity (position "oldest"; never-active ' +
    'accounts first) and the 10 with the most recent (position "newest"); an owner with fewer than 20 accounts ' +
    'has some accounts in both lists; equal activity dates are ordered by company id. Accounts without an owner are ' +
    'grouped as "Unassigned". 90 days are 90 × 24 h before the as-of time.',
  summary:
    '{accounts} active customer and prospect accounts; {stale_90d} of them have had no recorded activity in the last 90 days.',
  window: 'point-in-time',
  metrics: {
    accounts: { label: 'Active accounts', unit: 'count' },
    stale_90d: { label: 'No activity in 90 days', unit: 'count', better: 'lower', trend: true },
  },
  columns: [
    { key: 'owner', label: 'Owner', unit: 'text' },
    { key: 'position', label: 'List', unit: 'text' },
    { key: 'company', label: 'Account', unit: 'text' },
    { key: 'last_activity', label: 'Last activity', unit: 'datetime' },
  ],
  burst: { technician: 'owner_id' },
  compute(ctx) {
    const found = ctx.query<Found>();
    const staleBefore = ctx.asOf - 90 * DAY;
    let stale = 0;
    const byOwner = new Map<number | null, { owner: string; accounts: Found[] }>();
    for (const c of found) {
      if (c.last_activity_ms === null || c.last_activity_ms < staleBefore) stale++;
      let g = byOwner.get(c.owner_id);
      if (!g) { g = { owner: personName(c.owner_id, c.owner_first, c.owner_last), accounts: [] }; byOwner.set(c.owner_id, g); }
      g.accounts.push(c);
    }
    // Never-active accounts sort as the oldest of all.
    const at = (c: Found) => c.last_activity_ms ?? -Infinity;
    const rows: Row[] = [];
    const owners = [...byOwner.entries()].sort(([ia, a], [ib, b]) => (ia === null ? 1 : 0) - (ib === null ? 1 : 0) || a.owner.localeCompare(b.owner));
    for (const [ownerId, g] of owners) {
      const asc = [...g.accounts].sort((a, b) => at(a) - at(b) || a.company_id - b.company_id);
      const desc = [...g.accounts].sort((a, b) => at(b) - at(a) || a.company_id - b.company_id);
      const row = (c: Found, position: 'oldest' | 'newest'): Row => ({
        company_id: c.company_id,
        company: c.company_name ?? `#${c.company_id}`,
        owner_id: ownerId,
        owner: g.owner,
        last_activity: c.last_activity_ms === null ? null : new Date(c.last_activity_ms).toISOString(),
        position,
      });
      for (const c of asc.slice(0, PER_END)) rows.push(row(c, 'oldest'));
      for (const c of desc.slice(0, PER_END)) rows.push(row(c, 'newest'));
    }
    return { metrics: { accounts: found.length, stale_90d: stale }, rows };
  },
});
