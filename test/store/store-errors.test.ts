import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { AppError } from '../../src/errors.js';
import { openDb, storeError } from '../../src/store/db.js';
import { captureIO } from '../commands/io.js';

const root = path.resolve(__dirname, '../..');
let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-store-err-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const cli = async (...argv: string[]) => {
  const io = captureIO(dir);
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

/** The compiled CLI in a child process (npm test builds first), as `uid` when given. */
function childCli(args: string[], uid?: number): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/psa-reports.js'), ...args], {
    cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
  return { code: r.status, err: r.stderr };
}

describe('commands that read a store', () => {
  it('refuse one that does not exist (exit 2, telling to sync first) instead of creating an empty one and printing zeros', async () => {
    const missing = path.join(dir, 'nothere.db');
    const schedules = path.join(dir, 'schedules.json');
    fs.writeFileSync(schedules, JSON.stringify({
      owner: 'ops@msp.test', roles: { team: { recipients: ['a@msp.test'] } },
      schedules: [{ id: 'daily', cron: '0 8 * * *', timezone: 'UTC', reports: ['intake/backlog'], format: 'csv', roles: ['team'], subject: 'B' }],
    }));
    const runs = [
      ['run', 'intake/backlog', '--db', missing],
      ['history', '--db', missing],
      ['run', 'daily', '--dry-run', '--db', missing, '--schedules', schedules],
      ['run', 'daily', '--send', '--db', missing, '--schedules', schedules],
      ['check', '--db', missing],
    ];
    for (const argv of runs) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(`the database ${missing} does not exist. Run psa-reports sync first`);
      expect(r.out).not.toMatch(/"metrics"|No runs yet/);
      expect(fs.existsSync(missing), argv.join(' ')).toBe(false);
    }
    // Without --db, check notes the missing default store (a first run) and does not fail on it.
    const first = await cli('check');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`!!  store: ${path.join(dir, 'psa-reports.db')} does not exist yet`);
  });

  it('a corrupt store or a folder given as the store: a clear error naming the file and what to do, no SqliteError stack', async () => {
    const corrupt = path.join(dir, 'corrupt.db');
    fs.writeFileSync(corrupt, 'this is not a database, only some text that is long enough to be read as a header.'.repeat(20));
    for (const argv of [['history', '--db', corrupt], ['run', 'intake/backlog', '--db', corrupt]]) {
      const r = await cli(...argv);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`the database ${corrupt} is damaged or is not a psa-reports store: file is not a database (SQLITE_NOTADB). Restore it from a backup, or move it aside and run psa-reports sync`);
      expect(r.err).not.toMatch(/SqliteError|\n\s+at /);
    }
    const folder = path.join(dir, 'a-folder');
    fs.mkdirSync(folder);
    const r = await cli('history', '--db', folder);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the database ${folder} cannot be opened: unable to open database file (SQLITE_CANTOPEN). The path must name a file (not a folder)`);
    expect(r.err).not.toMatch(/SqliteError|\n\s+at /);
  });

  it('a read-only store: a clear error naming the file and what to do (as root, run as another user: root writes through chmod)', () => {
    const file = path.join(dir, 'ro.db');
    openDb(file).close();
    const asRoot = process.getuid?.() === 0;
    // Not writable for the user who runs the command: the file and its folder (SQLite adds -wal/-shm files).
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, 0o555);
    try {
      const r = childCli(['history', '--db', file], asRoot ? 65534 : undefined);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`psa-reports history: the database ${file} cannot be written: attempt to write a readonly database (SQLITE_READONLY`);
      expect(r.err).toContain('Give the user running psa-reports write access to the file and to its folder');
      expect(r.err).not.toMatch(/SqliteError|\n\s+at /);
    } finally {
      fs.chmodSync(dir, 0o755);
    }
  });

  it('a full disk (SQLite answers SQLITE_FULL) is named with the file and what to do', () => {
    const file = path.join(dir, 'full.db');
    const db = openDb(file);
    let thrown: unknown;
    try {
      // A page limit makes SQLite answer exactly as on a full disk.
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      db.exec('CREATE TABLE filler (x TEXT)');
      const ins = db.prepare('INSERT INTO filler VALUES (?)');
      for (let i = 0; i < 1000; i++) ins.run('x'.repeat(4000));
    } catch (e) {
      thrown = e;
    } finally {
      db.close();
    }
    expect((thrown as { code?: string }).code).toBe('SQLITE_FULL');
    const e = storeError(file, thrown) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.message).toContain(`the disk holding the database ${file} is full`);
    expect(e.message).toContain('Free space there and run the command again');
    // Anything that is not SQLite's passes through unchanged.
    const other = new Error('x');
    expect(storeError(file, other)).toBe(other);
  });
});
