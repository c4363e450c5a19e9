import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../config.js';
import { AppError, toError } from '../errors.js';
import type { Db } from '../store/db.js';
import { recordSnapshot, snapshotsBetween } from '../store/report-snapshots.js';
import type { ChartSpec, Headline, Instant, ItemResult, Light, MetricValue, ReportResult, Row, TrendSeries, Window } from '../types.js';
import { createContext, newReads, packageRoot, reuseSession, type Reads, type Session } from './context.js';
import { cachedPeriod, storePeriod } from '../store/period-cache.js';
import type { MetricDef, RegisteredReport, ReportDefinition } from './define.js';
import { DAY, dateOf, iso, isoWeekLabel, previousWindow, resolveWindow } from './time.js';
import { light } from './lights.js';
import { resolveSettings, writeSummary } from './summary.js';

/** Options of one computation. */
export interface ComputeOptions {
  /** Settings (time zone, workflows, targets…). */
  settings: Settings;
  /** As-of instant T (default: now from the caller's clock). */
  asOf: Instant;
  /** Window override start (with `to`). */
  from?: Instant;
  /** Window override end (with `from`). */
  to?: Instant;
  /**
   * Window kind for every report whose default is a past window (previous-week, previous-month,
   * last-7-days), trends stepping by it too; point-in-time and forward-looking reports keep theirs.
   * `from`/`to` win over it.
   */
  windowKind?: PastWindowKind;
  /**
   * Also compute trend series (previous periods); costs one computation per period. 'previous': of a report
   * with a window, only the period before it (what a headline's change needs) when that is enough to know
   * which trend charts the whole trend has (the result is then marked partialTrend; see ReportResult);
   * trends from recorded snapshots are whole either way (they cost one read).
   */
  trend?: boolean | 'previous';
  /**
   * Record this run's metrics in report_snapshots (history for point-in-time trends), stamped with this
   * instant of the caller's clock. Absent: nothing is written (a dry run or `run` on the command line).
   */
  snapshotAt?: Instant;
  /** Write nothing to the store (a dry run): past periods are still read from the cache, never stored in it. */
  readOnly?: boolean;
  /** Folder holding the reports' SQL files (tests). */
  sqlDir?: string;
}

/** Window kinds a schedule or `run --window` may give every windowed report. */
export const PAST_WINDOW_KINDS = ['previous-week', 'previous-month', 'last-7-days'] as const;
/** One of PAST_WINDOW_KINDS. */
export type PastWindowKind = (typeof PAST_WINDOW_KINDS)[number];

/** The window kind a report is computed with under an override (only past windows are overridden). */
export function effectiveWindowKind(def: ReportDefinition['window'], override: PastWindowKind | undefined): ReportDefinition['window'] {
  return override && (PAST_WINDOW_KINDS as readonly string[]).includes(def) ? override : def;
}

/** Expands ids and group names (`intake` → every intake report) into registered reports; unknown names throw. */
export function selectReports(all: RegisteredReport[], names: string[]): RegisteredReport[] {
  const out: RegisteredReport[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const exact = all.find((r) => r.id === n);
    const group = all.filter((r) => r.group === n);
    if (exact) out.push(exact);
    else if (group.length) out.push(...group);
    else unknown.push(n);
  }
  if (unknown.length) {
    throw new AppError(`unknown report or group: ${unknown.join(', ')}. Allowed: ${[...new Set(all.map((r) => r.group))].join(', ')} or one of: ${all.map((r) => r.id).join(', ')} (see: psa-reports list reports)`, 'USAGE');
  }
  return [...new Map(out.map((r) => [r.id, r])).values()];
}


function trendMetrics(def: ReportDefinition): string[] {
  const names = Object.keys(def.metrics);
  const flagged = names.filter((m) => def.metrics[m]!.trend ?? def.metrics[m]!.target !== undefined);
  return flagged.length ? flagged : names.slice(0, 1);
}

