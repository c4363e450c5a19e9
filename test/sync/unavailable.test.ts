import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStore as runSync } from '../../src/app.js';
import { syncExitCode } from '../../src/sync/run.js';
import { startSimulator } from '../../src/simulator/index.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';
import { jsonResponse } from './_helpers.js';

/**
 * Tenants differ in what they serve: a module switched off, an entity of another version (404), or an API
 * security level that may not read an entity (403, or 500 "adequate permissions"). Entities no report needs
 * are skipped with a note; a needed one fails alone, saying which permission to grant.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let home: SimHome;
beforeAll(async () => { home = simHome(await startSimulator({ port: 0, seed: 4, scale: 'tiny', now: NOW }), 'psa-unavail-'); });
afterAll(() => home.cleanup());

function tenant(opts: { deny?: string[] } = {}): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (/\/V1\.0\/ExpenseReports\//i.test(url)) return jsonResponse(404, { Message: 'No HTTP resource was found that matches the request URI.' });
    // An API user whose security level has no expense permission (the message Autotask sends with a 500).
    if (/\/V1\.0\/ExpenseItems\//i.test(url)) return jsonResponse(500, { errors: ['The logged in Resource does not have the adequate permissions to query this entity type.'] });
    if (/\/V1\.0\/Departments\//i.test(url)) return jsonResponse(403, { errors: ['Forbidden'] });
    if (/\/V1\.0\/HolidaySets\//i.test(url)) return jsonResponse(500, { errors: ['The logged in Resource does not have the adequate permissions to query this entity type.'] });
    for (const e of opts.deny ?? []) if (new RegExp(`/V1\\.0/${e}/`, 'i').test(url)) return jsonResponse(403, { errors: ['Forbidden'] });
    return fetch(input, init);
  };
}

describe('entities a tenant does not serve', () => {
  it('optional ones are skipped with a note and the sync succeeds; a needed one fails alone and says what to grant', async () => {
    const { sim, env, clock } = home;
    const cfg = home.config('a.db');
    const io = captureIO(env, home.dir);
    const first = await runSync(cfg, io, { clock, progress: 'lines', fetch: tenant() });
    expect(first.entities.filter((r) => !r.ok).map((r) => `${r.entity}: ${r.error}`)).toEqual([]);
    expect(syncExitCode(first)).toBe(0);
    const skipped = first.entities.filter((r) => r.note).map((r) => r.entity).sort();
    expect(skipped).toEqual(['Departments', 'ExpenseItems', 'ExpenseReports', 'HolidaySets']);
    expect(first.entities.find((r) => r.entity === 'ExpenseItems')!.note).toMatch(/skipped, not readable on this tenant .*adequate permissions/);
    expect(io.stderr.join('\n')).toMatch(/ExpenseReports: skipped, not readable on this tenant \(Autotask answered HTTP 404/);
    expect(first.entities.find((r) => r.entity === 'Tickets')!.rows).toBeGreaterThan(0);

    const io2 = captureIO(env, home.dir);
    sim.advance(3_600_000);
    const second = await runSync(cfg, io2, { clock, progress: 'lines', fetch: tenant({ deny: ['Appointments'] }) });
    expect(second.failed).toEqual(['Appointments']);
    expect(second.entities.find((r) => r.entity === 'Appointments')!.code).toBe('PERMISSION');
    expect(second.entities.filter((r) => r.entity !== 'Appointments').every((r) => r.ok)).toBe(true);
    expect(syncExitCode(second)).toBe(1);
    expect(io2.stderr.join('\n')).toMatch(/failed: Appointments: .*HTTP 403.*may not read Appointments.*Security Levels/);
  }, 60_000);
});
