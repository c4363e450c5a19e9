import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../src/commands/sync.js';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/store/db.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { captureIO, simEnv } from '../helpers/synced.js';

/**
 * A tenant whose API does not know an entity's change field (older version, other permissions) answers a
 * filter on it with 500 "Unable to find …". The entity must then be read whole, not fail every sync.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 3, scale: 'tiny', now: NOW });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-nofield-'));
});
afterAll(async () => { await sim.close(); fs.rmSync(dir, { recursive: true, force: true }); });

/** fetch that plays a tenant without Appointments.updateDateTime. */
const withoutField: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const body = typeof init?.body === 'string' ? init.body : '';
  if (/\/Appointments\/query/i.test(url) && /updateDateTime/i.test(body + decodeURIComponent(url))) {
    return new Response(JSON.stringify({ errors: ['Unable to find updateDateTime in the Appointment Entity'] }), { status: 500, headers: { 'content-type': 'application/json' } });
  }
  return fetch(input, init);
};

describe('an entity whose change field the tenant does not know', () => {
  it('is read whole on incremental syncs, and ends equal to a fresh sync', async () => {
    const env = simEnv(sim);
    const cfg = loadConfig({ db: path.join(dir, 'a.db') }, env, dir);
    const io = captureIO(env, dir);
    const clock = { now: () => sim.now() };
    expect((await runSync(cfg, io, { clock, progress: 'none', fetch: withoutField })).ok).toBe(true);
    sim.advance(86_400_000);
    const second = await runSync(cfg, io, { clock, progress: 'none', fetch: withoutField });
    const appt = second.entities.find((e) => e.entity === 'Appointments')!;
    expect(appt.ok).toBe(true);
    expect(second.ok).toBe(true);
    // A fresh, unhindered sync of the same tenant has the same appointments.
    const fresh = loadConfig({ db: path.join(dir, 'b.db') }, env, dir);
    expect((await runSync(fresh, io, { clock, progress: 'none', entities: ['Appointments'] })).ok).toBe(true);
    const ids = (file: string) => { const db = openDb(file); try { return db.prepare('SELECT id, updateDateTime FROM appointments ORDER BY id').all(); } finally { db.close(); } };
    expect(ids(cfg.db)).toEqual(ids(fresh.db));
  }, 60_000);
});
