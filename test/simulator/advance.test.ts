import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { NOW, post, queryAll, start } from './_helpers.js';

const D = 86_400_000;
let sim: Simulator;
beforeEach(async () => {
  sim = await start();
});
afterEach(async () => {
  await sim.close();
});

type Rec = Record<string, unknown>;
const since = (field: string, at: number) => [{ op: 'gte', field, value: new Date(at).toISOString() }];

describe('advance', () => {
  it('moves the clock and produces every kind of change, each visible through the API', async () => {
    const before = await queryAll(sim, 'Tickets', { filter: [{ op: 'exist', field: 'id' }] });
    const beforeById = new Map(before.items.map((t) => [t.id, t]));
    const s = sim.advance(D);
    expect(s.from).toBe(NOW);
    expect(s.to).toBe(NOW + D);
    expect(sim.now()).toBe(NOW + D);
    for (const k of ['created', 'completed', 'reopened', 'escalated', 'deleted'] as const) expect(s.tickets[k].length, k).toBeGreaterThan(0);
    expect(s.timeEntries.created.length).toBeGreaterThan(0);
    expect(s.timeEntries.deleted.length).toBeGreaterThan(0);
    expect(s.opportunities.stageChanged.length + s.opportunities.won.length + s.opportunities.lost.length).toBeGreaterThan(0);

    // Every changed ticket carries the new now as lastActivityDate, so an incremental sync sees it.
    const changed = (await queryAll(sim, 'Tickets', { filter: since('lastActivityDate', NOW + 1) })).items;
    const changedIds = new Set(changed.map((t) => t.id));
    for (const id of [...s.tickets.created, ...s.tickets.completed, ...s.tickets.reopened, ...s.tickets.escalated, ...s.tickets.updated]) {
      expect(changedIds.has(id), `ticket ${id}`).toBe(true);
    }
    const byId = new Map(changed.map((t) => [t.id, t]));
    for (const id of s.tickets.completed) {
      const t = byId.get(id)!;
      expect(t.status).toBe(5);
      const done = Date.parse(t.completedDate as string);
      expect(done).toBeGreaterThan(NOW);
      expect(done).toBeLessThanOrEqual(NOW + D);
      expect(done).toBeGreaterThanOrEqual(Date.parse(t.createDate as string));
      expect(Date.parse(t.lastActivityDate as string)).toBe(NOW + D);
      expect(t.completedByResourceID).not.toBeNull();
    }
    for (const id of s.tickets.reopened) {
      expect(beforeById.get(id)!.status).toBe(5);
      expect(byId.get(id)!.status).not.toBe(5);
      expect(byId.get(id)!.completedDate).toBeNull();
    }
    const escalate = sim.tenant.value('Tickets', 'status', 'Escalate');
    const tiers = [sim.tenant.value('Tickets', 'queueID', 'Tier 2'), sim.tenant.value('Tickets', 'queueID', 'Tier 3')];
    for (const id of s.tickets.escalated) {
      const t = byId.get(id)!;
      expect(t.status === escalate || tiers.includes(t.queueID as number)).toBe(true);
    }

    // Deleted tickets vanish and leave a DeletedTicketLogs row.
    for (const id of s.tickets.deleted) expect((await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'id', value: id }] })).body.items).toEqual([]);
    const logs = (await queryAll(sim, 'DeletedTicketLogs', { filter: since('deletedDateTime', NOW + 1) })).items;
    expect(logs.map((l) => l.ticketID).sort()).toEqual([...s.tickets.deleted].sort());
    const teLogs = [
      ...(await queryAll(sim, 'DeletedTicketActivityLogs', { filter: since('deletedDateTime', NOW + 1) })).items,
      ...(await queryAll(sim, 'DeletedTaskActivityLogs', { filter: since('deletedDateTime', NOW + 1) })).items,
    ];
    expect(teLogs.length).toBe(s.timeEntries.deleted.length);

    // New and approved time entries carry the new lastModifiedDateTime; approvals produce billing items.
    const tes = (await queryAll(sim, 'TimeEntries', { filter: since('lastModifiedDateTime', NOW + 1) })).items.map((t) => t.id);
    for (const id of [...s.timeEntries.created, ...s.timeEntries.approved]) expect(tes).toContain(id);
    const bis = (await queryAll(sim, 'BillingItems', { filter: since('postedDate', NOW + 1) })).items;
    expect(bis.map((b) => b.id).sort()).toEqual([...s.billingItems.created].sort());

    const opps = (await queryAll(sim, 'Opportunities', { filter: since('lastActivity', NOW + 1) })).items.map((o) => o.id);
    for (const id of [...s.opportunities.won, ...s.opportunities.lost, ...s.opportunities.stageChanged]) expect(opps).toContain(id);
  });

  it('keeps the tenant consistent over several steps', async () => {
    for (let i = 0; i < 5; i++) sim.advance(6 * 3_600_000);
    const tickets = (await queryAll(sim, 'Tickets', { filter: [{ op: 'exist', field: 'id' }] })).items as Rec[];
    for (const t of tickets) {
      if (t.status === 5) expect(t.completedDate).not.toBeNull();
      else expect(t.completedDate).toBeNull();
      expect(Date.parse(t.lastActivityDate as string)).toBeLessThanOrEqual(sim.now());
    }
    const ids = tickets.map((t) => t.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('does nothing for zero and is deterministic for the same seed', async () => {
    const z = sim.advance(0);
    expect(z.tickets.created).toEqual([]);
    const other = await start();
    try {
      expect(other.advance(D)).toEqual(sim.advance(D));
    } finally {
      await other.close();
    }
  });
});

describe('tenant helpers', () => {
  it('insert, update and remove with Autotask side effects', async () => {
    const t = sim.tenant;
    const company = (await post(sim, 'Companies/query', { filter: [{ op: 'gt', field: 'id', value: 0 }], MaxRecords: 1 })).body.items[0];
    const id = t.insert('Tickets', {
      title: 'Inserted by a test', companyID: company.id, status: t.value('Tickets', 'status', 'New'), priority: t.value('Tickets', 'priority', 'High'),
      createDate: '2026-10-15T09:00:00Z',
    });
    let r = (await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'id', value: id }] })).body.items[0];
    expect(r.title).toBe('Inserted by a test');
    expect(r.createDate).toMatch(/^2026-10-15T09:00:00(\.000)?Z$/);
    expect(Date.parse(r.lastActivityDate)).toBe(NOW);

    // Move the clock without letting the service desk touch the new ticket.
    t.now += 3_600_000;
    t.update('Tickets', id, { status: 5 });
    r = (await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'id', value: id }] })).body.items[0];
    expect(r.status).toBe(5);
    expect(Date.parse(r.completedDate)).toBe(sim.now());
    expect(Date.parse(r.lastActivityDate)).toBe(sim.now());
    const history = (await post(sim, 'TicketHistory/query', { filter: [{ op: 'eq', field: 'ticketID', value: id }] })).body.items;
    expect(history.length).toBeGreaterThanOrEqual(2);

    const teId = t.insert('TimeEntries', { resourceID: 29682890, roleID: 29683401, ticketID: id, dateWorked: '2026-10-15', hoursWorked: 1, isNonBillable: false });
    t.remove('TimeEntries', teId);
    const log = (await post(sim, 'DeletedTicketActivityLogs/query', { filter: [{ op: 'eq', field: 'ticketID', value: id }] })).body.items;
    expect(log).toHaveLength(1);
    t.remove('Tickets', id);
    const tlog = (await post(sim, 'DeletedTicketLogs/query', { filter: [{ op: 'eq', field: 'ticketID', value: id }] })).body.items;
    expect(tlog).toHaveLength(1);
    expect(Date.parse(tlog[0].deletedDateTime)).toBe(sim.now());
  });

  it('PATCHes tickets over HTTP and refuses DELETE on tickets', async () => {
    const ticket = (await post(sim, 'Tickets/query', { filter: [{ op: 'noteq', field: 'status', value: 5 }], MaxRecords: 1 })).body.items[0];
    sim.advance(60_000);
    const h = { ApiIntegrationCode: sim.credentials.integrationCode, UserName: sim.credentials.username, Secret: sim.credentials.secret, 'Content-Type': 'application/json' };
    const patch = await fetch(`${sim.baseUrl}V1.0/Tickets`, { method: 'PATCH', headers: h, body: JSON.stringify({ id: ticket.id, priority: 4 }) });
    expect(patch.status).toBe(200);
    expect(await patch.json()).toEqual({ itemId: ticket.id });
    const after = (await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'id', value: ticket.id }] })).body.items[0];
    expect(after.priority).toBe(4);
    expect(Date.parse(after.lastActivityDate)).toBe(sim.now());
    const bad = await fetch(`${sim.baseUrl}V1.0/Tickets`, { method: 'PATCH', headers: h, body: JSON.stringify({ id: ticket.id, priority: 3 }) });
    expect(bad.status).toBe(500);
    expect(await bad.json()).toEqual({ errors: ['Picklist value [3] does not exist for priority'] });
    const del = await fetch(`${sim.baseUrl}V1.0/Tickets/${ticket.id}`, { method: 'DELETE', headers: h });
    expect(del.status).toBe(405);
    await del.text();
  });
});

