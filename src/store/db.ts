import { systemClock, type Clock } from '../types.js';
import fs from 'node:fs';
import path from 'node:path';
import { Database } from './sqlite.js';
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { MIGRATIONS, ensureCatalogueColumns, type Migration } from './migrations.js';
import { ensurePeriodCache } from './period-cache.js';

/** The database port: the better-sqlite3 handle. Modules receive it; none opens its own. */
export type Db = BetterSqlite3.Database;

/** All known migrations in order (the store owns every table, including the delivery ledger). */
export function allMigrations(): Migration[] {
  const all = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.version === all[i - 1]!.version) throw new Error(`duplicate migration version ${all[i]!.version}`);
  }
  return all;
}

/**
 * Opens (creating if needed) the SQLite store at `file` and brings its schema up to date.
 * WAL mode so reports can read while a sync writes; each migration is one transaction, so a failed
 * upgrade leaves the previous schema intact.
 * `mustExist`: for the commands that only read a store (run, history…), a missing file is a mistyped path
 * or a skipped sync, and an empty store made for it would print zeros as if they were the tenant's numbers.
 */
export function openDb(file: string, opts: { readonly?: boolean; mustExist?: boolean; clock?: Clock; onBackup?: (backupFile: string, pending: number[]) => void } = {}): Db {
  if (file !== ':memory:' && opts.mustExist && !fs.existsSync(file)) throw missingStore(file);
  if (file !== ':memory:') {
    const dir = path.dirname(path.resolve(file));
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new AppError(`cannot create the folder ${dir} for the database: ${(e as Error).message}. Set --db or PSA_REPORTS_DB to a writable path.`, 'CONFIG', { cause: e });
    }
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false });
  } catch (e) {
    throw storeError(file, e);
  }
  try {
    db.pragma('busy_timeout = 10000');
    // 32 MB page cache (SQLite's default is 2 MB): reports over a million time entries re-read the same pages.
    db.pragma('cache_size = -32768');
    db.pragma('temp_store = MEMORY');
    if (!opts.readonly) {
      // Switching a new file to WAL needs it alone for a moment; processes opening it together take turns.
      whileBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('synchronous = NORMAL');
      if (file !== ':memory:') backupBeforeUpgrade(db, file, opts.clock ?? systemClock, opts.onBackup);
      migrate(db, opts.clock);
    }
  } catch (e) {
    db.close();
    throw storeError(file, e);
  }
  return db;
}

/** The error for a store that should exist and does not (exit 2). */
export function missingStore(file: string): AppError {
  return new AppError(`the database ${file} does not exist. Run psa-reports sync first (or psa-reports demo), or give the store's path with --db or PSA_REPORTS_DB.`, 'CONFIG', { details: { file } });
}

/** Whether `e` is an error of SQLite (better-sqlite3's SqliteError carries an SQLITE_* code). */
export function isSqliteError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_');
}

/**
 * An operator's message for a SQLite failure on the store `file`: the file, what went wrong and what to
 * do (a raw SqliteError stack names neither). Anything else, an AppError included, is returned as it is.
 */
export function storeError(file: string, e: unknown): unknown {
  if (!isSqliteError(e)) return e;
  const code = e.code;
  const why = `${e.message} (${code})`;
  const where = 'or set --db or PSA_REPORTS_DB to another path';
  let msg: string;
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    msg = `the database ${file} is damaged or is not a psa-reports store: ${why}. Restore it from a backup, or move it aside and run psa-reports sync to build a new one (${where}).`;
  } else if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    msg = `the database ${file} cannot be written: ${why}. Give the user running psa-reports write access to the file and to its folder (SQLite keeps ${path.basename(file)}-wal and ${path.basename(file)}-shm beside it), ${where}.`;
  } else if (code.startsWith('SQLITE_FULL')) {
    msg = `the disk holding the database ${file} is full: ${why}. Free space there and run the command again (the failed write changed nothing), ${where}.`;
  } else if (code.startsWith('SQLITE_CANTOPEN')) {
    msg = `the database ${file} cannot be opened: ${why}. The path must name a file (not a folder) in a folder the user running psa-reports may write to; ${where}.`;
  } else if (code.startsWith('SQLITE_IOERR')) {
    msg = `reading or writing the database ${file} failed: ${why}. Check the disk (space, errors in the system log) and run the command again.`;
  } else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    msg = `the database ${file} stayed locked by another process: ${why}. Run the command again when the sync or daemon using it is done.`;
  } else {
    msg = `the database ${file} failed: ${why}.`;
  }
  return new AppError(msg, 'DB', { cause: e, details: { file, sqlite: code } });
}

