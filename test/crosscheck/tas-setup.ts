import type { Config } from '../../src/config.js';
import { generateTenant, startSimulator, type Simulator, type Tenant } from '../../src/simulator/index.js';
import { simHome } from '../helpers/synced.js';

/** Picklists the reports match by label; the cross-check tenant gives them new numbers before the first sync. */
const RENUMBERED: [string, string][] = [
  ['Tickets', 'status'], ['Tickets', 'queueID'], ['Tickets', 'ticketType'], ['Tickets', 'priority'], ['Tickets', 'issueType'],
  ['Tickets', 'ticketCategory'], ['Contracts', 'status'], ['BillingItems', 'billingItemType'], ['Opportunities', 'stage'],
  ['Opportunities', 'status'], ['Companies', 'companyType'],
];

/**
 * Tenants renumber picklists and labels are what people configure (kpi-spec §1): every picklist the checked
 * reports read gets values far from the simulator's defaults (v → 1000 + 7v), so a report that matched a
 * number instead of a label would disagree with the model.
 */
export function renumber(t: Tenant): void {
  for (const [entity, field] of RENUMBERED) {
    const map: Record<number, number> = {};
    for (const v of t.picklists[entity]?.[field] ?? []) map[v.value] = 1000 + 7 * v.value;
    t.renumberPicklist(entity, field, map);
  }
}

/**
 * Like test/helpers/synced.ts `syncedStore`, but the tenant is generated here so that it can be changed
 * (`prepare`) before the first sync; `days` simulated days follow, each with a sync.
 */
export async function crossSyncedStore(opts: { seed: number; now: number; days: number; prepare?: (t: Tenant) => void }): Promise<{ sim: Simulator; cfg: Config; dir: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const tenant = generateTenant({ seed: opts.seed, scale: 'small', now: opts.now - opts.days * 86_400_000 });
  opts.prepare?.(tenant);
  const h = simHome(await startSimulator({ port: 0, seed: opts.seed, tenant }), 'psa-crosscheck-');
  await h.sync();
  for (let d = 0; d < opts.days; d++) {
    h.sim.advance(86_400_000);
    await h.sync();
  }
  return { sim: h.sim, cfg: h.config(), dir: h.dir, env: h.env, cleanup: h.cleanup };
}
