import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config.js';
import { createContext, openSession } from '../../src/reporting/context.js';
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
