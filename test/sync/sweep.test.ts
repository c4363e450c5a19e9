import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { syncAll, type SyncSummary } from '../../src/sync/index.js';
import type { Db } from '../../src/store/db.js';
import { clientOf, freshDb, jsonResponse, sim, storeCounts, tempDir, tenantCounts } from './_helpers.js';

/**
 * Appointments, service calls, contracts, billing items… have no deletion log: an ids-only sweep (daily by
 * default) removes the rows Autotask no longer has, so deleted records leave the store and the reports.
 */
let s: Simulator;
let tmp: ReturnType<typeof tempDir>;
let d: Db;
beforeEach(async () => { tmp = tempDir(); s = await sim({}); d = freshDb(tmp.dir, 'store.db'); });
afterEach(async () => { d.close(); await s.close(); tmp.cleanup(); });

// Small tables are swept on every sync by default; these tests look at the daily period, so that is off here.
const sync = (sweepMaxAgeMs?: number, sweepSmallRows = 0): Promise<SyncSummary> =>
  syncAll(d, clientOf(s), { overlapMs: 10 * 60_000, clock: { now: () => s.now() }, sweepSmallRows, ...(sweepMaxAgeMs !== undefined ? { sweepMaxAgeMs } : {}) });

const ids = (table: string) => d.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[];

describe('deletions without a deletion log', () => {
  it('a sweep removes vanished appointments and service calls; within its period no sweep runs', async () => {
    expect((await sync()).ok).toBe(true);
    const appt = ids('appointments')[0]!;
    const call = ids('service_calls')[0]!;
    s.tenant.remove('Appointments', appt);
    s.tenant.remove('ServiceCalls', call);
    s.advance(60 * 60_000);
    // The first sync read everything, which counts as a sweep: the next one sweeps only when asked.
    const second = await sync(0);
    expect(second.ok).toBe(true);
    expect(ids('appointments')).not.toContain(appt);
    expect(ids('service_calls')).not.toContain(call);
    expect(second.entities.find((e) => e.entity === 'Appointments')!.deleted).toBeGreaterThanOrEqual(1);
    expect(storeCounts(d)).toEqual(tenantCounts(s));
    // Another deletion an hour later is not seen until the next sweep is due…
    const appt2 = ids('appointments')[0]!;
    s.tenant.remove('Appointments', appt2);
    s.advance(60 * 60_000);
    const third = await sync();
    expect(ids('appointments')).toContain(appt2);
    const sweepRequests = third.entities.find((e) => e.entity === 'Appointments')!.requests;
    // …or until a sync that asks for it.
    s.advance(60 * 60_000);
    const fourth = await sync(0);
    expect(ids('appointments')).not.toContain(appt2);
    expect(fourth.entities.find((e) => e.entity === 'Appointments')!.requests).toBeGreaterThan(sweepRequests);
  }, 60_000);
  it('small tables (≤ sweepSmallRows local rows, default 5,000) are swept on every sync, so a deleted appointment leaves at once', async () => {
    expect((await sync(undefined, 5_000)).ok).toBe(true);
    const appt = ids('appointments')[0]!;
    const call = ids('service_calls')[0]!;
    s.tenant.remove('Appointments', appt);
    s.tenant.remove('ServiceCalls', call);
    s.advance(10 * 60_000);
    const next = await syncAll(d, clientOf(s), { overlapMs: 10 * 60_000, clock: { now: () => s.now() } }); // the defaults
    expect(next.ok).toBe(true);
    expect(ids('appointments')).not.toContain(appt);
    expect(ids('service_calls')).not.toContain(call);
    expect(storeCounts(d)).toEqual(tenantCounts(s));
  }, 60_000);
  it('a failed check for deleted rows is a note, not a failed entity, and the next sync does it again', async () => {
    expect((await sync(undefined, 5_000)).ok).toBe(true);
    const appt = ids('appointments')[0]!;
    s.tenant.remove('Appointments', appt);
    s.advance(10 * 60_000);
    // This tenant refuses the ids-only read once.
    let refused = 0;
    const f: typeof fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      if (/\/Appointments\/query/i.test(String(input)) && /includeFields/i.test(body) && refused === 0) {
        refused++;
        return jsonResponse(500, { errors: ['Invalid query syntax.'] });
      }
      return fetch(input, init);
    };
    const second = await syncAll(d, clientOf(s, { fetch: f }), { overlapMs: 10 * 60_000, clock: { now: () => s.now() } });
    expect(refused).toBe(1);
    expect(second.ok).toBe(true);
    const a = second.entities.find((e) => e.entity === 'Appointments')!;
    expect(a.ok).toBe(true);
    expect(a.note).toMatch(/could not check for deleted rows .*the next sync tries again/);
    expect(ids('appointments')).toContain(appt);
    s.advance(10 * 60_000);
    expect((await syncAll(d, clientOf(s), { overlapMs: 10 * 60_000, clock: { now: () => s.now() } })).ok).toBe(true);
    expect(ids('appointments')).not.toContain(appt);
  }, 60_000);
});