const BUSY_WAIT_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn`, again while SQLite answers SQLITE_BUSY (up to 10 s). SQLite does not wait on its own where
 * waiting could deadlock (a read snapshot turning into a write, a journal-mode switch), and those are the
 * cases where several processes open the same new store at once.
 */
export function whileBusy<T>(fn: () => T): T {
  // Elapsed time of this wait, not a decision about the date: a monotonic timer.
  const until = performance.now() + BUSY_WAIT_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      return fn();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || performance.now() >= until) throw e;
      Atomics.wait(pause, 0, 0, delay + Math.floor(Math.random() * delay));
    }
  }
}

/**
 * Versions of migrations this store has not applied; [] for a store that holds nothing yet (no sync, no
 * run), which has nothing to lose — and which other processes may be creating at this very moment.
 */
export function pendingMigrations(db: Db): number[] {
  const has = (t: string) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t) !== undefined;
  if (!has('schema_migrations')) return [];
  const inUse = ['sync_runs', 'runs'].some((t) => has(t) && db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined);
  if (!inUse) return [];
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  return allMigrations().map((m) => m.version).filter((v) => !done.has(v));
}

/**
 * Before an upgrade changes the schema of a store in use, a copy of it as it was: `<file>.pre-v<N>-<time>.bak`
 * beside it (VACUUM INTO: a consistent snapshot, synchronous, while other readers go on). A failed
 * migration rolls back by itself; this copy is for a new version that migrates fine but is not wanted.
 */
function backupBeforeUpgrade(db: Db, file: string, clock: Clock, onBackup?: (backupFile: string, pending: number[]) => void): void {
  const pending = pendingMigrations(db);
  if (!pending.length) return;
  const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const target = `${path.resolve(file)}.pre-v${Math.max(...pending)}-${stamp}-${process.pid}.bak`;
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } catch (e) {
    throw new AppError(`the store ${file} needs a schema upgrade (migration ${pending.join(', ')}), and the copy taken first could not be written to ${target}: ${(e as Error).message}. Free disk space or make the folder writable, or take a copy with psa-reports backup and retry.`, 'DB', { cause: e });
  }
  (onBackup ?? ((f: string) => process.stderr.write(`psa-reports: the store needs a schema upgrade (migration ${pending.join(', ')}); a copy of it as it was is at ${f}\n`)))(target, pending);
}

/** Applies pending migrations; returns the versions applied. */
export function migrate(db: Db, clock: Clock = systemClock): number[] {
  // Under the write lock from the start: in WAL mode a statement that reads and then writes cannot wait
  // for another writer (SQLITE_BUSY_SNAPSHOT, "database is locked"), a BEGIN IMMEDIATE can.
  whileBusy(() => db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  }).immediate());
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  const isDone = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  for (const m of allMigrations()) {
    if (done.has(m.version)) continue;
    // Checked again under the write lock: several processes (two daemons, a daemon and a sync) may open a
    // new store at the same moment, and only the first may apply a step.
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF'); // not changeable inside a transaction
    let ran: boolean;
    try {
      ran = whileBusy(() => db.transaction(() => {
        if (isDone.get(m.version)) return false;
        m.up(db);
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length) throw new Error(`migration ${m.version} (${m.name}) would break ${broken.length} reference(s); nothing was changed`);
        }
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, clock.now());
        return true;
      }).immediate());
    } finally {
      if (m.rebuildsTables) db.pragma('foreign_keys = ON');
    }
    if (ran) applied.push(m.version);
  }
  whileBusy(() => db.transaction(() => { ensureCatalogueColumns(db); ensurePeriodCache(db); }).immediate());
  return applied;
}
