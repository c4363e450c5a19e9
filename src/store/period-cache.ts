import { ENTITIES } from '../autotask/entities.js';
import type { Db } from './db.js';
import { rowsOf } from './rows.js';

/**
 * Change counters and the past-period cache (tables `change_counters`, `period_cache`).
 *
 * A report's trend computes 6–8 past periods; their results change only when rows they read change. Every
 * table a report can read has triggers that add one to its counter on each insert, update or delete, so
 * every writer (the sync, webhooks, a test's direct insert, a restore) is counted without having to
 * remember to. A cached period records the counters of the tables its computation read and is used only
 * while they are all unchanged.
 *
 * Both tables are derived data, made at every open (like catalogue columns) rather than by a numbered
 * migration: a store opened by an older version keeps working, and losing them only costs recomputation.
 */

/** Tables whose writes are counted: every entity table, the state histories and the picklists. */
export function countedTables(): string[] {
  return [...ENTITIES.map((e) => e.table), 'ticket_states', 'opportunity_states', 'picklists'];
}

/** Creates the counters, their triggers (for tables created since, too) and the cache table. Idempotent. */
export function ensurePeriodCache(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS change_counters (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS period_cache (
      key TEXT PRIMARY KEY,   -- sha256 of report, window, settings, code
      report TEXT NOT NULL,
      deps TEXT NOT NULL,     -- JSON: counters of the tables read, hashes of the SQL files run
      value TEXT NOT NULL,    -- JSON: the period's metrics and the per-resource values of its rows
      created_at INTEGER NOT NULL
    );
  `);
  const have = new Set(rowsOf<{ name: string }>(db, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cc\\_%' ESCAPE '\\'`).all().map((r) => r.name));
  const tables = new Set(rowsOf<{ name: string }>(db, `SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((r) => r.name));
  const seed = db.prepare('INSERT OR IGNORE INTO change_counters (tbl, n) VALUES (?, 0)');
  for (const t of countedTables()) {
    if (!tables.has(t)) continue;
    seed.run(t);
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      const name = `cc_${op.toLowerCase()}_${t}`;
      if (have.has(name)) continue;
      // Table names come from the catalogue (identifiers), never from input.
      db.exec(`CREATE TRIGGER ${name} AFTER ${op} ON ${t} BEGIN UPDATE change_counters SET n = n + 1 WHERE tbl = '${t}'; END`);
    }
  }
}

/** Current counter of every counted table, or null when the store has none (opened read-only before they existed). */
export function changeCounters(db: Db): Map<string, number> | null {
  try {
    return new Map(rowsOf<{ tbl: string; n: number }>(db, 'SELECT tbl, n FROM change_counters').all().map((r) => [r.tbl, r.n]));
  } catch {
    return null;
  }
}

/** Periods kept per report (the newest): a few dozen windows × settings in use. */
const PERIODS_KEPT = 200;

/** A cached period as stored. */
export interface PeriodCacheRow {
  deps: string;
  value: string;
}

/** The cached period under `key`, if any (its deps still to be checked by the caller). */
export function cachedPeriod(db: Db, key: string): PeriodCacheRow | undefined {
  return rowsOf<PeriodCacheRow>(db, 'SELECT deps, value FROM period_cache WHERE key = ?').get(key);
}

/**
 * Stores a period. Never waits for another writer (a sync holding the write lock): the cache is an
 * optimisation, and a page must not stall behind a sync for it. Returns whether it was written.
 */
export function storePeriod(db: Db, row: { key: string; report: string; deps: string; value: string; createdAt: number }): boolean {
  const busy = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma('busy_timeout = 0');
    db.prepare('INSERT OR REPLACE INTO period_cache (key, report, deps, value, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.key, row.report, row.deps, row.value, row.createdAt);
    // Bounded: periods of other settings or explicit as-of views of a report that are not asked for again.
    db.prepare(`DELETE FROM period_cache WHERE report = ? AND key NOT IN
      (SELECT key FROM period_cache WHERE report = ? ORDER BY created_at DESC, key LIMIT ${PERIODS_KEPT})`).run(row.report, row.report);
    return true;
  } catch {
    return false; // read-only store, busy, or a store without the table: recomputed next time
  } finally {
    db.pragma(`busy_timeout = ${Number(busy) || 0}`);
  }
}
