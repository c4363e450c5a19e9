import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { NOW, post } from './_helpers.js';

/** The large scale is a contract too: >= 100k tickets, >= 1M time entries, generated well under a minute, fast pages. */
let sim: Simulator;
let genMs = 0;
beforeAll(async () => {
  const t0 = Date.now();
  const tenant = generateTenant({ seed: 11, scale: 'large', now: NOW });
  genMs = Date.now() - t0;
  sim = await startSimulator({ tenant });
}, 180_000);
afterAll(async () => {
  await sim?.close();
});

describe('large scale', () => {
  it('has the documented size and generates in well under a minute', () => {
    expect(sim.tenant.table('Tickets').size).toBeGreaterThanOrEqual(100_000);
    expect(sim.tenant.table('TimeEntries').size).toBeGreaterThanOrEqual(1_000_000);
    expect(genMs).toBeLessThan(45_000);
  });

  it('answers keyset and change-window pages without scanning the table', async () => {
    const te = sim.tenant.table('TimeEntries');
    const mid = te.idAt(Math.floor(te.length / 2));
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      const r = await post(sim, 'TimeEntries/query', { filter: [{ op: 'gt', field: 'id', value: mid + i * 500 }] });
      expect(r.body.items).toHaveLength(500);
      expect(r.body.items[0].id).toBeGreaterThan(mid + i * 500);
    }
    const keysetMs = (Date.now() - t0) / 20;
    const s = sim.advance(3_600_000);
    const t1 = Date.now();
    const r = await post(sim, 'TimeEntries/query', { filter: [{ op: 'gte', field: 'lastModifiedDateTime', value: new Date(s.from + 1).toISOString() }] });
    const changedMs = Date.now() - t1;
    expect(r.body.items.map((x: { id: number }) => x.id)).toEqual(expect.arrayContaining(s.timeEntries.created));
    const someTicket = te.get(te.length - 10, 'ticketID') ?? te.get(100, 'ticketID');
    await post(sim, 'TimeEntries/query', { filter: [{ op: 'eq', field: 'ticketID', value: someTicket }] });
    const t2 = Date.now();
    for (let i = 0; i < 10; i++) {
      const byTicket = await post(sim, 'TimeEntries/query', { filter: [{ op: 'eq', field: 'ticketID', value: someTicket }] });
      expect(byTicket.body.items.length).toBeGreaterThan(0);
    }
    const eqMs = (Date.now() - t2) / 10;
    expect(eqMs).toBeLessThan(200);
    // Generous bounds for a shared 2-core machine; a full scan of a million rows per page would blow them.
    expect(keysetMs).toBeLessThan(400);
    expect(changedMs).toBeLessThan(3000);
  });
});
