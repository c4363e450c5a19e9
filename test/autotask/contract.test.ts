// The contract suite: bodies real Autotask tenants returned (test/fixtures/autotask-samples, public
// sources) are read by the client and stored by the sync exactly as the simulator's equivalent is. Where
// a sample and the simulator differ in form (offset-less datetimes, PascalCase field metadata,
// `picklistValues: null`), the store must not.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import type { PicklistValue } from '../../src/simulator/schema.js';
import { createAutotaskClient } from '../../src/autotask/client.js';
import { ENTITY_BY_NAME } from '../../src/autotask/entities.js';
import { F } from '../../src/autotask/filter.js';
import { AppError } from '../../src/errors.js';
import { loadConfig } from '../../src/config.js';
import { syncStore as runSync } from '../../src/app.js';
import { openDb, type Db } from '../../src/store/db.js';
import { SECRET, sim, tempDir } from '../sync/_helpers.js';
import { isQuery, startProxy, type Plan, type Proxy, type Seen } from './_hostile.js';

const SAMPLES = path.resolve(__dirname, '../fixtures/autotask-samples');
const sample = (name: string): string => fs.readFileSync(path.join(SAMPLES, name), 'utf8');
const json = <T = any>(name: string): T => JSON.parse(sample(name)) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An answer the proxy gives instead of the simulator's. */
const answer = (status: number, body: string): Plan => (res) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
};

let s: Simulator;
let proxy: Proxy;
let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  s = await sim();
  proxy = await startProxy(s);
  tmp = tempDir('psa-contract-');
});
afterEach(async () => {
  await Promise.all([proxy.close(), s.close()]);
  tmp.cleanup();
});

function env(baseUrl: string): NodeJS.ProcessEnv {
  return { AUTOTASK_USERNAME: s.credentials.username, AUTOTASK_SECRET: SECRET, AUTOTASK_INTEGRATION_CODE: s.credentials.integrationCode, AUTOTASK_BASE_URL: baseUrl };
}

async function syncInto(name: string, baseUrl: string, entities: string[]): Promise<Db> {
  const e = env(baseUrl);
  const lines: string[] = [];
  const config = loadConfig({ db: path.join(tmp.dir, name) }, e, tmp.dir);
  const sum = await runSync(config, { out: (x) => lines.push(x), err: (x) => lines.push(x), isTTY: false, env: e, cwd: tmp.dir }, { entities, progress: 'none', clock: { now: () => s.now() } });
  expect(sum.entities.filter((r) => !r.ok || r.note).map((r) => `${r.entity}: ${r.error ?? r.note}`)).toEqual([]);
  return openDb(path.join(tmp.dir, name));
}

/** The sample's picklist values in the simulator's form (values are numbers there, strings in metadata). */
function simPicklist(values: { value: string; label: string; isActive: boolean; isSystem: boolean; isDefaultValue: boolean; sortOrder: number }[]): PicklistValue[] {
  return values.map((v) => ({ value: Number(v.value), label: v.label, isActive: v.isActive, isSystem: v.isSystem, isDefaultValue: v.isDefaultValue, sortOrder: v.sortOrder }));
}

const row = (db: Db, table: string, id: number) => db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
const picklist = (db: Db, entity: string, field: string) => db.prepare('SELECT * FROM picklists WHERE entity = ? AND field = ? ORDER BY value').all(entity, field);

