import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { startCheckpointer } from '../../src/store/checkpointer.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-ckpt-'));
  db = openDb(path.join(dir, 'store.db'));
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const writePages = (n: number, from = 0) => {
  const ins = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  // One transaction per page of 200 rows of 1 kB, as the sync commits: well past the WAL's 1,000 pages.
  for (let p = 0; p < n; p++) db.transaction(() => { for (let i = 0; i < 200; i++) ins.run(from + p * 200 + i, 'x'.repeat(1000)); })();
};

describe('checkpoints on a worker thread during a long write', () => {
  it('the connection stops checkpointing in its commits; the worker checkpoints; stop gives the setting back', async () => {
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // No periodic tick in this test: only the worker's last checkpoint at stop can copy the frames.
    const ck = await startCheckpointer(db, { everyMs: 3_600_000 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    writePages(30);
    // Nothing copied yet: the commits did not checkpoint (they would have, every 1,000 pages, before).
    const during = db.prepare('SELECT count(*) FROM t').pluck().get();
    expect(during).toBe(6000);
    expect(fs.statSync(path.join(dir, 'store.db-wal')).size).toBeGreaterThan(1000 * 4096);
    const dbFile = path.join(dir, 'store.db');
    // The rows are only in the WAL: the database file holds the schema.
    expect(fs.statSync(dbFile).size).toBeLessThan(1000 * 4096);
    await ck.stop();
    await ck.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // The worker's checkpoint copied them into the database file (no other connection checkpointed).
    expect(fs.statSync(dbFile).size).toBeGreaterThan(6000 * 1000);
  });

  it('a store in memory keeps its own checkpoints (nothing to move)', async () => {
    const mem = openDb(':memory:');
    const ck = await startCheckpointer(mem);
    await ck.stop();
    mem.close();
  });
});
