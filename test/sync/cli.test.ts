import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Database } from '../../src/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { syncAll } from '../../src/sync/index.js';
import { SECRET, clientOf, dump, freshDb, sim, storeCounts, tempDir, tenantCounts } from './_helpers.js';

const ROOT = path.resolve(__dirname, '../..');
const VITE_NODE = path.join(ROOT, 'node_modules/.bin/vite-node');
const ENTRY = path.join(ROOT, 'test/sync/_cli.ts');

let s: Simulator | undefined;
let tmp: ReturnType<typeof tempDir>;
const children: ChildProcess[] = [];
beforeEach(() => {
  tmp = tempDir('psa-cli-');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await s?.close();
  s = undefined;
  tmp.cleanup();
});

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; done: Promise<Done> } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUTOTASK_') && !k.startsWith('PSA_REPORTS_')));
  const child = spawn(VITE_NODE, [ENTRY, '--', ...args], { cwd: tmp.dir, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b) => (stdout += b));
  child.stderr!.on('data', (b) => (stderr += b));
  const done = new Promise<Done>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

function envFor(sm: Simulator, db: string, over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AUTOTASK_USERNAME: sm.credentials.username,
    AUTOTASK_SECRET: sm.credentials.secret,
    AUTOTASK_INTEGRATION_CODE: sm.credentials.integrationCode,
    AUTOTASK_BASE_URL: sm.baseUrl,
    PSA_REPORTS_DB: db,
    ...over,
  };
}

describe('psa-reports sync (real CLI in a child process)', () => {
  it('syncs with one line per entity and exit 0', async () => {
    s = await sim();
    const file = path.join(tmp.dir, 'a.db');
    const r = await cli(['sync', '--entities', 'Tickets,TimeEntries'], envFor(s, file)).done;
    expect(r.stderr).toMatch(/^Tickets: \d+ rows, .*\d+ requests, [\d.]+ s/m);
    expect(r.stderr).toMatch(/^TimeEntries: \d+ rows/m);
    expect(r.code).toBe(0);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(s.tenant.table('Tickets').size);
    db.close();
  });

  it('bad credentials, an unknown user and missing variables exit 2 naming the variable, never printing the secret', async () => {
    s = await sim();
    const file = path.join(tmp.dir, 'b.db');
    const wrong = 'Wrong-Secret-Never-Printed-5512';
    const [badSecret, unknownUser, missing, badCode] = await Promise.all([
      cli(['sync'], envFor(s, file, { AUTOTASK_SECRET: wrong })).done,
      cli(['sync'], envFor(s, file, { AUTOTASK_BASE_URL: undefined, AUTOTASK_ZONE_URL: s.zoneUrl, AUTOTASK_USERNAME: 'ghost@example.com' })).done,
      cli(['sync'], envFor(s, file, { AUTOTASK_INTEGRATION_CODE: undefined })).done,
      cli(['sync'], envFor(s, file, { AUTOTASK_INTEGRATION_CODE: 'WRONGCODE' })).done,
    ]);
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toMatch(/AUTOTASK_SECRET/);
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr).toMatch(/AUTOTASK_USERNAME/);
    expect(unknownUser.stderr).toMatch(/could not be determined/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/AUTOTASK_INTEGRATION_CODE/);
    expect(badCode.code).toBe(2);
    expect(badCode.stderr).toMatch(/AUTOTASK_INTEGRATION_CODE/);
    for (const r of [badSecret, unknownUser, missing, badCode]) {
      expect(r.stdout + r.stderr).not.toContain(wrong);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    // one failed login, not one per entity
    expect(s.stats().log.filter((l) => l.status === 401).length).toBe(1);
  });

  it('a sync killed mid-entity and resumed gives the same tables as an uninterrupted sync', async () => {
    s = await sim({ pageSize: 15, latency: { baseMs: 15 } });
    const file = path.join(tmp.dir, 'killed.db');
    const run = cli(['sync'], envFor(s, file));
    // Wait (polling the child's database, read-only) until some entity is part-way through a pass.
    let midEntity: { entity: string; cursor_id: number } | undefined;
    const started = Date.now();
    while (!midEntity && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 25));
      try {
        const peek = new Database(file, { readonly: true, fileMustExist: true });
        try {
          midEntity = peek.prepare("SELECT entity, cursor_id FROM sync_cursors WHERE pass_kind IS NOT NULL AND cursor_id IS NOT NULL AND entity IN ('TimeEntries','Tickets','BillingItems') LIMIT 1").get() as typeof midEntity;
        } finally {
          peek.close();
        }
      } catch {
        // not created or not migrated yet
      }
    }
    expect(midEntity).toBeDefined();
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');

    const resumed = await cli(['sync'], envFor(s, file)).done;
    expect(resumed.code, resumed.stderr).toBe(0);

    const ref = freshDb(tmp.dir, 'reference.db');
    const sum = await syncAll(ref, clientOf(s), { overlapMs: 600_000, clock: { now: () => Date.now() } });
    expect(sum.ok).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      // the killed run is not left "working" in the ledger
      expect(db.prepare('SELECT status FROM sync_runs ORDER BY id').pluck().all()).toEqual(['interrupted', 'ok']);
      expect(storeCounts(db)).toEqual(tenantCounts(s));
      expect(dump(db)).toEqual(dump(ref));
    } finally {
      db.close();
      ref.close();
    }
  }, 180_000); // two full syncs in child processes: a minute and more on a busy 2-core machine (seen at load 25)

  it('a sync killed while reading an entity in parallel id ranges resumes every range and gives the same tables', async () => {
    // Small tenant: TimeEntries (10,000 rows) is read as three id ranges.
    s = await sim({ scale: 'small', pageSize: 100, latency: { baseMs: 15 } });
    const file = path.join(tmp.dir, 'killed-ranges.db');
    const run = cli(['sync', '--entities', 'TimeEntries'], envFor(s, file));
    let moving = 0;
    const started = Date.now();
    while (moving < 2 && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 25));
      try {
        const peek = new Database(file, { readonly: true, fileMustExist: true });
        try {
          moving = peek.prepare("SELECT count(*) FROM sync_ranges WHERE entity = 'TimeEntries' AND cursor_id IS NOT NULL").pluck().get() as number;
        } finally {
          peek.close();
        }
      } catch {
        // not created or not migrated yet
      }
    }
    expect(moving).toBeGreaterThanOrEqual(2);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');

    const resumed = await cli(['sync', '--entities', 'TimeEntries'], envFor(s, file)).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const ref = freshDb(tmp.dir, 'reference-ranges.db');
    expect((await syncAll(ref, clientOf(s), { overlapMs: 600_000, clock: { now: () => Date.now() }, entities: ['TimeEntries'] })).ok).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM sync_ranges').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM time_entries').pluck().get()).toBe(s.tenant.table('TimeEntries').size);
      expect(dump(db).time_entries).toEqual(dump(ref).time_entries);
    } finally {
      db.close();
      ref.close();
    }
  });
});
