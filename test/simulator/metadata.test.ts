import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { ENTITIES } from '../../src/autotask/entities.js';
import { get, post, start } from './_helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(async () => {
  await sim.close();
});

type Field = { name: string; dataType: string; isPickList: boolean; isQueryable: boolean; picklistParentValueField: string; picklistValues: null | { value: string; label: string; isActive: boolean; isSystem: boolean; parentValue: string }[] };

describe('entityInformation', () => {
  it('describes capabilities', async () => {
    const r = await get(sim, 'Tickets/entityInformation');
    expect(r.status).toBe(200);
    expect(r.body.info).toMatchObject({ name: 'Ticket', canQuery: true, canCreate: true, canUpdate: true, canDelete: false, supportsWebhookCallouts: true });
  });

  it('serves every catalogue field of every entity, with data and the right types', async () => {
    for (const e of ENTITIES) {
      const r = await get(sim, `${e.name}/entityInformation/fields`);
      expect(r.status, e.name).toBe(200);
      const fields = r.body.fields as Field[];
      const byName = new Map(fields.map((f) => [f.name, f]));
      for (const f of e.fields) {
        const meta = byName.get(f.name);
        expect(meta, `${e.name}.${f.name}`).toBeDefined();
        expect(meta!.isPickList, `${e.name}.${f.name}`).toBe(Boolean(f.picklist));
        if (f.type === 'datetime' || f.type === 'date') expect(meta!.dataType).toBe('datetime');
        if (f.type === 'bool') expect(meta!.dataType).toBe('boolean');
      }
      const rows = await post(sim, `${e.name}/query`, { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 5 });
      expect(rows.status).toBe(200);
      expect(rows.body.items.length, `${e.name} has rows`).toBeGreaterThan(0);
      for (const f of e.fields) expect(f.name in rows.body.items[0], `${e.name}.${f.name} served`).toBe(true);
    }
  });

  it('lists tenant-style picklists: string values, inactive values, renumbered statuses', async () => {
    const r = await get(sim, 'Tickets/entityInformation/fields');
    const fields = r.body.fields as Field[];
    const status = fields.find((f) => f.name === 'status')!;
    expect(status.isPickList).toBe(true);
    for (const v of status.picklistValues!) expect(typeof v.value).toBe('string');
    expect(status.picklistValues!.find((v) => v.label === 'Complete')!.value).toBe('5');
    expect(status.picklistValues!.some((v) => !v.isActive)).toBe(true);
    expect(status.picklistValues!.find((v) => v.label.trim().toLowerCase() === 'in progress')!.value).not.toBe('8');
    const priority = fields.find((f) => f.name === 'priority')!;
    expect(priority.picklistValues!.map((v) => v.value)).not.toContain('3');
    const labels = fields.flatMap((f) => f.picklistValues ?? []).map((v) => v.label);
    expect(labels.some((l) => l !== l.trim())).toBe(true);
    const sub = fields.find((f) => f.name === 'subIssueType')!;
    expect(sub.picklistParentValueField).toBe('issueType');
    expect(sub.picklistValues!.every((v) => v.parentValue !== '')).toBe(true);
    const queue = fields.find((f) => f.name === 'queueID')!;
    for (const label of ['Tier 1', 'Tier 2', 'Tier 3', 'Triage']) expect(queue.picklistValues!.map((v) => v.label)).toContain(label);
    expect(fields.find((f) => f.name === 'creatorType')!.isQueryable).toBe(false);
  });

  it('answers userDefinedFields and the global entity list', async () => {
    expect((await get(sim, 'Tickets/entityInformation/userDefinedFields')).body.fields.map((f: { name: string }) => f.name)).toEqual(['Root Cause']);
    expect((await get(sim, 'Contracts/entityInformation/userDefinedFields')).body).toEqual({ fields: [] });
    const all = await get(sim, 'EntityInformation');
    expect(all.status).toBe(200);
    expect(all.body.entityDescriptions.length).toBeGreaterThan(20);
  });
});

describe('renumbered picklists', () => {
  it('renumberPicklist changes metadata and rows together', async () => {
    const s = await (await import('./_helpers.js')).start({ seed: 5 });
    try {
      const before = (await post(s, 'Tickets/query/count', { filter: [{ op: 'eq', field: 'priority', value: 4 }] })).body.queryCount;
      expect(before).toBeGreaterThan(0);
      s.tenant.renumberPicklist('Tickets', 'priority', { 4: 40, 1: 4 });
      const fields = (await get(s, 'Tickets/entityInformation/fields')).body.fields as Field[];
      const pr = fields.find((f) => f.name === 'priority')!.picklistValues!;
      expect(pr.find((v) => v.label === 'Critical')!.value).toBe('40');
      expect(pr.find((v) => v.label === 'High')!.value).toBe('4');
      expect((await post(s, 'Tickets/query/count', { filter: [{ op: 'eq', field: 'priority', value: 40 }] })).body.queryCount).toBe(before);
      s.tenant.renumberPicklist('Tickets', 'issueType', { 14: 114 });
      const f2 = (await get(s, 'Tickets/entityInformation/fields')).body.fields as Field[];
      expect(f2.find((f) => f.name === 'subIssueType')!.picklistValues!.filter((v) => v.parentValue === '114').length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