describe('writes over HTTP', () => {
  it('creates a time entry, deriving hours and work date, and bumps the ticket', async () => {
    const ticket = (await post(sim, 'Tickets/query', { filter: [{ op: 'noteq', field: 'status', value: 5 }], MaxRecords: 1 })).body.items[0];
    sim.tenant.now += 60_000;
    const h = { ApiIntegrationCode: sim.credentials.integrationCode, UserName: sim.credentials.username, Secret: sim.credentials.secret, 'Content-Type': 'application/json' };
    const missing = await fetch(`${sim.baseUrl}V1.0/TimeEntries`, { method: 'POST', headers: h, body: JSON.stringify({ ticketID: ticket.id, hoursWorked: 1 }) });
    expect(missing.status).toBe(500);
    await missing.text();
    const r = await fetch(`${sim.baseUrl}V1.0/TimeEntries`, {
      method: 'POST', headers: h,
      body: JSON.stringify({ ticketID: ticket.id, resourceID: 29682890, roleID: 29683401, startDateTime: '2026-10-15T10:00:00', endDateTime: '2026-10-15T11:30:00' }),
    });
    expect(r.status).toBe(200);
    const { itemId } = (await r.json()) as { itemId: number };
    const te = (await post(sim, 'TimeEntries/query', { filter: [{ op: 'eq', field: 'id', value: itemId }] })).body.items[0];
    expect(te).toMatchObject({ hoursWorked: 1.5, hoursToBill: 1.5, dateWorked: '2026-10-15T00:00:00', isNonBillable: false });
    const t = (await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'id', value: ticket.id }] })).body.items[0];
    expect(Date.parse(t.lastActivityDate)).toBe(sim.now());
    const del = await fetch(`${sim.baseUrl}V1.0/TimeEntries/${itemId}`, { method: 'DELETE', headers: h });
    expect(del.status).toBe(200);
    await del.text();
    expect((await post(sim, 'DeletedTicketActivityLogs/query', { filter: [{ op: 'eq', field: 'ticketID', value: ticket.id }] })).body.items.length).toBeGreaterThan(0);
  });
});
