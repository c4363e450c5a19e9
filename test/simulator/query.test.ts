import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { get, post, queryAll, start } from './_helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(async () => {
  await sim.close();
});

type Rec = Record<string, unknown>;
const all = async (entity: string, filter: unknown[]) => (await queryAll(sim, entity, { filter })).items as Rec[];

describe('filter grammar', () => {
  it('supports eq, noteq, gt, gte, lt, lte on numbers', async () => {
    const every = await all('Tickets', [{ op: 'gte', field: 'id', value: 0 }]);
    expect(every.length).toBe(sim.tenant.table('Tickets').size);
    const pivot = every[Math.floor(every.length / 2)]!.id as number;
    expect((await all('Tickets', [{ op: 'eq', field: 'id', value: pivot }])).map((r) => r.id)).toEqual([pivot]);
    expect((await all('Tickets', [{ op: 'noteq', field: 'id', value: pivot }])).length).toBe(every.length - 1);
    expect((await all('Tickets', [{ op: 'gt', field: 'id', value: pivot }])).length).toBe(every.filter((r) => (r.id as number) > pivot).length);
    expect((await all('Tickets', [{ op: 'gte', field: 'id', value: pivot }])).length).toBe(every.filter((r) => (r.id as number) >= pivot).length);
    expect((await all('Tickets', [{ op: 'lt', field: 'id', value: pivot }])).length).toBe(every.filter((r) => (r.id as number) < pivot).length);
    expect((await all('Tickets', [{ op: 'lte', field: 'id', value: pivot }])).length).toBe(every.filter((r) => (r.id as number) <= pivot).length);
  });

  it('compares datetimes given with or without Z and milliseconds', async () => {
    const every = await all('Tickets', [{ op: 'exist', field: 'id' }]);
    const cut = Date.UTC(2026, 8, 1);
    const expected = every.filter((r) => Date.parse(r.lastActivityDate as string) >= cut).length;
    expect(expected).toBeGreaterThan(0);
    for (const value of ['2026-09-01T00:00:00', '2026-09-01T00:00:00Z', '2026-09-01T00:00:00.000Z', '2026-09-01']) {
      expect((await all('Tickets', [{ op: 'gte', field: 'lastActivityDate', value }])).length).toBe(expected);
    }
  });

  it('matches strings case-insensitively with beginsWith, endsWith, contains', async () => {
    const every = await all('Companies', [{ op: 'exist', field: 'id' }]);
    const name = every.find((r) => r.id !== 0)!.companyName as string;
    const first = name.split(' ')[0]!;
    const beg = await all('Companies', [{ op: 'beginsWith', field: 'companyName', value: first.toUpperCase() }]);
    expect(beg.length).toBe(every.filter((r) => (r.companyName as string).toLowerCase().startsWith(first.toLowerCase())).length);
    expect(beg.length).toBeGreaterThan(0);
    const last = name.slice(-3);
    const end = await all('Companies', [{ op: 'endsWith', field: 'companyName', value: last.toLowerCase() }]);
    expect(end.length).toBe(every.filter((r) => (r.companyName as string).toLowerCase().endsWith(last.toLowerCase())).length);
    const con = await all('Companies', [{ op: 'contains', field: 'companyName', value: 'DENTAL' }]);
    expect(con.length).toBe(every.filter((r) => (r.companyName as string).toLowerCase().includes('dental')).length);
    expect((await all('Companies', [{ op: 'eq', field: 'companyName', value: name.toUpperCase() }])).map((r) => r.id)).toContain(every.find((r) => r.companyName === name)!.id);
  });

  it('supports exist and notExist without a value', async () => {
    const every = await all('Tickets', [{ op: 'exist', field: 'id' }]);
    const open = await all('Tickets', [{ op: 'notExist', field: 'completedDate' }]);
    const done = await all('Tickets', [{ op: 'exist', field: 'completedDate' }]);
    expect(open.length + done.length).toBe(every.length);
    expect(open.every((r) => r.completedDate === null)).toBe(true);
    expect(open.length).toBeGreaterThan(0);
  });

  it('supports in and notIn with arrays', async () => {
    const every = await all('Tickets', [{ op: 'exist', field: 'id' }]);
    const inn = await all('Tickets', [{ op: 'in', field: 'priority', value: [4, 1] }]);
    expect(inn.length).toBe(every.filter((r) => r.priority === 4 || r.priority === 1).length);
    const notIn = await all('Tickets', [{ op: 'notIn', field: 'priority', value: [4, 1] }]);
    expect(inn.length + notIn.length).toBe(every.length);
  });

  it('ANDs the top level and nests and/or groups', async () => {
    const every = await all('Tickets', [{ op: 'exist', field: 'id' }]);
    const filter = [
      { op: 'noteq', field: 'status', value: 5 },
      { op: 'or', items: [
        { op: 'eq', field: 'priority', value: 4 },
        { op: 'and', items: [{ op: 'eq', field: 'priority', value: 1 }, { op: 'exist', field: 'assignedResourceID' }] },
      ] },
    ];
    const got = await all('Tickets', filter);
    const want = every.filter((r) => r.status !== 5 && (r.priority === 4 || (r.priority === 1 && r.assignedResourceID !== null)));
    expect(got.map((r) => r.id)).toEqual(want.map((r) => r.id));
  });

  it('treats field names and body keys case-insensitively', async () => {
    const a = await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'status', value: 5 }], MaxRecords: 7 });
    const b = await post(sim, 'Tickets/query', { Filter: [{ Op: 'EQ', Field: 'STATUS', Value: 5 }], maxRecords: 7 });
    expect(a.status).toBe(200);
    expect(b.body.items).toEqual(a.body.items);
    expect(a.body.items).toHaveLength(7);
  });

  it('answers 500 "Unable to find <field> in the <Entity> Entity" for an unknown field', async () => {
    const r = await post(sim, 'TimeEntries/query', { filter: [{ op: 'eq', field: 'projectID', value: 1 }] });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ errors: ['Unable to find projectID in the TimeEntry Entity'] });
  });

  it('silently ignores an unknown operator', async () => {
    const every = await all('Tickets', [{ op: 'exist', field: 'id' }]);
    const r = await all('Tickets', [{ op: 'ne', field: 'status', value: 5 }]);
    expect(r.length).toBe(every.length);
  });

  it('requires true/false for boolean fields', async () => {
    const ok = await post(sim, 'Resources/query', { filter: [{ op: 'eq', field: 'isActive', value: true }] });
    expect(ok.status).toBe(200);
    expect(ok.body.items.length).toBeGreaterThan(0);
    expect(ok.body.items.every((r: Rec) => r.isActive === true)).toBe(true);
    const inactive = await post(sim, 'Resources/query', { filter: [{ op: 'eq', field: 'isActive', value: false }] });
    expect(inactive.body.items.length).toBeGreaterThan(0);
    for (const value of [1, 'yes', null]) {
      const bad = await post(sim, 'Resources/query', { filter: [{ op: 'eq', field: 'isActive', value }] });
      expect(bad.status).toBe(500);
      expect(bad.body.errors[0]).toMatch(/isActive/);
    }
  });

  it('rejects filters on non-queryable fields and more than 500 OR conditions', async () => {
    const nq = await post(sim, 'Tickets/query', { filter: [{ op: 'eq', field: 'creatorType', value: 1 }] });
    expect(nq.status).toBe(500);
    const items = Array.from({ length: 501 }, (_, i) => ({ op: 'eq', field: 'id', value: i }));
    const many = await post(sim, 'Tickets/query', { filter: [{ op: 'or', items }] });
    expect(many.status).toBe(500);
    expect(many.body.errors[0]).toMatch(/500 or fewer 'OR' conditions/);
  });
});

