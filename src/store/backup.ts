import { systemClock, type Clock } from '../types.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';
import { holderIsDead } from './ledger.js';
import { Database } from './sqlite.js';
import { openDb } from './db.js';

/**
 * Backup and restore of the store. A backup is SQLite's online backup (consistent while a sync or the
 * daemon writes); a restore replaces the store only when no daemon holds it, and keeps the store it
 * replaces as a backup first.
 */

/** What a backup or restore did. */
export interface CopyResult {
  /** The file written. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
}

/** Fails unless `file` is a readable, intact SQLite store of this program. */
function verifyStore(file: string, what: string): void {
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new AppError(`${what} ${file} cannot be opened: ${(e as Error).message}`, 'USAGE', { cause: e });
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new AppError(`${what} ${file} is damaged (quick_check: ${String(check)})`, 'USAGE');
    const ours = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
    if (!ours) throw new AppError(`${what} ${file} is an SQLite file but not a psa-reports store (no schema_migrations table)`, 'USAGE');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError(`${what} ${file} is not a readable SQLite store: ${(e as Error).message}`, 'USAGE', { cause: e });
  } finally {
    db.close();
  }
}

/** Copies the store at `dbFile` to `target` with SQLite's online backup, then checks the copy. */
export async function backupStore(dbFile: string, target: string, opts: { force?: boolean } = {}): Promise<CopyResult> {
  if (!fs.existsSync(dbFile)) throw new AppError(`the store ${dbFile} does not exist: nothing to back up (give --db, or run psa-reports sync first)`, 'USAGE');
  if (path.resolve(target) === path.resolve(dbFile)) throw new AppError('the backup file must not be the store itself', 'USAGE');
  if (fs.existsSync(target) && !opts.force) throw new AppError(`${target} exists: choose a new file name, or give --force to replace it`, 'USAGE');
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    await db.backup(tmp);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new AppError(`backing up ${dbFile} to ${target} failed: ${(e as Error).message}`, 'DB', { cause: e });
  } finally {
    db.close();
  }
  verifyStore(tmp, 'the backup');
  // Renamed only when complete: a half-written file never carries the name an admin asked for.
  fs.renameSync(tmp, target);
  return { file: path.resolve(target), bytes: fs.statSync(target).size };
}

/** The daemon holding the store's lock, if one is alive (on another host: by a fresh heartbeat). */
export function lockHolder(dbFile: string, now: number, staleMs = 90_000): { owner: string; pid: number; host: string } | null {
  if (!fs.existsSync(dbFile)) return null;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'daemon_lock'`).get();
    if (!has) return null;
    const rows = db.prepare('SELECT owner, pid, host, heartbeat_at FROM daemon_lock').all() as { owner: string; pid: number; host: string; heartbeat_at: number }[];
    const self = { id: `restore:${process.pid}`, pid: process.pid, host: os.hostname() };
    return rows.find((r) => r.heartbeat_at >= now - staleMs && !holderIsDead(r, self)) ?? null;
  } finally {
    db.close();
  }
}

/**
 * Replaces the store at `dbFile` with the backup `source`: refused while a daemon holds the store; the
 * store replaced is first backed up to `<dbFile>.before-restore-<time>`; the restored store is then
 * opened once, which applies any migration a backup from an older version lacks.
 */
export async function restoreStore(dbFile: string, source: string, clock: Clock = systemClock): Promise<CopyResult & { previous: string | null }> {
  if (!fs.existsSync(source)) throw new AppError(`${source} does not exist: give the backup file to restore`, 'USAGE');
  verifyStore(source, 'the backup');
  const holder = lockHolder(dbFile, clock.now());
  if (holder) {
    throw new AppError(`a daemon (pid ${holder.pid} on ${holder.host}) is using ${dbFile}: stop it first (systemctl stop psa-reports, or docker compose stop), then restore`, 'LOCKED');
  }
  let previous: string | null = null;
  if (fs.existsSync(dbFile)) {
    previous = `${dbFile}.before-restore-${new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
    await backupStore(dbFile, previous);
  }
  const tmp = `${dbFile}.restoring-${process.pid}`;
  fs.copyFileSync(source, tmp);
  // The old store's WAL and shared-memory files belong to it: left beside the new file they would be
  // replayed into it.
  for (const ext of ['-wal', '-shm', '-journal']) fs.rmSync(`${dbFile}${ext}`, { force: true });
  fs.renameSync(tmp, dbFile);
  openDb(dbFile, { onBackup: () => {} }).close();
  return { file: path.resolve(dbFile), bytes: fs.statSync(dbFile).size, previous };
}
