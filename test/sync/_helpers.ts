import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { createAutotaskClient, type AutotaskClient, type AutotaskClientOptions } from '../../src/autotask/client.js';
import { ENTITIES } from '../../src/autotask/entities.js';
import type { AutotaskEnv } from '../../src/config.js';
import { openDb, type Db } from '../../src/store/db.js';

/** A distinctive secret, so a test can prove it never leaks. */
export const SECRET = 'S3cr3t-Never-Print-Me-7781';

/** Starts a simulator that accepts SECRET. */
export function sim(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 7, scale: 'tiny', ...opts, credentials: { secret: SECRET, ...opts.credentials } });
}

/** Credentials of a simulator (base URL given, so no zone discovery unless asked). */
export function envOf(s: Simulator, over: Partial<AutotaskEnv> = {}): AutotaskEnv {
  return {
    username: s.credentials.username,
    secret: s.credentials.secret,
    integrationCode: s.credentials.integrationCode,
    baseUrl: s.baseUrl,
    zoneUrl: s.zoneUrl,
    ...over,
  };
}

/** A client with short backoffs (real HTTP, real retries). */
export function clientOf(s: Simulator, opts: AutotaskClientOptions = {}, env: Partial<AutotaskEnv> = {}): AutotaskClient {
  return createAutotaskClient(envOf(s, env), { baseDelayMs: 5, maxDelayMs: 50, ...opts });
}

/** A fresh temp folder; removed by the returned cleanup. */
export function tempDir(prefix = 'psa-sync-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh store in `dir`. */
export function freshDb(dir: string, name = 'store.db'): Db {
  return openDb(path.join(dir, name));
}

/** Every entity table's rows (without synced_at), the state history (without recorded_at/ids) and picklists. */
export function dump(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const e of ENTITIES) {
    const cols = ['id', ...e.fields.filter((f) => f.name !== 'id').map((f) => `"${f.name}"`), 'raw'];
    out[e.table] = db.prepare(`SELECT ${cols.join(', ')} FROM ${e.table} ORDER BY id`).all();
  }
  out.ticket_states = db.prepare('SELECT ticket_id, changed_at, status, queue_id, assigned_resource_id, priority, completed_date, completed_by_resource_id FROM ticket_states ORDER BY ticket_id, id').all();
  out.opportunity_states = db.prepare('SELECT opportunity_id, changed_at, stage, status FROM opportunity_states ORDER BY opportunity_id, id').all();
  out.picklists = db.prepare('SELECT * FROM picklists ORDER BY entity, field, value').all();
  return out;
}

/** Row counts per catalogue entity in the simulator's tenant. */
export function tenantCounts(s: Simulator): Record<string, number> {
  return Object.fromEntries(ENTITIES.map((e) => [e.name, s.tenant.table(e.name).size]));
}

/** Row counts per catalogue entity in a store. */
export function storeCounts(db: Db): Record<string, number> {
  return Object.fromEntries(ENTITIES.map((e) => [e.name, db.prepare(`SELECT count(*) FROM ${e.table}`).pluck().get() as number]));
}

/** A JSON answer with `status`, as Autotask sends errors (`{"errors": [...]}`) — for fetch stand-ins that play a tenant. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