describe('Autotask samples against the simulator', () => {
  it('a 2020 Company page (offset-less datetimes) and PascalCase field metadata with picklistValues null are stored as the simulator equivalent is', async () => {
    const page = json('companies-query.apigrate-2020.json');
    const company = page.items[0] as Record<string, unknown>;
    const todoFields = json('companytodos-entityinformation-fields.apigrate-2021.json').fields;
    const statusField = json('tickets-fields-status.django-autotask-fixture.json').fields[0];

    // The simulator's equivalent: the same company (Autotask's datetimes are UTC; the simulator writes them
    // with a Z) and the same picklists.
    const equivalent: Record<string, unknown> = {};
    for (const f of ENTITY_BY_NAME.get('Companies')!.fields) {
      const v = company[f.name];
      equivalent[f.name] = f.type === 'datetime' && typeof v === 'string' ? `${v}Z` : v;
    }
    s.tenant.insert('Companies', equivalent);
    s.tenant.picklists.CompanyToDos!.actionType = simPicklist(todoFields.find((f: { name: string }) => f.name === 'ActionType').picklistValues);
    s.tenant.picklists.Tickets!.status = simPicklist(statusField.picklistValues);

    const direct = await syncInto('direct.db', s.baseUrl, ['Companies', 'CompanyToDos', 'Tickets']);

    // Through the proxy, the samples replace the simulator's answers.
    proxy.rule = (x: Seen) => {
      if (isQuery(x, 'Companies')) return answer(200, sample('companies-query.apigrate-2020.json'));
      if (/\/V1\.0\/CompanyToDos\/entityInformation\/fields/i.test(x.url)) return answer(200, sample('companytodos-entityinformation-fields.apigrate-2021.json'));
      if (/\/V1\.0\/Tickets\/entityInformation\/fields/i.test(x.url)) return answer(200, sample('tickets-fields-status.django-autotask-fixture.json'));
      return undefined;
    };
    const viaSamples = await syncInto('samples.db', proxy.baseUrl, ['Companies', 'CompanyToDos', 'Tickets']);
    try {
      const id = company.id as number;
      const a = row(direct, 'companies', id)!;
      const b = row(viaSamples, 'companies', id)!;
      expect(a).toBeDefined();
      expect(b).toBeDefined();
      const { raw: rawA, synced_at: _sa, ...colsA } = a;
      const { raw: rawB, synced_at: _sb, ...colsB } = b;
      expect(colsB).toEqual(colsA);
      // Offset-less datetimes are UTC (autotask-api.md 5.2), with 3 and with 0 fraction digits.
      expect(colsB.createDate).toBe(Date.UTC(2016, 2, 30, 13, 10, 35, 563));
      expect(colsB.lastActivityDate).toBe(Date.UTC(2018, 10, 13, 17, 32, 34));
      // The raw record is kept as the tenant sent it.
      expect(JSON.parse(rawB as string)).toEqual(company);
      expect(typeof rawA).toBe('string');

      // Picklists: stored under the catalogue's field name whatever case the metadata used.
      expect(picklist(viaSamples, 'CompanyToDos', 'actionType')).toEqual(picklist(direct, 'CompanyToDos', 'actionType'));
      expect(picklist(viaSamples, 'CompanyToDos', 'actionType')).toHaveLength(6);
      expect(viaSamples.prepare("SELECT count(*) FROM picklists WHERE field = 'ActionType'").pluck().get()).toBe(0);
      expect(picklist(viaSamples, 'Tickets', 'status')).toEqual(picklist(direct, 'Tickets', 'status'));
      expect(picklist(viaSamples, 'Tickets', 'status')).toHaveLength(4);
    } finally {
      direct.close();
      viaSamples.close();
    }
  });

  it('a query with includeFields and the query/count answer are read as the simulator’s are', async () => {
    const c = createAutotaskClient({ username: s.credentials.username, secret: SECRET, integrationCode: s.credentials.integrationCode, baseUrl: proxy.baseUrl, zoneUrl: proxy.zoneUrl });
    proxy.rule = (x) => (isQuery(x, 'Companies') ? answer(200, sample('companies-query-includefields.apigrate.json')) : /query\/count/i.test(x.url) ? answer(200, sample('query-count.apigrate.json')) : undefined);
    const pages = [];
    for await (const p of c.query('Companies', { filter: [F.all()], includeFields: ['id', 'companyName', 'city', 'state'] })) pages.push(p);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.items).toEqual(json('companies-query-includefields.apigrate.json').items);
    expect(pages[0]!.raw).toHaveLength(1);
    expect(await c.count('Companies', [F.all()])).toBe(7);
  });

  it('versioninformation answers as Autotask does since 2026, and the client stays on V1.0 (V2.0 has no zoneInformation)', async () => {
    const r = await fetch(`${s.zoneUrl}versioninformation`);
    expect(await r.json()).toEqual(json('versioninformation-2026.json'));
    expect((await fetch(`${s.zoneUrl}V2.0/zoneInformation?user=${encodeURIComponent(s.credentials.username)}`)).status).toBe(404);
    s.resetStats();
    const c = createAutotaskClient({ username: s.credentials.username, secret: SECRET, integrationCode: s.credentials.integrationCode, baseUrl: undefined, zoneUrl: s.zoneUrl });
    expect(await c.count('Tickets', [F.all()])).toBeGreaterThan(0);
    const paths = s.stats().log.map((l) => l.path);
    expect(paths.length).toBeGreaterThan(1);
    expect(paths.every((p) => /^\/atservicesrest\/v1\.0\//i.test(p))).toBe(true);
    expect(s.stats().log.every((l) => l.status === 200)).toBe(true);
  });

  describe('recorded error bodies give the error an operator can act on', () => {
    const entries = json<{ status: number | string; when: string; body?: unknown; body_message?: string }[]>('errors-collected.json');
    const cases: { when: string; code: string; attempts: number }[] = [
      { when: 'GET zoneInformation?user=<unknown user>', code: 'ZONE', attempts: 1 },
      { when: 'any call with an invalid ApiIntegrationCode', code: 'AUTH', attempts: 1 },
      { when: 'GET on .../{Entity}/query/next?paging=... (cursor from a POST query)', code: 'AUTOTASK_HTTP', attempts: 1 },
      { when: 'filter on a field the entity does not have', code: 'AUTOTASK_HTTP', attempts: 1 },
      { when: 'MaxRecords outside 1..500', code: 'AUTOTASK_HTTP', attempts: 1 },
    ];
    for (const want of cases) {
      it(`${want.when} → ${want.code}, not retried`, async () => {
        const e = entries.find((x) => x.when === want.when)!;
        expect(e).toBeDefined();
        const status = typeof e.status === 'number' ? e.status : Number.parseInt(e.status, 10);
        const body = e.body !== undefined ? JSON.stringify(e.body) : JSON.stringify({ errors: [e.body_message] });
        const zone = /zoneInformation/.test(want.when);
        const target = (x: Seen) => (zone ? /zoneInformation/i.test(x.url) : isQuery(x, 'Tickets'));
        proxy.rule = (x) => (target(x) ? answer(status, body) : undefined);
        const c = createAutotaskClient(
          { username: s.credentials.username, secret: SECRET, integrationCode: s.credentials.integrationCode, baseUrl: zone ? undefined : proxy.baseUrl, zoneUrl: proxy.zoneUrl },
          { baseDelayMs: 1, maxDelayMs: 5 },
        );
        let err: unknown;
        try {
          for await (const _ of c.query('Tickets', { filter: [F.all()] })) void _;
        } catch (x) {
          err = x;
        }
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe(want.code);
        expect(proxy.seen.filter(target)).toHaveLength(want.attempts);
      });
    }
  });
});
