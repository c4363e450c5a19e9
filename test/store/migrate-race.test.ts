import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allMigrations, openDb } from '../../src/store/db.js';

const root = path.resolve(__dirname, '../..');

describe('migrations', () => {
  // Three rounds of 8: SQLite answers "database is locked" without waiting where a wait could deadlock
  // (a read snapshot turning into a write, the switch to WAL); one round of 6 missed it most of the time.
  it.each([1, 2, 3])('several processes opening a new store at once: each step applied exactly once, none fails (round %i)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-migrate-'));
    const file = path.join(dir, 'new.db');
    // The compiled store (npm test builds first), opened by 8 processes released together.
    const script = path.join(dir, 'open.mjs');
    fs.writeFileSync(script, `const { openDb } = await import(${JSON.stringify(path.join(root, 'dist/src/store/db.js'))});
process.on('message', () => { try { openDb(process.argv[2]).close(); process.exit(0); } catch (e) { console.error(e.message); process.exit(1); } });
process.send('ready');`);
    try {
      const kids = Array.from({ length: 8 }, () => fork(script, [file], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
      const stderr: string[] = [];
      for (const k of kids) k.stderr!.on('data', (d) => stderr.push(String(d)));
      await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
      const codes = await Promise.all(kids.map((k) => new Promise<number | null>((r) => { k.once('exit', (c) => r(c)); k.send('go'); })));
      expect(stderr.join('')).toBe('');
      expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      const db = openDb(file);
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      db.close();
      expect(versions).toEqual(allMigrations().map((m) => m.version));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
