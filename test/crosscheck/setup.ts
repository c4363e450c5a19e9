import type { Config } from '../../src/config.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { simHome } from '../helpers/synced.js';
import { injectEdgeCases } from './edge-cases.js';

/**
 * Like test/helpers/synced.ts `syncedStore`, plus what the cross-check needs: picklist values renumbered
 * before the first sync (tenants number their picklists differently; reports must go by label, and swapped
 * values such as Critical ↔ High would show a report that reads ids), then `days` simulated days with a
 * sync after each, then the edge-case records, a sync, the edge cases' later changes (a deletion) and a last sync.
 */
export async function crossStore(opts: { seed: number; now: number; days: number }): Promise<{ sim: Simulator; cfg: Config; dir: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const h = simHome(await startSimulator({ port: 0, seed: opts.seed, scale: 'small', now: opts.now - opts.days * 86_400_000 }), 'psa-cross-');
  const { sim, sync } = h;
  const t = sim.tenant;
  t.renumberPicklist('Tickets', 'priority', { 4: 1, 1: 4 });
  t.renumberPicklist('Tickets', 'ticketType', { 2: 3, 3: 2 });
  t.renumberPicklist('Tickets', 'queueID', { 29683355: 29683356, 29683356: 29683355 });
  t.renumberPicklist('Tickets', 'status', { 23: 27, 27: 23 });
  t.renumberPicklist('Tasks', 'status', { 14: 16, 16: 14 });
  t.renumberPicklist('Contracts', 'contractType', { 7: 4, 4: 7 });
  t.renumberPicklist('ConfigurationItems', 'configurationItemType', { 3: 9, 9: 3 });
  t.renumberPicklist('BillingItems', 'billingItemType', { 1: 4, 4: 1 });
  await sync();
  for (let d = 0; d < opts.days; d++) {
    sim.advance(86_400_000);
    await sync();
  }
  const later = injectEdgeCases(t);
  await sync();
  later();
  await sync();
  return { sim, cfg: h.config(), dir: h.dir, env: h.env, cleanup: h.cleanup };
}
