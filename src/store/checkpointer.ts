import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';
import { DRIVER_PATH } from './sqlite.js';

/**
 * WAL checkpoints on a worker thread while a long write runs (a first sync of a million rows).
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses the WAL's 1,000 pages: it copies the
 * pages into the database and syncs the file to disk, blocking the event loop for tens of milliseconds
 * — hundreds on a busy disk — every few pages of a large entity. During those, no answer is read and
 * no next page is asked for, so every id range of every entity stalls (the profile of a first sync showed
 * a third of its blocked time there). Here the sync's connection stops checkpointing and a second
 * connection on a worker thread checkpoints PASSIVE (never waits for or blocks the writer) a few times a
 * second; when the write ends, the connection's own setting comes back. Durability is unchanged: a commit
 * is in the WAL either way, and a crash replays it on the next open.
 */

/** A running checkpointer; `stop` is safe to call more than once. */
export interface Checkpointer {
  /** Stops the worker after a last checkpoint and restores the connection's automatic checkpoints. */
  stop(): Promise<void>;
}

const NONE: Checkpointer = { stop: async () => {} };

// CommonJS source of the worker (eval: no compiled file to find at run time, under dist/ or a test runner).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const tick = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ } };
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); tick(); db.close(); parentPort.postMessage('stopped'); });
parentPort.postMessage('ready');
`;

/**
 * Moves `db`'s WAL checkpoints to a worker thread until `stop`. A store in memory, read-only, not in WAL
 * mode, or a worker that cannot start keeps its automatic checkpoints (nothing changes).
 */
export async function startCheckpointer(db: Db, opts: { everyMs?: number } = {}): Promise<Checkpointer> {
  if (db.memory || db.readonly || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return NONE;
  const before = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: DRIVER_PATH, file: db.name, everyMs: opts.everyMs ?? 250 } });
  } catch {
    return NONE;
  }
  worker.unref();
  const first = await new Promise<'ready' | 'failed'>((resolve) => {
    worker.once('message', () => resolve('ready'));
    worker.once('error', () => resolve('failed'));
    worker.once('exit', () => resolve('failed'));
  });
  if (first === 'failed') {
    void worker.terminate();
    return NONE;
  }
  const restore = () => {
    try {
      db.pragma(`wal_autocheckpoint = ${before > 0 ? before : 1000}`);
    } catch {
      // The connection was closed under us: nothing left to restore.
    }
  };
  // A worker that dies gives the checkpoints back to the connection at once.
  worker.on('error', restore);
  worker.on('exit', restore);
  db.pragma('wal_autocheckpoint = 0');
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        restore();
        // The last checkpoint is the worker's; a worker that does not answer is ended anyway.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5_000);
          t.unref?.();
          worker.once('message', () => { clearTimeout(t); resolve(); });
          worker.once('exit', () => { clearTimeout(t); resolve(); });
          worker.postMessage('stop');
        });
        await worker.terminate();
      })();
      return stopping;
    },
  };
}