function computeOne(s: Session, r: RegisteredReport, asOf: Instant, window: Window | null, reads?: Reads, trendPeriod = false) {
  const ctx = createContext(s, r.id, asOf, window, reads, trendPeriod);
  const out = r.def.compute(ctx);
  const declared = Object.keys(r.def.metrics);
  const missing = declared.filter((m) => !(m in out.metrics));
  const extra = Object.keys(out.metrics).filter((m) => !(m in r.def.metrics));
  if (missing.length || extra.length) {
    throw new AppError(`reports/${r.id}.ts: compute returned metrics that do not match its declaration (missing: ${missing.join(', ') || 'none'}; undeclared: ${extra.join(', ') || 'none'})`, 'REPORT_INVALID');
  }
  // JSON carries exactly the declared names, in declared order; non-finite numbers become null.
  const metrics: Record<string, MetricValue> = {};
  for (const m of declared) {
    const v = out.metrics[m];
    metrics[m] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return { ctx, out, metrics };
}

function periodLabel(kind: ReportDefinition['window'], w: Window, tz: string): string {
  const d = dateOf(w.from, tz);
  return kind === 'previous-month' ? d.slice(0, 7) : isoWeekLabel(d);
}

/**
 * Computes reports. Never throws for one report: each gets an ItemResult (design style 9).
 * Sessions share picklists, workflow classification, holidays and ticket history across reports.
 */
export function computeReports(db: Db, reports: RegisteredReport[], opts: ComputeOptions): ItemResult<ReportResult>[] {
  const s = reuseSession(db, opts.settings, opts.sqlDir);
  const tz = opts.settings.timezone;
  const results: ItemResult<ReportResult>[] = [];
  for (const r of reports) {
    try {
      const kind = effectiveWindowKind(r.def.window, opts.windowKind);
      const window = opts.from !== undefined && opts.to !== undefined && r.def.window !== 'point-in-time'
        ? { from: opts.from, to: opts.to }
        : resolveWindow(kind, opts.asOf, tz);
      const { ctx, out, metrics } = computeOne(s, r, opts.asOf, window);
      const series: TrendSeries[] = [];
      const tmetrics = trendMetrics(r.def);
      let resourceSeries: ReportResult['resourceSeries'];
      let partialTrend = false;
      if (opts.trend && r.def.trendPeriods !== 0) {
        if (window) {
          const whole = r.def.trendPeriods ?? (kind === 'previous-month' ? 6 : 8);
          const trendOf = (n: number) => {
            series.length = 0;
            const labels: string[] = [];
            const values = new Map<string, MetricValue[]>(tmetrics.map((m) => [m, []]));
            // Rows per resource carrying a trend metric as a column: keep each resource's values per period too.
            const techKey = r.def.burst?.technician;
            const perResource = techKey ? tmetrics.filter((m) => out.rows.some((row) => m in row)) : [];
            const byResource = new Map<string, Map<string, MetricValue[]>>();
            const period = (j: number, rows: Row[]) => {
              for (const row of rows) {
                const id = row[techKey!];
                if (typeof id !== 'number') continue;
                let ms = byResource.get(String(id));
                if (!ms) byResource.set(String(id), (ms = new Map(perResource.map((m) => [m, new Array<MetricValue>(n + 1).fill(null)]))));
                for (const m of perResource) {
                  const v = row[m];
                  ms.get(m)![j] = typeof v === 'number' && Number.isFinite(v) ? v : null;
                }
              }
            };
            for (let i = n; i >= 1; i--) {
              const w = previousWindow(kind, window, i, tz);
              const shifted = opts.asOf - (window.from - w.from);
              const prev = pastPeriod(s, r, shifted, w, { kind, tmetrics, techKey, now: opts.snapshotAt ?? opts.asOf, store: !opts.readOnly });
              labels.push(periodLabel(kind, w, tz));
              for (const m of tmetrics) values.get(m)!.push(prev.metrics[m] ?? null);
              if (perResource.length) period(n - i, prev.rows);
            }
            labels.push(periodLabel(kind, window, tz));
            for (const m of tmetrics) series.push({ metric: m, labels, values: [...values.get(m)!, metrics[m] ?? null] });
            resourceSeries = undefined;
            if (perResource.length) {
              period(n, out.rows);
              resourceSeries = {
                labels,
                values: Object.fromEntries([...byResource].map(([id, ms]) => [id, Object.fromEntries(ms)])),
              };
            }
          };
          if (opts.trend === 'previous' && whole > 1) {
            trendOf(1);
            // The trend charts are those of the first two series with two known points. When the first two
            // have them already, the whole trend charts the same metrics: it can be drawn later. Otherwise
            // which metrics are charted depends on the older periods, so they are computed now.
            partialTrend = series.length > 0 && series.slice(0, 2).every((x) => x.values.every((v) => v !== null));
            if (!partialTrend && series.length > 0) trendOf(whole);
          } else {
            trendOf(whole);
          }
        } else {
          series.push(...snapshotSeries(db, r, opts.asOf, tz, tmetrics, metrics, r.def.trendPeriods ?? 8));
        }
      }
      if (opts.snapshotAt !== undefined) {
        recordSnapshot(db, { report: r.id, asOf: opts.asOf, window: window ?? null, metrics: JSON.stringify(metrics), createdAt: opts.snapshotAt });
      }
      const targets: Record<string, number | null> = {};
      for (const [m, d] of Object.entries(r.def.metrics)) targets[m] = ctx.target(m, d.target);
      const minSample = opts.settings.minSample ?? 5;
      const headlines: Headline[] = Object.entries(r.def.metrics)
        .filter(([, d]) => d.headline !== false)
        .map(([m, d]) => {
          const target = targets[m]!;
          const sr = series.find((x) => x.metric === m);
          const previous = sr && sr.values.length >= 2 ? sr.values[sr.values.length - 2]! : null;
          const label = resolveSettings(d.label, opts.settings);
          const h: Headline = { metric: m, label, value: metrics[m] ?? null, unit: d.unit, target, better: d.better ?? 'none', light: light(metrics[m] ?? null, target, d.better), previous };
          if (d.sample) {
            // A rate over a handful of tickets swings by tens of points on one ticket: no status, no change.
            const n = metrics[d.sample.metric] ?? 0;
            h.sample = { n, noun: d.sample.noun, tooFew: n < minSample };
            if (h.sample.tooFew) { h.light = 'none'; h.previous = null; }
          }
          return h;
        });
      const summary = writeSummary(r.def, { settings: opts.settings, metrics, targets });
      const charts: ChartSpec[] = [...(out.charts ?? [])];
      // A trend needs at least two known points (a new install has one snapshot of a point-in-time report).
      // With a partial trend these are the charts of the whole one, drawn from its last two points.
      for (const sr of series.filter((x) => x.values.filter((v) => v !== null).length >= 2).slice(0, 2)) {
        const d = r.def.metrics[sr.metric]!;
        const label = resolveSettings(d.label, opts.settings);
        const target = targets[sr.metric];
        charts.push({
          id: `trend-${sr.metric}`, kind: 'line', title: `${label} — trend`, labels: sr.labels, datasets: [{ label, data: sr.values }], unit: d.unit,
          ...(target !== null && target !== undefined ? { target } : {}),
        });
      }
      results.push({
        ok: true, name: r.id,
        value: {
          report: r.id, title: r.def.title, description: r.def.description, summary, group: r.group,
          asOf: iso(opts.asOf), window: window ? { from: iso(window.from), to: iso(window.to) } : null, timezone: tz,
          metrics, rows: out.rows, columns: r.def.columns, headlines, series, charts, warnings: out.warnings ?? [],
          ...(resourceSeries ? { resourceSeries } : {}),
          ...(partialTrend ? { partialTrend: true } : {}),
          ...(out.lists?.length ? { lists: out.lists } : {}),
          ...(r.def.burst ? { burstKeys: { ...r.def.burst } } : {}),
        },
      });
    } catch (e) {
      const err = toError(e);
      results.push({ ok: false, name: r.id, error: err instanceof AppError ? err : new AppError(`report ${r.id} failed: ${err.message}`, 'REPORT_FAILED', { cause: err }) });
    }
  }
  return results;
}

/** What a trend keeps of a past period: its metrics, and the trend metrics of its rows per resource. */
interface PastPeriod {
  metrics: Record<string, MetricValue>;
  rows: Row[];
}

/** Bumped when what the cache stores, or how a period is computed, changes in a way its key does not show. */
const PERIOD_CACHE_FORMAT = 1;

/**
 * One past period of a trend, reused from the store's period cache while everything its computation read
 * is unchanged: the same report code, SQL texts, settings and window, and the same change counter on
 * every table it read (see store/period-cache.ts). A period that looked at the as-of instant depends on
 * when it is viewed and is not cached.
 */
function pastPeriod(s: Session, r: RegisteredReport, asOf: Instant, w: Window,
  o: { kind: string; tmetrics: string[]; techKey: string | undefined; now: Instant; store: boolean }): PastPeriod {
  const project = (rows: Row[]): Row[] => (o.techKey === undefined ? [] : rows
    .filter((row) => typeof row[o.techKey!] === 'number')
    .map((row) => Object.fromEntries([[o.techKey!, row[o.techKey!]!], ...o.tmetrics.filter((m) => m in row).map((m) => [m, row[m]!])]) as Row));
  const counters = s.counters;
  // Rolling windows (last 7 days…) move with every view: their periods would never be asked for again.
  if (!counters || !['previous-week', 'previous-month'].includes(o.kind)) {
    const p = computeOne(s, r, asOf, w, undefined, true);
    return { metrics: p.metrics, rows: p.out.rows };
  }
  const key = sha256(JSON.stringify([PERIOD_CACHE_FORMAT, r.id, o.kind, w.from, w.to, o.tmetrics, o.techKey ?? null, s.sqlDir,
    settingsHash(s.settings), codeFingerprint(r)]));
  const hit = cachedPeriod(s.db, key);
  if (hit) {
    const deps = JSON.parse(hit.deps) as { tables: Record<string, number>; sql: Record<string, string> };
    const fresh = Object.entries(deps.tables).every(([t, n]) => counters.get(t) === n)
      && Object.entries(deps.sql).every(([file, h]) => sqlHash(s, file) === h);
    if (fresh) return JSON.parse(hit.value) as PastPeriod;
  }
  const reads = newReads();
  const p = computeOne(s, r, asOf, w, reads, true);
  const result = { metrics: p.metrics, rows: project(p.out.rows) };
  if (o.store && !reads.asOf) {
    const tables = reads.all ? [...counters.keys()] : [...reads.tables];
    const deps = {
      tables: Object.fromEntries(tables.map((t) => [t, counters.get(t) ?? -1])),
      sql: Object.fromEntries([...reads.sql].map(([file, text]) => [file, sha256(text)])),
    };
    storePeriod(s.db, { key, report: r.id, deps: JSON.stringify(deps), value: JSON.stringify(result), createdAt: o.now });
  }
  return result;
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** The hash of a SQL file's current text ('' when it is gone). */
function sqlHash(s: Session, file: string): string {
  let text = s.sqlCache.get(file);
  if (text === undefined) {
    try { text = fs.readFileSync(file, 'utf8'); } catch { return ''; }
    s.sqlCache.set(file, text);
  }
  return sha256(text);
}

const settingsHashes = new WeakMap<object, string>();
function settingsHash(settings: Settings): string {
  let h = settingsHashes.get(settings);
  if (!h) settingsHashes.set(settings, (h = sha256(JSON.stringify(settings))));
  return h;
}

/**
 * The report's code as it runs: its definition (compute's source included) and the files of the engine
 * and the report package (names, sizes, modification times), so that an upgrade or an edit of a report or
 * of a helper it imports never serves a period computed by other code.
 */
const codePrints = new WeakMap<object, string>();
function codeFingerprint(r: RegisteredReport): string {
  let h = codePrints.get(r.def);
  if (!h) {
    const def = JSON.stringify(r.def, (_k, v: unknown) => (typeof v === 'function' ? String(v) : v));
    codePrints.set(r.def, (h = sha256(`${filesFingerprint()}|${def}`)));
  }
  return h;
}
let filesPrint: string | null = null;
function filesFingerprint(): string {
  if (filesPrint !== null) return filesPrint;
  const parts: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try { names = fs.readdirSync(dir).sort(); } catch { return; }
    for (const n of names) {
      const f = path.join(dir, n);
      const st = fs.statSync(f);
      if (st.isDirectory()) walk(f);
      else parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    }
  };
  const root = packageRoot();
  const here = path.dirname(fileURLToPath(import.meta.url));
  walk(here);
  walk(path.join(here, '..', 'store'));
  walk(path.join(root, 'reports'));
  walk(path.join(root, 'dist', 'reports'));
  parts.push(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  filesPrint = sha256(parts.join('\n'));
  return filesPrint;
}

/** Point-in-time trend: the last snapshot of each of the previous `n` ISO weeks, then the current value. */
function snapshotSeries(db: Db, r: RegisteredReport, asOf: Instant, tz: string, tmetrics: string[], current: Record<string, MetricValue>, n: number): TrendSeries[] {
  const rows = snapshotsBetween(db, r.id, asOf - (n + 1) * 7 * DAY, asOf);
  const byWeek = new Map<string, Record<string, MetricValue>>();
  for (const row of rows) byWeek.set(isoWeekLabel(dateOf(row.as_of, tz)), JSON.parse(row.metrics));
  const thisWeek = isoWeekLabel(dateOf(asOf, tz));
  byWeek.delete(thisWeek);
  const weeks = [...byWeek.keys()].slice(-n);
  return tmetrics.map((m) => ({
    metric: m,
    labels: [...weeks, thisWeek],
    values: [...weeks.map((w) => byWeek.get(w)![m] ?? null), current[m] ?? null],
  }));
}
