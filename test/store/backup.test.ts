import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { openDb } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Database } from '../../src/store/sqlite.js';
import { captureIO } from '../commands/io.js';

let dir: string;
let store: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-backup-'));
  store = path.join(dir, 'store.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const metaRows = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT key FROM meta WHERE key LIKE 'test.%' ORDER BY key`).pluck().all() as string[]);
  } finally {
    db.close();
  }
};
const put = (db: ReturnType<typeof openDb>, key: string) => db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, 'x');
const cli = async (...args: string[]) => {
  const io = captureIO(dir);
  const code = await main([...args, '--db', store], io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe('backup and restore of the store', () => {
  it('backs up while a writer has the store open (WAL not yet checkpointed), restores it, keeps the store it replaced', async () => {
    const db = openDb(store);
    db.pragma('wal_autocheckpoint = 0'); // the rows stay in the WAL: the backup must still see them
    put(db, 'test.a');
    put(db, 'test.b');
    const b = await cli('backup', 'backups/one.db');
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    expect(b.out).toMatch(new RegExp(`^backed up ${store.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} to ${path.join(dir, 'backups/one.db').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\([\\d.]+ MB, checked\\)$`));
    expect(metaRows(path.join(dir, 'backups/one.db'))).toEqual(['test.a', 'test.b']);

    // Never overwrites without --force.
    const again = await cli('backup', 'backups/one.db');
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${path.join(dir, 'backups/one.db')} exists: choose a new file name, or give --force`);
    expect((await cli('backup', 'backups/one.db', '--force')).code).toBe(0);

    // Work after the backup, still in the WAL of an open connection, then closed.
    put(db, 'test.c');
    db.close();
    const r = await cli('restore', 'backups/one.db');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(metaRows(store)).toEqual(['test.a', 'test.b']);
    const previous = /kept the replaced store as (\S+)/.exec(r.out)?.[1];
    expect(previous).toBeDefined();
    expect(metaRows(previous!)).toEqual(['test.a', 'test.b', 'test.c']);
  });

  it('refuses to restore while a live daemon holds the store, and after it stopped restores', async () => {
    const db = openDb(store);
    put(db, 'test.before');
    db.close();
    expect((await cli('backup', 'b.db')).code).toBe(0);
    const daemon = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const live = openDb(store);
      live.prepare('INSERT INTO daemon_lock (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run('daemon', `${os.hostname()}:${daemon.pid}:tok:1`, daemon.pid, os.hostname(), Date.now(), Date.now());
      put(live, 'test.after');
      live.close();
      const r = await cli('restore', 'b.db');
      expect(r.code).toBe(1);
      expect(r.err).toContain(`a daemon (pid ${daemon.pid} on ${os.hostname()}) is using ${store}: stop it first`);
      expect(metaRows(store)).toEqual(['test.after', 'test.before']);
    } finally {
      daemon.kill('SIGKILL');
      await new Promise((res) => daemon.once('exit', res));
    }
    // The holder is gone (its pid no longer exists): the restore goes ahead.
    expect((await cli('restore', 'b.db')).code).toBe(0);
    expect(metaRows(store)).toEqual(['test.before']);
  });

  it('refuses a file that is not an intact psa-reports store, and a missing store to back up', async () => {
    fs.writeFileSync(path.join(dir, 'junk.db'), 'not sqlite at all, just text '.repeat(100));
    openDb(store).close();
    const r = await cli('restore', 'junk.db');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the backup .*junk\.db (cannot be opened|is not a readable SQLite store|is damaged)/);
    const other = new Database(path.join(dir, 'other.db'));
    other.exec('CREATE TABLE x (y)');
    other.close();
    expect((await cli('restore', 'other.db')).err).toContain('is an SQLite file but not a psa-reports store');
    fs.rmSync(store);
    const b = await cli('backup', 'x.db');
    expect(b.code).toBe(2);
    expect(b.err).toContain(`the store ${store} does not exist: nothing to back up`);
  });

  it('takes a copy before a migration changes a store in use, and none for a new or unused store', () => {
    const fresh = openDb(store, { onBackup: () => { throw new Error('a new store has nothing to back up'); } });
    put(fresh, 'test.old');
    fresh.close();
    // Not yet in use (no sync, no run): an upgrade takes no copy.
    const version0 = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
    MIGRATIONS.push({ version: version0, name: 'test step 0', up: (db) => db.exec('CREATE TABLE test_upgrade0 (x)') });
    try {
      openDb(store, { onBackup: () => { throw new Error('an unused store has nothing to back up'); } }).close();
    } finally {
      MIGRATIONS.splice(MIGRATIONS.findIndex((m) => m.version === version0), 1);
    }
    const used = openDb(store);
    used.prepare(`INSERT INTO sync_runs (started_at, finished_at, status, summary) VALUES (1, 2, 'ok', '{}')`).run();
    used.close();
    const version = Math.max(...MIGRATIONS.map((m) => m.version)) + 2;
    MIGRATIONS.push({ version, name: 'test step', up: (db) => db.exec('CREATE TABLE test_upgrade (x)') });
    try {
      const seen: { file: string; pending: number[] }[] = [];
      const db = openDb(store, { onBackup: (file, pending) => seen.push({ file, pending }) });
      db.close();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.pending).toEqual([version]);
      expect(path.basename(seen[0]!.file)).toMatch(new RegExp(`^store\\.db\\.pre-v${version}-\\d{8}T\\d{6}-\\d+\\.bak$`));
      const copy = new Database(seen[0]!.file, { readonly: true });
      expect(copy.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'test_upgrade'`).pluck().get()).toBe(0);
      expect(copy.prepare(`SELECT key FROM meta WHERE key = 'test.old'`).pluck().get()).toBe('test.old');
      copy.close();
      // Applied now: the next open takes no copy.
      openDb(store, { onBackup: () => { throw new Error('nothing pending'); } }).close();
    } finally {
      MIGRATIONS.splice(MIGRATIONS.findIndex((m) => m.version === version), 1);
    }
  });
});
