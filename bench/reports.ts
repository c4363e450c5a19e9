import { performance } from 'node:perf_hooks';
import { REPORTS } from '../reports/index.js';
import { SettingsSchema } from '../src/config.js';
import { validateReports } from '../src/reporting/define.js';
import { computeReports } from '../src/reporting/engine.js';
import { openDb } from '../src/store/db.js';

/** Figures of one report-computation benchmark. */
export interface ReportBench {
  /** Rows in time_entries / tickets. */
  timeEntries: number;
  tickets: number;
  /** Seconds of one full scan of time_entries (SUM over every row, no index). */
  fullScanSeconds: number;
  /**
   * Seconds to compute every report in one fresh session: the first computation after opening the store
   * (cold for the session; the OS file cache is warm, as for the scan). Within the session reports share
   * what SESSION_SHARED lists; nothing carries over from one session to the next.
   */
  allReportsSeconds: number;
  /** allReportsSeconds ÷ fullScanSeconds (goal ≤ 5). */
  ratioToScan: number;
  /** Slowest report alone (fresh session each), id and seconds (goal < 2 s). */
  slowest: { id: string; seconds: number };
  /** Seconds per report, each in its own session. */
  perReport: Record<string, number>;
  /** Reports that failed. */
  failures: string[];
}

/** What one session computes once and shares across its reports (src/reporting/context.ts). */
export const SESSION_SHARED = 'picklists, the ticket_wf workflow table, ticket history, resource capacity, the service forecast, ' +
  'backlog completions of the window';

/** Computes every report over the store at `dbFile`, as of `asOf`. */
export function benchReports(dbFile: string, asOf: number): ReportBench {
  const db = openDb(dbFile);
  try {
    const settings = SettingsSchema.parse({});
    const { reports } = validateReports(REPORTS);
    const counts = db.prepare('SELECT (SELECT COUNT(*) FROM time_entries) AS te, (SELECT COUNT(*) FROM tickets) AS t').get() as { te: number; t: number };
    // Warm the page cache once so both measurements read from memory.
    db.prepare('SELECT SUM(hoursWorked + 0) FROM time_entries NOT INDEXED').get();
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      db.prepare('SELECT COUNT(*), SUM(hoursWorked + 0), SUM(resourceID + 0) FROM time_entries NOT INDEXED').get();
      scans.push((performance.now() - t0) / 1000);
    }
    const fullScanSeconds = scans.sort((a, b) => a - b)[1]!;
    const t0 = performance.now();
    const all = computeReports(db, reports, { settings, asOf });
    const allReportsSeconds = (performance.now() - t0) / 1000;
    const failures = all.filter((r) => !r.ok).map((r) => `${r.name}: ${r.ok ? '' : r.error.message}`);
    const perReport: Record<string, number> = {};
    for (const r of reports) {
      const s = performance.now();
      computeReports(db, [r], { settings, asOf });
      perReport[r.id] = (performance.now() - s) / 1000;
    }
    const slowestId = Object.entries(perReport).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    return {
      timeEntries: counts.te, tickets: counts.t, fullScanSeconds, allReportsSeconds,
      ratioToScan: allReportsSeconds / fullScanSeconds,
      slowest: { id: slowestId[0], seconds: slowestId[1] }, perReport, failures,
    };
  } finally {
    db.close();
  }
}
