import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config.js';
import { createContext, openSession, reuseSession } from '../../src/reporting/context.js';
import { makeStore, seedPicklists } from '../helpers/store.js';

let store: ReturnType<typeof makeStore>;
let sqlDir: string;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  sqlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-sql-'));
  fs.mkdirSync(path.join(sqlDir, 'g'));
  fs.writeFileSync(path.join(sqlDir, 'g/a.sql'), 'SELECT :asOf AS v');
  fs.writeFileSync(path.join(sqlDir, 'g/b.part.sql'), 'SELECT :asOf + :extra AS v');
});
afterEach(() => { store.cleanup(); fs.rmSync(sqlDir, { recursive: true, force: true }); });

describe('ReportContext.queryFrom', () => {
  it("runs another report's SQL files with this report's parameters and extras", () => {
    const ctx = createContext(openSession(store.db, defaultSettings(), sqlDir), 'g/a', 1000, null);
    expect(ctx.query()).toEqual([{ v: 1000 }]);
    expect(ctx.queryFrom('g/b', 'part', { extra: 5 })).toEqual([{ v: 1005 }]);
  });
  it('names the missing file in its error', () => {
    const ctx = createContext(openSession(store.db, defaultSettings(), sqlDir), 'g/a', 1000, null);
    expect(() => ctx.queryFrom('g/none')).toThrow(/g\/none\.sql: cannot read/);
  });
});

describe('ReportContext.shared', () => {
  it('computes a value once per session and as-of instant, whichever report asks', () => {
    const s = openSession(store.db, defaultSettings(), sqlDir);
    let made = 0;
    const make = () => ({ n: ++made });
    const first = createContext(s, 'g/a', 1000, null).shared('k', make);
    expect(createContext(s, 'g/b', 1000, null).shared('k', make)).toBe(first);
    expect(createContext(s, 'g/a', 2000, null).shared('k', make)).toEqual({ n: 2 }); // another T: computed again
    expect(createContext(s, 'g/a', 1000, null).shared('other', make)).toEqual({ n: 3 });
    expect(createContext(openSession(store.db, defaultSettings(), sqlDir), 'g/a', 1000, null).shared('k', make)).toEqual({ n: 4 }); // new session
  });
});

describe('value-list parameters', () => {
  it('carry the picklist values whose label matches the settings list, trimmed, any case, inactive included', () => {
    store.db.prepare("INSERT INTO picklists (entity, field, value, label, is_active, is_system) VALUES ('Tickets', 'status', 99, ' complete ', 0, 0)").run();
    const settings = defaultSettings({ completeStatuses: ['Complete'], escalationQueues: ['tier 2'] });
    const ctx = createContext(openSession(store.db, settings, sqlDir), 'g/a', 1000, null);
    expect(JSON.parse(ctx.params.completeStatusValues as string).sort((a: number, b: number) => a - b)).toEqual([5, 99]);
    expect(JSON.parse(ctx.params.escalationQueueValues as string)).toEqual([29682835]);
    expect(JSON.parse(ctx.params.onHoldStatusValues as string).sort((a: number, b: number) => a - b)).toEqual([17, 19, 20, 21]);
    expect(JSON.parse(ctx.params.completeTaskStatusValues as string)).toEqual([5]);
    expect(JSON.parse(ctx.params.endpointTypeValues as string).sort()).toEqual([1, 2, 3]);
  });
});

describe('reuseSession', () => {
  it('hands the previous session of the connection back while settings, reports folder and every counted table are unchanged', () => {
    const settings = defaultSettings();
    const first = reuseSession(store.db, settings, sqlDir);
    expect(reuseSession(store.db, defaultSettings(), sqlDir)).toBe(first); // equal settings, another object
    expect(first.counters).not.toBeNull();
    // A write to a counted table (a sync, a webhook, a test's insert) makes a new session, with the new data.
    store.db.prepare("INSERT INTO picklists (entity, field, value, label, is_active, is_system) VALUES ('Tickets', 'status', 99, 'Waiting Vendor', 1, 0)").run();
    const second = reuseSession(store.db, settings, sqlDir);
    expect(second).not.toBe(first);
    expect(second.picklists.label('Tickets', 'status', 99)).toBe('Waiting Vendor');
    // Other settings: a new session (its SQL functions and workflow table are made from them).
    const utc = reuseSession(store.db, defaultSettings({ timezone: 'Europe/Paris' }), sqlDir);
    expect(utc).not.toBe(second);
    expect(store.db.prepare("SELECT local_date(84600000) AS d").get()).toEqual({ d: '1970-01-02' }); // 23:30 UTC is the next day in Paris;
    // Back to the first settings: the connection's functions belong to the Paris session now, so not reused.
    const again = reuseSession(store.db, settings, sqlDir);
    expect(again).not.toBe(second);
    expect(again).toBe(reuseSession(store.db, settings, sqlDir));
  });
  it('reads SQL files again on reuse: an edited report file is never run from memory', () => {
    const s = reuseSession(store.db, defaultSettings(), sqlDir);
    expect(createContext(s, 'g/a', 1000, null).query()).toEqual([{ v: 1000 }]);
    fs.writeFileSync(path.join(sqlDir, 'g/a.sql'), 'SELECT :asOf * 2 AS v');
    const t = reuseSession(store.db, defaultSettings(), sqlDir);
    expect(t).toBe(s);
    expect(createContext(t, 'g/a', 1000, null).query()).toEqual([{ v: 2000 }]);
  });
  it('opens a new session when a direct openSession replaced the connection\'s functions', () => {
    const s = reuseSession(store.db, defaultSettings(), sqlDir);
    openSession(store.db, defaultSettings({ timezone: 'Asia/Tokyo' }), sqlDir);
    expect(reuseSession(store.db, defaultSettings(), sqlDir)).not.toBe(s);
  });
});

describe('queries without parameters', () => {
  it('run once per session, their rows frozen and shared; a changed store gives the new rows', () => {
    fs.writeFileSync(path.join(sqlDir, 'g/c.sql'), "-- Tickets (no :parameter here, only in this comment)\nSELECT count(*) AS n, 'a:b' AS s FROM tickets");
    const s = reuseSession(store.db, defaultSettings(), sqlDir);
    const first = createContext(s, 'g/c', 1000, null).query<{ n: number }>();
    expect(first).toEqual([{ n: 0, s: 'a:b' }]);
    expect(createContext(s, 'g/c', 2000, null).query()).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    expect(() => { (first[0] as { n: number }).n = 5; }).toThrow(TypeError);
    // A query with parameters is run each time.
    expect(createContext(s, 'g/a', 1000, null).query()).not.toBe(createContext(s, 'g/a', 1000, null).query());
    store.db.prepare("INSERT INTO tickets (id, raw, synced_at) VALUES (1, '{}', 0)").run();
    const t = reuseSession(store.db, defaultSettings(), sqlDir);
    expect(createContext(t, 'g/c', 1000, null).query()).toEqual([{ n: 1, s: 'a:b' }]);
  });
});
