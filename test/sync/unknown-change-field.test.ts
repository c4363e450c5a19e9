import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStore as runSync } from '../../src/app.js';
import { openDb } from '../../src/store/db.js';
import { startSimulator } from '../../src/simulator/index.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';
import { jsonResponse } from './_helpers.js';

/**
 * A tenant whose API does not know an entity's change field (older version, other permissions) answers a
 * filter on it with 500 "Unable to find …". The entity must then be read whole, not fail every sync.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let home: SimHome;
beforeAll(async () => { home = simHome(await startSimulator({ port: 0, seed: 3, scale: 'tiny', now: NOW }), 'psa-nofield-'); });
afterAll(() => home.cleanup());

/** fetch that plays a tenant without Appointments.updateDateTime. */
const withoutField: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const body = typeof init?.body === 'string' ? init.body : '';
  if (/\/Appointments\/query/i.test(url) && /updateDateTime/i.test(body + decodeURIComponent(url))) {
    return jsonResponse(500, { errors: ['Unable to find updateDateTime in the Appointment Entity'] });
  }
  return fetch(input, init);
};

describe('an entity whose change field the tenant does not know', () => {
  it('is read whole on incremental syncs, and ends equal to a fresh sync', async () => {
    const { sim, env, clock } = home;
    const cfg = home.config('a.db');
    const io = captureIO(env, home.dir);
    expect((await runSync(cfg, io, { clock, progress: 'none', fetch: withoutField })).ok).toBe(true);
    sim.advance(86_400_000);
    const second = await runSync(cfg, io, { clock, progress: 'none', fetch: withoutField });
    const appt = second.entities.find((e) => e.entity === 'Appointments')!;
    expect(appt.ok).toBe(true);
    expect(second.ok).toBe(true);
    // A fresh, unhindered sync of the same tenant has the same appointments.
    const fresh = home.config('b.db');
    expect((await runSync(fresh, io, { clock, progress: 'none', entities: ['Appointments'] })).ok).toBe(true);
    const ids = (file: string) => { const db = openDb(file); try { return db.prepare('SELECT id, updateDateTime FROM appointments ORDER BY id').all(); } finally { db.close(); } };
    expect(ids(cfg.db)).toEqual(ids(fresh.db));
  }, 60_000);
});
