import type { Instant } from '../types.js';
import type { Db } from './db.js';
import { rowsOf } from './rows.js';

/**
 * Report snapshots (table `report_snapshots`): the metrics of each recorded run of a report, the history
 * its point-in-time trends are drawn from.
 */

/** A snapshot as the trends read it. */
export interface SnapshotRow {
  as_of: Instant;
  /** JSON object of metric → value. */
  metrics: string;
}

/** Records a report's metrics at `asOf` (its window, if it has one), stamped `createdAt`. */
export function recordSnapshot(db: Db, s: { report: string; asOf: Instant; window: { from: Instant; to: Instant } | null; metrics: string; createdAt: Instant }): void {
  db.prepare('INSERT INTO report_snapshots (report, as_of, window_from, window_to, metrics, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.report, s.asOf, s.window?.from ?? null, s.window?.to ?? null, s.metrics, s.createdAt);
}

/** A report's snapshots with `from ≤ as_of < before`, oldest first. */
export function snapshotsBetween(db: Db, report: string, from: Instant, before: Instant): SnapshotRow[] {
  return rowsOf<SnapshotRow>(db, 'SELECT as_of, metrics FROM report_snapshots WHERE report = ? AND as_of < ? AND as_of >= ? ORDER BY as_of')
    .all(report, before, from);
}
