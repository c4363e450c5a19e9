import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/autotask/budget.js';
import { main } from '../../src/cli.js';
import { syncStore as runSync } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { openDb } from '../../src/store/db.js';
import type { SyncSummary } from '../../src/sync/index.js';
import { captureIO, simEnv } from '../helpers/synced.js';

const ROOT = path.resolve(__dirname, '../..');
const VITE_NODE = path.join(ROOT, 'node_modules/.bin/vite-node');
const ENTRY = path.join(ROOT, 'test/sync/_cli.ts');

let sim: Simulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The most requests the server counted in any 60-minute window. */
function maxInAnyHour(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= HOUR) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** A simulator whose database allows `hourlyLimit` requests an hour, and a folder with settings and a store. */
async function setup(hourlyLimit: number, autotask: Record<string, number>) {
  sim = await startSimulator({ port: 0, seed: 7, scale: 'tiny', hourlyLimit, latency: { baseMs: 20 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-budget-'));
  const settings = path.join(dir, 'settings.json');
  fs.writeFileSync(settings, JSON.stringify({ autotask }));
  const db = path.join(dir, 'store.db');
  const env = simEnv(sim);
  const cfg = loadConfig({ config: settings, db }, env, dir);
  return { sim, dir, settings, db, env, cfg };
}

/** `psa-reports sync` in its own process (the real CLI from source). */
function cliSync(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUTOTASK_') && !k.startsWith('PSA_REPORTS_')));
  const child = spawn(VITE_NODE, [ENTRY, '--', 'sync', ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

describe('the API budget is one ledger for every process on the store', () => {
  it('three syncs back to back and a concurrent sync process never exceed the share in any hour, counted by the simulator', async () => {
    // The database allows 400 requests an hour; a share of 0.25 is 100 for all of psa-reports. One sync of
    // this tenant takes about 45, so four syncs need more than the share; waiting is off (0 minutes), so
    // the sync that finds the share spent stops with a note instead of waiting for the hour to pass.
    const h = await setup(400, { budgetShare: 0.25, budgetMaxWaitMinutes: 0 });
    const io = captureIO(h.env, h.dir);
    const summaries: SyncSummary[] = [];
    summaries.push(await runSync(h.cfg, io, { progress: 'lines' }));
    expect(summaries[0]!.ok).toBe(true);

    // The second sync runs while another process syncs the same store.
    const before = h.sim.stats().requests;
    const other = cliSync(h.dir, ['--config', h.settings, '--db', h.db], h.env);
    await until(() => h.sim.stats().requests > before, 'the other process to start sending');
    const atStart = h.sim.stats().requests;
    summaries.push(await runSync(h.cfg, io, { progress: 'lines' }));
    // The other process sent requests while this sync ran (they really ran at once).
    expect(h.sim.stats().requests - atStart).toBeGreaterThan(summaries[1]!.requests);
    const child = await other;
    summaries.push(await runSync(h.cfg, io, { progress: 'lines' }));

    const times = h.sim.requestTimes();
    expect(maxInAnyHour(times)).toBeLessThanOrEqual(100);
    expect(h.sim.stats().rejected429).toBe(0);
    // It bit: the share was used up, and the sync that found it spent stopped every entity saying why.
    expect(times.length).toBeGreaterThanOrEqual(90);
    const last = summaries[2]!;
    expect(last.ok).toBe(false);
    expect(last.entities.every((e) => e.code === 'BUDGET')).toBe(true);
    expect(last.entities[0]!.error).toMatch(/^Autotask request budget spent: \d+ of 100 requests in the last hour \(budgetShare 0\.25 of the 400-request hour, shared by every psa-reports process on this database\); the next is free at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, later than the longest wait allowed \(0 min, settings autotask\.budgetMaxWaitMinutes\)/);
    // Said once, where the sync stopped (not once per entity).
    expect(io.stderr.join('\n')).toMatch(/sync stopped[^\n]*: Autotask request budget spent/);
    expect(child.code === 0 || /budget spent/.test(child.stderr)).toBe(true);
    // The store's ledger counted what the server counted.
    const db = openDb(h.db);
    expect(db.prepare('SELECT SUM(requests) FROM api_requests').pluck().get()).toBe(times.length);
    db.close();

    // check reads the hour's use from the ledger.
    const out = captureIO(h.env, h.dir);
    await main(['check', '--config', h.settings, '--db', h.db], out);
    expect(out.stdout.join('\n')).toMatch(new RegExp(`!!  API budget: ${times.length} of 100 requests in the last hour \\(${times.length} %, autotask\\.budgetShare 0\\.25\\); the Autotask database was at \\d+ of 400 \\(0 by other integrations\\)`));
  }, 180_000);

  it('a sync that finds the share spent waits, saying until when, and then finishes', async () => {
    const h = await setup(400, { budgetShare: 0.25 }); // the default longest wait (61 min) covers the hour
    // The syncs' clock moves only when the client sleeps: an hour of waiting passes at once.
    let t = Date.now();
    const clock = { now: () => t };
    const sleep = async (ms: number) => void (t += ms);
    const io = captureIO(h.env, h.dir);
    const runs: SyncSummary[] = [];
    for (let i = 0; i < 3; i++) runs.push(await runSync(h.cfg, io, { progress: 'lines', clock, clientOptions: { sleep } }));
    expect(runs.map((r) => r.ok)).toEqual([true, true, true]);
    const waits = io.stderr.filter((l) => l.startsWith('waiting'));
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatch(/^waiting \d+ s, until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: psa-reports \(every process on this database\) used 100 of its 100 Autotask requests in the last hour$/);
    // One line per wait, not one per request in flight.
    expect(new Set(waits.map((w) => /until (\S+?Z):/.exec(w)![1])).size).toBe(waits.length);
    const secs = Number(/^waiting (\d+) s/.exec(waits[0]!)![1]);
    expect(secs).toBeGreaterThan(59 * 60);
    expect(secs).toBeLessThanOrEqual(61 * 60);
    // Never more than the share in any hour of the syncs' clock: the ledger's minute rows hold it.
    const db = openDb(h.db);
    const rows = db.prepare('SELECT minute, requests FROM api_requests ORDER BY minute').all() as { minute: number; requests: number }[];
    db.close();
    for (const r of rows) expect(rows.filter((x) => x.minute >= r.minute && x.minute <= r.minute + 60).reduce((a, x) => a + x.requests, 0)).toBeLessThanOrEqual(100);
  }, 120_000);

  it("other integrations' use, read from ThresholdInformation, lowers what psa-reports takes", async () => {
    // A share of 0.5 is 200 of the database's 400, but another integration has used 350 this hour: psa-reports
    // may take only 380 (95 %) − 350 = 30, and a sync needs about 45.
    const h = await setup(400, { budgetShare: 0.5, budgetMaxWaitMinutes: 0 });
    const headers = { ApiIntegrationCode: h.sim.credentials.integrationCode, UserName: h.sim.credentials.username, Secret: h.sim.credentials.secret };
    // Three at a time: the thread limit is per integration code and endpoint.
    await Promise.all([0, 1, 2].map(async (lane) => {
      for (let i = lane; i < 350; i += 3) expect((await fetch(`${h.sim.baseUrl}V1.0/Version`, { headers })).status).toBe(200);
    }));
    const io = captureIO(h.env, h.dir);
    const s = await runSync(h.cfg, io, { progress: 'lines' });
    const ours = h.sim.requestTimes().length - 350;
    expect(ours).toBeLessThanOrEqual(30);
    expect(ours).toBeGreaterThan(0);
    expect(s.ok).toBe(false);
    expect(s.entities.find((e) => e.code === 'BUDGET')?.error).toMatch(/other integrations used 350 of the Autotask database's 400 requests this hour and the last 5 % is left to them/);
    expect(h.sim.stats().rejected429).toBe(0);
  }, 120_000);
});
