import { firstBucket, freeAt, minuteOf, type RequestLedger, type ThresholdReading } from '../autotask/budget.js';
import type { Instant } from '../types.js';
import { whileBusy, type Db } from './db.js';

/**
 * The Autotask request ledger in the store (table `api_requests`, migration 12): one row per minute with
 * the requests taken in it, shared by every process that opens the database. The rule it serves is
 * described in src/autotask/budget.ts.
 *
 * `take` is one short BEGIN IMMEDIATE transaction: the rolling-hour sum is read under the write lock and
 * the minute's row bumped in the same step, so two processes can never both take the last slot. The latest
 * ThresholdInformation reading is kept in `meta` for `check` and the other processes.
 */

const READING_KEY = 'autotask.threshold';
/** Rows are kept two hours (one is needed; the second keeps `check` honest around a clock step). */
const KEEP_MINUTES = 120;

/** The store's request ledger. Statements are prepared once; the tables exist from migration 12 on. */
export function storeLedger(db: Db): RequestLedger {
  const windowRows = db.prepare('SELECT minute, requests FROM api_requests WHERE minute >= ? ORDER BY minute');
  const sum = db.prepare('SELECT COALESCE(SUM(requests), 0) FROM api_requests WHERE minute >= ?').pluck();
  const bump = db.prepare('INSERT INTO api_requests (minute, requests) VALUES (?, 1) ON CONFLICT(minute) DO UPDATE SET requests = requests + 1');
  const prune = db.prepare('DELETE FROM api_requests WHERE minute < ?');
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');

  const take = db.transaction((now: Instant, allowed: number) => {
    const first = firstBucket(now);
    const rows = windowRows.all(first) as { minute: number; requests: number }[];
    const used = rows.reduce((a, r) => a + r.requests, 0);
    if (used >= allowed) return { ok: false as const, used, freeAt: freeAt(rows, used, allowed, now) };
    bump.run(minuteOf(now));
    // Cheap: a range delete on the primary key that finds nothing except once a minute.
    prune.run(minuteOf(now) - KEEP_MINUTES);
    return { ok: true as const, used: used + 1 };
  });

  return {
    take: (now, allowed) => whileBusy(() => take.immediate(now, allowed)),
    used: (now) => sum.get(firstBucket(now)) as number,
    noteThreshold(r) {
      whileBusy(() => setMeta.run(READING_KEY, JSON.stringify(r)));
    },
    lastThreshold(): ThresholdReading | null {
      const v = getMeta.get(READING_KEY) as string | undefined;
      if (!v) return null;
      try {
        const r = JSON.parse(v) as ThresholdReading;
        return typeof r.at === 'number' && typeof r.threshold === 'number' && typeof r.tenantUsed === 'number' ? r : null;
      } catch {
        return null;
      }
    },
  };
}
