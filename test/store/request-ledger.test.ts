import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, allowedRequests, memoryLedger, type RequestLedger } from '../../src/autotask/budget.js';
import { openDb, type Db } from '../../src/store/db.js';
import { storeLedger } from '../../src/store/request-ledger.js';

const ROOT = path.resolve(__dirname, '../..');
const VITE_NODE = path.join(ROOT, 'node_modules/.bin/vite-node');
const CHILD = path.join(ROOT, 'test/store/_ledger-child.ts');

let dir: string;
let db: Db | undefined;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-ledger-')); });
afterEach(() => {
  db?.close();
  db = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

// 10:00:30 on some day, half a minute into a minute bucket.
const T0 = Date.UTC(2026, 10, 26, 10, 0, 30);

describe.each([
  ['in memory', () => memoryLedger()],
  ['in the store', () => storeLedger((db = openDb(path.join(dir, 'store.db'))))],
] as [string, () => RequestLedger][])('the request ledger %s', (_name, make) => {
  it('grants up to `allowed` in the rolling hour and names the instant a slot frees', () => {
    const l = make();
    for (let i = 0; i < 3; i++) expect(l.take(T0, 5)).toEqual({ ok: true, used: i + 1 });
    expect(l.take(T0 + 20 * MINUTE, 5)).toEqual({ ok: true, used: 4 });
    expect(l.take(T0 + 20 * MINUTE, 5)).toEqual({ ok: true, used: 5 });
    // Full: the three of 10:00 leave the window when it no longer touches the 10:00 minute (11:01:00).
    const full = l.take(T0 + 30 * MINUTE, 5);
    expect(full).toEqual({ ok: false, used: 5, freeAt: Date.UTC(2026, 10, 26, 11, 1, 0) });
    // A request at 10:00:30 still counts at 11:00:59 (the ledger never counts less than the server does)…
    expect(l.take(Date.UTC(2026, 10, 26, 11, 0, 59), 5).ok).toBe(false);
    expect(l.used(Date.UTC(2026, 10, 26, 11, 0, 59))).toBe(5);
    // …and from 11:01:00 on it does not.
    expect(l.used(Date.UTC(2026, 10, 26, 11, 1, 0))).toBe(2);
    expect(l.take(Date.UTC(2026, 10, 26, 11, 1, 0), 5)).toEqual({ ok: true, used: 3 });
    // Nothing fits when nothing is allowed (the other integrations took the database's hour): look again in a minute.
    expect(l.take(T0 + 3 * HOUR, 0)).toEqual({ ok: false, used: 0, freeAt: T0 + 3 * HOUR + MINUTE });
  });

  it('keeps the latest ThresholdInformation reading', () => {
    const l = make();
    expect(l.lastThreshold()).toBeNull();
    l.noteThreshold({ at: T0, threshold: 10_000, tenantUsed: 4_000, ownUsed: 1_000 });
    l.noteThreshold({ at: T0 + MINUTE, threshold: 10_000, tenantUsed: 4_100, ownUsed: 1_050 });
    expect(l.lastThreshold()).toEqual({ at: T0 + MINUTE, threshold: 10_000, tenantUsed: 4_100, ownUsed: 1_050 });
  });
});

describe('the budget rule', () => {
  it('takes budgetShare of the threshold, less what the other integrations leave of the last 95 %', () => {
    expect(allowedRequests(0.5, 10_000, null)).toEqual({ allowed: 5_000, share: 5_000, others: 0, bound: 'own-share' });
    expect(allowedRequests(0.5, 10_000, { tenantUsed: 3_000, ownUsed: 1_000 })).toEqual({ allowed: 5_000, share: 5_000, others: 2_000, bound: 'own-share' });
    expect(allowedRequests(0.5, 10_000, { tenantUsed: 8_000, ownUsed: 1_000 })).toEqual({ allowed: 2_500, share: 5_000, others: 7_000, bound: 'tenant' });
    expect(allowedRequests(0.5, 10_000, { tenantUsed: 9_800, ownUsed: 0 })).toEqual({ allowed: 0, share: 5_000, others: 9_800, bound: 'tenant' });
    // A tenant with a different threshold.
    expect(allowedRequests(0.25, 400, null).allowed).toBe(100);
  });
});

describe('the store ledger across processes', () => {
  it('four processes taking at once never get more than `allowed` between them', async () => {
    const file = path.join(dir, 'shared.db');
    openDb(file).close(); // migrated once, so the children race on the ledger, not on the schema
    const kids = Array.from({ length: 4 }, () => {
      const child = spawn(VITE_NODE, [CHILD, file, '300', '200'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (err += b));
      const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready') && resolve()));
      const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
      return { child, ready, done };
    });
    await Promise.all(kids.map((k) => k.ready));
    for (const k of kids) k.child.stdin.write('go\n');
    const results = await Promise.all(kids.map((k) => k.done));
    for (const r of results) expect(r.err).toBe('');
    const granted = results.map((r) => Number(/granted (\d+)/.exec(r.out)?.[1] ?? NaN));
    expect(granted.reduce((a, b) => a + b, 0)).toBe(300);
    const check = openDb(file);
    expect(check.prepare('SELECT SUM(requests) FROM api_requests').pluck().get()).toBe(300);
    check.close();
  }, 120_000);
});
