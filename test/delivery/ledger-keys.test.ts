import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger, newOwner } from '../../src/store/ledger.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openDb } from '../../src/store/db.js';
import { Database } from '../../src/store/sqlite.js';

/** A cron occurrence: Monday 2026-11-23 07:00 UTC. */
const T = Date.parse('2026-11-23T07:00:00Z');
const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-ledger-keys-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

describe('manual and scheduled runs are keyed apart', () => {
  it('a manual run requested in the millisecond of a cron occurrence leaves the scheduled run to be made', () => {
    const db = openDb(path.join(tmp(), 'store.db'));
    try {
      const ledger = new Ledger(db);
      const manual = ledger.createManual('weekly', T, newOwner(), T + 60_000);
      const { run, inserted } = ledger.claimScheduled('weekly', T, T);
      expect(inserted).toBe(true);
      expect(run.kind).toBe('scheduled');
      expect(run.id).not.toBe(manual.id);
      // Claimed again (a second daemon): the same row, not a new one.
      expect(ledger.claimScheduled('weekly', T, T + 5).run.id).toBe(run.id);
      // Two manual requests in one millisecond still get a row each.
      expect(ledger.createManual('weekly', T, newOwner(), T + 60_000).id).not.toBe(manual.id);
    } finally {
      db.close();
    }
  });

  it('a store made before the change keeps its runs and deliveries when upgraded', () => {
    const file = path.join(tmp(), 'old.db');
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 12)) {
      m.up(old);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    old.prepare(`INSERT INTO runs (id, schedule_id, due_at, kind, state, created_at) VALUES (7, 'weekly', ?, 'manual', 'sent', ?)`).run(T, T);
    old.prepare(`INSERT INTO deliveries (run_id, recipient, state, message_id, created_at) VALUES (7, 'a@x.test', 'sent', '<m@x>', ?)`).run(T);
    old.close();

    const db = openDb(file);
    try {
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.prepare('SELECT id, kind FROM runs').all()).toEqual([{ id: 7, kind: 'manual' }]);
      expect(db.prepare('SELECT run_id FROM deliveries').pluck().all()).toEqual([7]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      // The old manual row no longer hides the cron occurrence.
      expect(new Ledger(db).claimScheduled('weekly', T, T).inserted).toBe(true);
      // The key is really the new one.
      const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'runs'`).pluck().get() as string;
      expect(sql).toMatch(/UNIQUE \(schedule_id, kind, due_at\)/);
      expect(() => db.prepare(`INSERT INTO deliveries (run_id, recipient, state, message_id, created_at) VALUES (999, 'b@x.test', 'sent', '<n@x>', 0)`).run()).toThrow(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });
});
