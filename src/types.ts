/**
 * Glossary — the project's words. Use these and no others for the same things.
 *
 * - entity:     an Autotask REST resource type (`Tickets`, `TimeEntries`, …); one SQLite table each.
 * - record:     one row of an entity, as Autotask returns it (camelCase JSON).
 * - picklist:   the value→label list of a picklist field, read from `entityInformation/fields`.
 * - sync:       one pass that brings the store up to date with Autotask, entity by entity.
 * - cursor:     per entity, the `(timestamp, id)` up to which records are committed; only moves forward.
 * - state record: an appended row of ticket/opportunity history written by the sync (kpi-spec §3).
 * - report:     a definition in `reports/<group>/<name>.ts` (+ `.sql`), id `group/name`.
 * - window:     the half-open `[from, to)` interval a report measures; null for point-in-time reports.
 * - result:     what computing a report yields (`ReportResult`): metrics, rows, series, warnings.
 * - artifact:   a rendered result: HTML, PDF, CSV or PNG bytes with a file name and MIME type.
 * - schedule:   an entry of `schedules.json`: cron + time zone + reports + roles + format.
 * - run:        one firing of a schedule for one due instant (`UNIQUE(schedule_id, due_at)`), or a manual run.
 * - delivery:   one message of a run to one recipient (`UNIQUE(run_id, recipient)`).
 * - outbox:     the folder that receives `.eml` files when no SMTP server is configured.
 */

/** Milliseconds since the Unix epoch, UTC. Every instant in the store and in reports is one of these. */
export type Instant = number;

/** A calendar date `YYYY-MM-DD` (date-only Autotask fields, days in the settings' time zone). */
export type CalendarDate = string;

/** A half-open interval `[from, to)` of instants. */
export interface Window {
  /** Inclusive start. */
  from: Instant;
  /** Exclusive end. */
  to: Instant;
}

/** Names of the default windows a report can declare (kpi-spec §1). */
export type WindowKind =
  | 'previous-week'
  | 'previous-month'
  | 'last-7-days'
  | 'last-30-days'
  | 'next-7-days'
  | 'point-in-time';

/** A metric value: a number, or null where its denominator is 0 (kpi-spec). */
export type MetricValue = number | null;

/** One cell of a result row. */
export type Cell = string | number | boolean | null;

/** One row of a result table, keyed by the column names of kpi-spec.md. */
export type Row = Record<string, Cell>;

/** How a metric's value is shown and judged. */
export type MetricUnit = 'count' | 'pct' | 'ratio' | 'hours' | 'minutes' | 'days' | 'money' | 'fte';

/** The traffic light of a metric against its target. */
export type Light = 'green' | 'amber' | 'red' | 'none';

/** Headline of one metric, for tiles. */
export interface Headline {
  /** Metric name (kpi-spec). */
  metric: string;
  /** Human label. */
  label: string;
  /** Value as in `metrics`. */
  value: MetricValue;
  /** Unit for formatting. */
  unit: MetricUnit;
  /** Target value, if the metric has one. */
  target: number | null;
  /** Whether higher values are better (for the light and the change arrow). */
  better: 'higher' | 'lower' | 'none';
  /** Traffic light against the target. */
  light: Light;
  /** Value of the same metric for the previous period (from the trend), when known. */
  previous: MetricValue;
  /** In a personal (burst) copy: the whole team's value, shown beside the person's own. */
  team?: MetricValue;
  /** A rate's sample size and what it counts; `tooFew` below settings.minSample (no status, no change). */
  sample?: { n: number; noun: string; tooFew: boolean };
}

/** A series for trend charts: the same metric over previous periods, oldest first. */
export interface TrendSeries {
  /** Metric name. */
  metric: string;
  /** Period labels, oldest first (e.g. `2026-W44`, `2026-10`). */
  labels: string[];
  /** Values, aligned with labels. */
  values: MetricValue[];
}

/** A chart the renderer draws from a result. */
export interface ChartSpec {
  /** Stable id within the report (file name of the PNG). */
  id: string;
  /** Chart kind. */
  kind: 'line' | 'bar' | 'stacked-bar' | 'horizontal-bar';
  /** Title shown above the chart. */
  title: string;
  /** Category labels (x axis). */
  labels: string[];
  /** Data sets. */
  datasets: { label: string; data: (number | null)[] }[];
  /** Unit of the values, for the axis. */
  unit?: MetricUnit;
  /** Target in force, drawn as a line across the value axis. */
  target?: number;
}

