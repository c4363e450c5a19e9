import { REPORTS } from '../reports/index.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { validateReports, type RegisteredReport } from './reporting/define.js';
import { computeReports, selectReports } from './reporting/engine.js';
import { openDb, type Db } from './store/db.js';
import type { ItemResult, ReportResult } from './types.js';

/**
 * Composition root: builds the real adapters (store, report engine, renderer, mailer, Autotask client)
 * from a resolved Config and wires them. Commands and the daemon call these; no other module builds
 * its own dependencies.
 */

let registryCache: RegisteredReport[] | null = null;

/** Every report definition, validated once; all invalid definitions are reported together. */
export function loadRegistry(): RegisteredReport[] {
  if (registryCache) return registryCache;
  const { reports, errors } = validateReports(REPORTS);
  if (errors.length) throw new AppError(`invalid report definitions:\n${errors.join('\n')}`, 'REPORT_INVALID');
  registryCache = reports.sort((a, b) => a.id.localeCompare(b.id));
  return registryCache;
}

/** Opens the configured store (creating and migrating it). */
export function openStore(cfg: Config): Db {
  return openDb(cfg.db);
}

/** Whether the store has ever completed a sync (reports over an empty store are worth a warning). */
export function lastSyncAt(db: Db): number | null {
  const r = db.prepare(`SELECT MAX(finished_at) AS t FROM sync_runs WHERE status IN ('ok', 'partial')`).get() as { t: number | null } | undefined;
  return r?.t ?? null;
}

/** Computes reports by id or group name for the command line and the delivery port. */
export function computeByName(db: Db, cfg: Config, names: string[], opts: { asOf: number; from?: number; to?: number; trend?: boolean; snapshot?: boolean; timezone?: string }): ItemResult<ReportResult>[] {
  const selected = selectReports(loadRegistry(), names);
  const settings = opts.timezone && opts.timezone !== cfg.settings.timezone ? { ...cfg.settings, timezone: opts.timezone } : cfg.settings;
  return computeReports(db, selected, {
    settings,
    asOf: opts.asOf,
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    trend: opts.trend ?? false,
    snapshot: opts.snapshot ?? false,
  });
}

/** The stable JSON shape of design.md: `{ report, title, asOf, window, metrics, rows }`. */
export function toJsonShape(r: ReportResult): { report: string; title: string; asOf: string; window: { from: string; to: string } | null; metrics: ReportResult['metrics']; rows: ReportResult['rows'] } {
  return { report: r.report, title: r.title, asOf: r.asOf, window: r.window, metrics: r.metrics, rows: r.rows };
}