describe('MaxRecords, IncludeFields, ordering, count, get by id', () => {
  it('enforces MaxRecords between 1 and 500', async () => {
    for (const n of [0, 501, -1]) {
      const r = await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'id' }], MaxRecords: n });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ errors: ['maxCountOfRecordsToReturn must be between 1 and 500'] });
    }
    const one = await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 1 });
    expect(one.body.items).toHaveLength(1);
    expect(one.body.pageDetails.requestCount).toBe(1);
    const def = await post(sim, 'TimeEntries/query', { filter: [{ op: 'exist', field: 'id' }] });
    expect(def.body.items).toHaveLength(500);
    expect(def.body.pageDetails).toMatchObject({ count: 500, requestCount: 500 });
  });

  it('returns rows in ascending id order', async () => {
    const r = await post(sim, 'TimeEntries/query', { filter: [{ op: 'exist', field: 'id' }] });
    const ids = r.body.items.map((x: Rec) => x.id as number);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
  });

  it('projects IncludeFields and always keeps id', async () => {
    const r = await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'id' }], IncludeFields: ['Status', 'lastactivitydate'], MaxRecords: 3 });
    expect(r.status).toBe(200);
    for (const item of r.body.items) expect(Object.keys(item).sort()).toEqual(['id', 'lastActivityDate', 'status']);
  });

  it('counts with GET and POST', async () => {
    const filter = [{ op: 'eq', field: 'status', value: 5 }];
    const every = await all('Tickets', filter);
    const p = await post(sim, 'Tickets/query/count', { filter });
    const g = await get(sim, `Tickets/query/count?search=${encodeURIComponent(JSON.stringify({ filter }))}`);
    expect(p.body).toEqual({ queryCount: every.length });
    expect(g.body).toEqual({ queryCount: every.length });
  });

  it('gets one record by id, 404 when missing', async () => {
    const r = await get(sim, 'Tickets/query?search=' + encodeURIComponent(JSON.stringify({ filter: [{ op: 'exist', field: 'id' }], MaxRecords: 1 })));
    const id = r.body.items[0].id;
    const one = await get(sim, `Tickets/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.item).toEqual(r.body.items[0]);
    expect((await get(sim, 'Tickets/999999999')).status).toBe(404);
    const lenient = await start({ notFoundAsNullItem: true });
    try {
      const r2 = await get(lenient, 'Tickets/999999999');
      expect(r2.status).toBe(200);
      expect(r2.body).toEqual({ item: null });
    } finally {
      await lenient.close();
    }
  });

  it('serves datetimes as UTC ISO strings and date-only fields as midnight without a zone', async () => {
    const t = await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'completedDate' }], MaxRecords: 50 });
    for (const item of t.body.items) {
      expect(item.createDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
    }
    const c = await post(sim, 'Contracts/query', { filter: [{ op: 'exist', field: 'endDate' }], MaxRecords: 5 });
    for (const item of c.body.items) expect(item.endDate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
    const te = await post(sim, 'TimeEntries/query', { filter: [{ op: 'exist', field: 'id' }] });
    const withMs = te.body.items.filter((x: Rec) => /\.\d{3}Z$/.test(x.createDateTime as string)).length;
    expect(withMs).toBeGreaterThan(0);
    expect(withMs).toBeLessThan(te.body.items.length);
  });

  it('answers TicketHistory only for exactly one ticketID eq filter', async () => {
    const ticket = (await post(sim, 'Tickets/query', { filter: [{ op: 'exist', field: 'completedDate' }], MaxRecords: 1 })).body.items[0];
    const ok = await post(sim, 'TicketHistory/query', { filter: [{ op: 'eq', field: 'ticketID', value: ticket.id }] });
    expect(ok.status).toBe(200);
    expect(ok.body.items.length).toBeGreaterThan(0);
    expect(ok.body.items.every((h: Rec) => h.ticketID === ticket.id)).toBe(true);
    const bad = await post(sim, 'TicketHistory/query', { filter: [{ op: 'gt', field: 'ticketID', value: 0 }] });
    expect(bad.status).toBe(500);
  });

  it('lists child collections through the parent and 404s a nested /query', async () => {
    const project = (await post(sim, 'Projects/query', { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 1 })).body.items[0];
    const tasks = await get(sim, `Projects/${project.id}/Tasks`);
    expect(tasks.status).toBe(200);
    expect(tasks.body.items.length).toBeGreaterThan(0);
    expect(tasks.body.items.every((t: Rec) => t.projectID === project.id)).toBe(true);
    expect((await get(sim, `Projects/${project.id}/Tasks/query`)).status).toBe(404);
    expect((await post(sim, 'Tasks', { title: 'x' })).status).toBe(404);
  });
});

describe('user-defined fields', () => {
  it('serves userDefinedFields, filters with udf:true, and allows one UDF filter per query', async () => {
    const info = await get(sim, 'Companies/entityInformation');
    expect(info.body.info.hasUserDefinedFields).toBe(true);
    const defs = await get(sim, 'Companies/entityInformation/userDefinedFields');
    expect(defs.body.fields.map((f: Rec) => f.name)).toContain('Customer Tier');
    const every = await all('Companies', [{ op: 'exist', field: 'id' }]);
    const tier = (r: Rec) => (r.userDefinedFields as { name: string; value: string | null }[]).find((u) => u.name === 'Customer Tier')?.value;
    const gold = await all('Companies', [{ op: 'eq', field: 'customer tier', udf: true, value: 'gold' }]);
    expect(gold.length).toBe(every.filter((r) => tier(r) === 'Gold').length);
    expect(gold.length).toBeGreaterThan(0);
    const two = await post(sim, 'Companies/query', { filter: [
      { op: 'eq', field: 'Customer Tier', udf: true, value: 'Gold' }, { op: 'eq', field: 'Onboarding Complete', udf: true, value: 'Yes' },
    ] });
    expect(two.status).toBe(500);
    const unknown = await post(sim, 'Companies/query', { filter: [{ op: 'eq', field: 'Nope', udf: true, value: 'x' }] });
    expect(unknown.status).toBe(500);
  });

  it('omits userDefinedFields when no row of the page has a UDF value', async () => {
    const prospects = await post(sim, 'Companies/query', { filter: [{ op: 'eq', field: 'companyType', value: 3 }] });
    expect(prospects.body.items.length).toBeGreaterThan(0);
    expect(prospects.body.items.every((r: Rec) => !('userDefinedFields' in r))).toBe(true);
    const projected = await post(sim, 'Companies/query', { filter: [{ op: 'eq', field: 'companyType', value: 1 }], IncludeFields: ['companyName'], MaxRecords: 3 });
    for (const r of projected.body.items) expect(Object.keys(r).sort()).toEqual(['companyName', 'id', 'userDefinedFields']);
  });
});

describe('permission scope', () => {
  it('leaves non-billable time entries out, silently, when the API user may not see them', async () => {
    const s = await start({ hideNonBillableTimeEntries: true });
    try {
      const visible = (await queryAll(s, 'TimeEntries', { filter: [{ op: 'exist', field: 'id' }] })).items;
      const all = (await queryAll(sim, 'TimeEntries', { filter: [{ op: 'exist', field: 'id' }] })).items;
      expect(visible.length).toBe(all.filter((r) => r.isNonBillable === false).length);
      expect(visible.length).toBeLessThan(all.length);
      const hidden = all.find((r) => r.isNonBillable === true)!;
      const r = await post(s, 'TimeEntries/query', { filter: [{ op: 'eq', field: 'id', value: hidden.id }] });
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([]);
      expect((await post(s, 'TimeEntries/query/count', { filter: [{ op: 'eq', field: 'isNonBillable', value: true }] })).body).toEqual({ queryCount: 0 });
    } finally {
      await s.close();
    }
  });
});
