import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { NOW, post } from './_helpers.js';

/**
 * The large scale is a contract too: >= 100k tickets, >= 1M time entries, and keyset, change-window and
 * by-ticket pages answered right at that size. How fast it generates and answers is measured by
 * `npm run bench` (sync section: generation seconds, page times as a ratio to a full scan).
 */
let sim: Simulator;
beforeAll(async () => {
  const tenant = generateTenant({ seed: 11, scale: 'large', now: NOW });
  sim = await startSimulator({ tenant });
}, 180_000);
afterAll(async () => {
  await sim?.close();
});

describe('large scale', () => {
  it('has the documented size', () => {
    expect(sim.tenant.table('Tickets').size).toBeGreaterThanOrEqual(100_000);
    expect(sim.tenant.table('TimeEntries').size).toBeGreaterThanOrEqual(1_000_000);
  });

  it('answers keyset, change-window and by-ticket pages', async () => {
    const te = sim.tenant.table('TimeEntries');
    const mid = te.idAt(Math.floor(te.length / 2));
    for (let i = 0; i < 20; i++) {
      const r = await post(sim, 'TimeEntries/query', { filter: [{ op: 'gt', field: 'id', value: mid + i * 500 }] });
      expect(r.body.items).toHaveLength(500);
      expect(r.body.items[0].id).toBeGreaterThan(mid + i * 500);
    }
    const s = sim.advance(3_600_000);
    const r = await post(sim, 'TimeEntries/query', { filter: [{ op: 'gte', field: 'lastModifiedDateTime', value: new Date(s.from + 1).toISOString() }] });
    expect(r.body.items.map((x: { id: number }) => x.id)).toEqual(expect.arrayContaining(s.timeEntries.created));
    const someTicket = te.get(te.length - 10, 'ticketID') ?? te.get(100, 'ticketID');
    const byTicket = await post(sim, 'TimeEntries/query', { filter: [{ op: 'eq', field: 'ticketID', value: someTicket }] });
    expect(byTicket.body.items.length).toBeGreaterThan(0);
    expect(byTicket.body.items.every((x: { ticketID: number }) => x.ticketID === someTicket)).toBe(true);
  });
});
