import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { call, get, headers, post, queryAll, start } from './_helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start({ scale: 'small' });
});
afterAll(async () => {
  await sim.close();
});

type Rec = Record<string, unknown>;

describe('paging', () => {
  it('follows nextPageUrl with POST and the same body across many pages', async () => {
    const body = { filter: [{ op: 'gte', field: 'id', value: 0 }] };
    const { items, pages } = await queryAll(sim, 'TimeEntries', body);
    const total = sim.tenant.table('TimeEntries').size;
    expect(total).toBeGreaterThan(5000);
    expect(items.length).toBe(total);
    expect(pages).toBe(Math.ceil(total / 500));
    const ids = items.map((r) => r.id as number);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('shapes nextPageUrl as an absolute .../query/next?paging= URL and ends with null', async () => {
    const r = await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 100 });
    const next = r.body.pageDetails.nextPageUrl as string;
    expect(next.startsWith(`${sim.baseUrl}V1.0/Tickets/query/next?paging=`)).toBe(true);
    const paging = JSON.parse(new URL(next).searchParams.get('paging')!);
    expect(paging).toMatchObject({ pageSize: 100 });
    expect(paging.nextIds).toEqual([r.body.items.at(-1).id]);
    expect(r.body.pageDetails.prevPageUrl).toBeNull();
    const last = await post(sim, 'Tickets/query', { filter: [{ op: 'gt', field: 'id', value: sim.tenant.table('Tickets').maxId - 1 }] });
    expect(last.body.pageDetails.nextPageUrl).toBeNull();
  });

  it('follows GET cursors with GET and answers 405 to GET on a POST cursor', async () => {
    const search = JSON.stringify({ filter: [{ op: 'exist', field: 'id' }], MaxRecords: 200 });
    let r = await get(sim, `Tickets/query?search=${encodeURIComponent(search)}`);
    const seen: number[] = [];
    let pages = 0;
    for (;;) {
      expect(r.status).toBe(200);
      pages++;
      seen.push(...r.body.items.map((x: Rec) => x.id as number));
      const next = r.body.pageDetails.nextPageUrl as string | null;
      if (!next) break;
      expect(next).toContain('&search=');
      r = await call(next, { headers: headers(sim) });
    }
    expect(seen.length).toBe(sim.tenant.table('Tickets').size);
    expect(pages).toBe(Math.ceil(seen.length / 200));

    const p = await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 200 });
    const wrong = await call(p.body.pageDetails.nextPageUrl, { headers: headers(sim) });
    expect(wrong.status).toBe(405);
    expect(typeof wrong.body.Message).toBe('string');
  });

  it('tolerates an empty body when following a POST cursor', async () => {
    const body = { filter: [{ op: 'eq', field: 'status', value: 5 }], MaxRecords: 50 };
    const p = await post(sim, 'Tickets/query', body);
    const withBody = await call(p.body.pageDetails.nextPageUrl, { method: 'POST', headers: headers(sim), body: JSON.stringify(body) });
    const empty = await call(p.body.pageDetails.nextPageUrl, { method: 'POST', headers: headers(sim) });
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual(withBody.body.items);
    expect(withBody.body.items.every((t: Rec) => t.status === 5)).toBe(true);
  });

  it('gives identical rows with id-keyset paging', async () => {
    const filter = [{ op: 'noteq', field: 'isNonBillable', value: true }];
    const viaCursor = (await queryAll(sim, 'TimeEntries', { filter })).items.map((r) => r.id);
    const viaKeyset: unknown[] = [];
    let last = -1;
    for (;;) {
      const r = await post(sim, 'TimeEntries/query', { filter: [...filter, { op: 'gt', field: 'id', value: last }] });
      viaKeyset.push(...r.body.items.map((x: Rec) => x.id));
      if (r.body.items.length < 500) break;
      last = r.body.items.at(-1).id;
    }
    expect(viaKeyset).toEqual(viaCursor);
    expect(viaCursor.length).toBeGreaterThan(1000);
  });

  it('pages a change-timestamp window in id order', async () => {
    const since = new Date(sim.now() - 30 * 86_400_000).toISOString();
    const filter = [{ op: 'gte', field: 'lastModifiedDateTime', value: since }];
    const { items } = await queryAll(sim, 'TimeEntries', { filter, MaxRecords: 100 });
    const want = (await queryAll(sim, 'TimeEntries', { filter: [{ op: 'exist', field: 'id' }] })).items
      .filter((r) => Date.parse(r.lastModifiedDateTime as string) >= Date.parse(since)).map((r) => r.id);
    expect(items.map((r) => r.id)).toEqual(want);
    expect(want.length).toBeGreaterThan(100);
  });
});

describe('paging extras', () => {
  it('follows prevPageUrl back to the previous page', async () => {
    const body = { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 50 };
    const p1 = await post(sim, 'Tickets/query', body);
    const p2 = await call(p1.body.pageDetails.nextPageUrl, { method: 'POST', headers: headers(sim), body: JSON.stringify(body) });
    expect(p2.body.pageDetails.prevPageUrl).not.toBeNull();
    const back = await call(p2.body.pageDetails.prevPageUrl, { method: 'POST', headers: headers(sim), body: JSON.stringify(body) });
    expect(back.body.items).toEqual(p1.body.items);
  });

  it('answers 404 to over-long GET URLs when the limit is on', async () => {
    const s = await start({ maxGetUrlLength: 2100 });
    try {
      const ids = Array.from({ length: 400 }, (_, i) => 10000 + i);
      const search = encodeURIComponent(JSON.stringify({ filter: [{ op: 'in', field: 'id', value: ids }] }));
      expect((await get(s, `Tickets/query?search=${search}`)).status).toBe(404);
      expect((await post(s, 'Tickets/query', { filter: [{ op: 'in', field: 'id', value: ids }] })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('equality lookups', () => {
  it('answers eq and in on a foreign key exactly like a scan would', async () => {
    const every = (await queryAll(sim, 'TimeEntries', { filter: [{ op: 'exist', field: 'id' }] })).items;
    const ticketIds = [...new Set(every.map((r) => r.ticketID).filter((x) => x !== null))].slice(0, 40) as number[];
    const one = (await queryAll(sim, 'TimeEntries', { filter: [{ op: 'eq', field: 'ticketID', value: ticketIds[3] }] })).items;
    expect(one.map((r) => r.id)).toEqual(every.filter((r) => r.ticketID === ticketIds[3]).map((r) => r.id));
    const many = (await queryAll(sim, 'TimeEntries', { filter: [{ op: 'in', field: 'ticketID', value: ticketIds }, { op: 'gt', field: 'id', value: 30100 }], MaxRecords: 25 })).items;
    const want = every.filter((r) => ticketIds.includes(r.ticketID as number) && (r.id as number) > 30100).map((r) => r.id);
    expect(many.map((r) => r.id)).toEqual(want);
    expect(want.length).toBeGreaterThan(25);
    // The index follows writes.
    const added = sim.tenant.insert('TimeEntries', { ticketID: ticketIds[3], resourceID: 29682890, roleID: 29683401, hoursWorked: 1, dateWorked: '2026-10-15' });
    const again = (await queryAll(sim, 'TimeEntries', { filter: [{ op: 'eq', field: 'ticketID', value: ticketIds[3] }] })).items;
    expect(again.map((r) => r.id)).toEqual([...one.map((r) => r.id), added]);
    sim.tenant.remove('TimeEntries', added);
  });
});