/** A column of the result table, for rendering and CSV. */
export interface ColumnSpec {
  /** Key in each row. */
  key: string;
  /** Header text. */
  label: string;
  /** Formatting hint. */
  unit?: MetricUnit | 'text' | 'date' | 'datetime' | 'bool';
  /**
   * Shown as "—" (with `note` under the table) unless the row's `key` column is above 0: a margin or a
   * ratio of a contract without revenue means nothing. Presentation only; the row keeps its value.
   */
  blankUnless?: { key: string; note: string };
  /**
   * Money with cents and hours with two decimals ($93.75, 0.25 h), for a column of single items a person checks
   * one by one (entries to approve); totals keep whole currency units and one decimal.
   */
  exact?: boolean;
}

/** What computing one report yields. The JSON output is a projection of this (design.md). */
export interface ReportResult {
  /** Report id `group/name`. */
  report: string;
  /** Human title. */
  title: string;
  /** The exact definition, including how the spec was read where it leaves room ("How this is measured"). */
  description: string;
  /** One or two plain sentences opening the report, with the thresholds and targets in force. */
  summary?: string;
  /** Group id (`intake`, `profitability`, …). */
  group: string;
  /** The as-of instant, ISO string. */
  asOf: string;
  /** The measured window as ISO strings, or null for point-in-time reports. */
  window: { from: string; to: string } | null;
  /** Time zone the report was computed in. */
  timezone: string;
  /** Metrics by kpi-spec name. */
  metrics: Record<string, MetricValue>;
  /** Result rows. */
  rows: Row[];
  /** Columns of `rows`, in display order. */
  columns: ColumnSpec[];
  /** Headlines (one per metric that has a label), for tiles. */
  headlines: Headline[];
  /** Trend series (previous periods), when computed. */
  series: TrendSeries[];
  /**
   * Per-technician trends, when trends were computed and the rows are per resource: for each resource id
   * (as a string), the values of each trend metric that is also a row column, aligned with the series'
   * labels (null where the resource had no row). Personal copies draw "you and the team" from it.
   */
  resourceSeries?: { labels: string[]; values: Record<string, Record<string, MetricValue[]>> };
  /**
   * Computed with trend 'previous': series (and resourceSeries) hold only the previous and the shown period,
   * and the trend charts, the same as the whole trend's, carry those two points until it is computed.
   */
  partialTrend?: true;
  /** Row keys that name a row's technician / company (default resource_id / company_id), for personal copies. */
  burstKeys?: { technician?: string; company?: string };
  /** Charts to draw. */
  charts: ChartSpec[];
  /** Data-quality warnings: plain sentences. */
  warnings: string[];
  /**
   * Extra tables shown after the main one (presentation only, never part of the JSON shape): a personal
   * scorecard's own tickets and entries, or a report's per-person breakdown.
   */
  lists?: ReportList[];
}

/** A titled table shown beside a report's rows (see `ReportResult.lists`). */
export interface ReportList {
  /** Title, e.g. "Your reopened tickets". */
  title: string;
  /** Columns in display order. */
  columns: ColumnSpec[];
  /** Rows. */
  rows: Row[];
  /** Sentence shown when there are no rows, e.g. "None of your tickets was reopened." */
  empty?: string;
  /**
   * At most this many rows in the documents a person reads (PDF, HTML, email), followed by "… and N more";
   * the spreadsheets (CSV, XLSX) always hold every row. Absent: the document shows every row.
   */
  documentRows?: number;
  /** What the rows are called in the "… and N more" line ("entries"); default "rows". */
  noun?: string;
}

/** A rendered file. */
export interface Artifact {
  /** File name (no directory). */
  filename: string;
  /** MIME type. */
  contentType: string;
  /** Bytes. */
  content: Buffer;
}

/** Per-item outcome of a batch operation (design style 9: batches do not throw). */
export type ItemResult<T> =
  | { ok: true; name: string; value: T }
  | { ok: false; name: string; error: Error };

/** The clock port: only the daemon loop and `now()` defaults read real time. */
export interface Clock {
  /** Current instant. */
  now(): Instant;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
