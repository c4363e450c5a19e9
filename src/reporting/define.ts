import { z } from 'zod';
import type { ChartSpec, ColumnSpec, MetricUnit, MetricValue, ReportList, Row, WindowKind } from '../types.js';
import type { Settings } from '../config.js';
import type { ReportContext } from './context.js';

/** How one metric is labelled, judged and trended. */
export interface MetricDef {
  /**
   * Human label for tiles and the email. May name a setting as `{setting:backlogDays}`, replaced by the
   * value in force ("Older than {setting:backlogDays} days" → "Older than 14 days").
   */
  label: string;
  /** Unit for formatting. */
  unit: MetricUnit;
  /** Default target (kpi-spec benchmark); settings.targets["<id>.<metric>"] overrides it. */
  target?: number;
  /** Which direction is better (for the traffic light and the change arrow). */
  better?: 'higher' | 'lower' | 'none';
  /** Show as a headline tile (default true). */
  headline?: boolean;
  /** Include in the trend series (default: metrics with a target, else the first metric). */
  trend?: boolean;
  /**
   * A rate's sample: the metric counting what the rate is measured over, and what those things are called.
   * Below settings.minSample the rate gets no status and no change ("2 tickets: too few to rate").
   */
  sample?: { metric: string; noun: string };
}

/** What a plain summary is written from: the settings and targets in force and the formatted values. */
export interface SummaryInput {
  /** Settings in force. */
  settings: Settings;
  /** Formatted value of a metric ("46", "93.4 %", "$12,400"); a rate on too small a sample reads "2 tickets: too few to rate". */
  value(metric: string): string;
  /** Formats any number in a unit, as values are. */
  format(value: number | null, unit: MetricUnit): string;
  /** Raw value of a metric. */
  raw(metric: string): MetricValue;
  /** Formatted target in force (settings.targets override the default), or null. */
  target(metric: string): string | null;
}

/**
 * A report's opening sentence(s) for a service manager: a template with `{metric}`, `{target:metric}` and
 * `{setting:name}` placeholders, or a function of the settings, targets and values.
 */
export type SummarySpec = string | ((s: SummaryInput) => string);

/** What `compute` returns. */
export interface ReportOutput {
  /** Metric values by kpi-spec name: exactly the names declared in `metrics`. */
  metrics: Record<string, MetricValue>;
  /** Rows with the kpi-spec column names. */
  rows: Row[];
  /** Data-quality warnings (plain sentences). */
  warnings?: string[];
  /** Charts drawn from this result (trend charts are added by the engine). */
  charts?: ChartSpec[];
  /**
   * Further tables beside the rows (a breakdown per person, the entries themselves): shown in every rendering
   * (PDF, HTML, email, a CSV file and an XLSX sheet each) but never part of the JSON shape, whose rows stay
   * exactly those of kpi-spec.md.
   */
  lists?: ReportList[];
}

/** A report definition, as written in reports/<group>/<name>.ts. */
export interface ReportDefinition {
  /** Title. */
  title: string;
  /**
   * The exact definition: what it measures and how the spec was read where it leaves room. Shown in the
   * "How this is measured" appendix and by `list reports --describe`, not on the report page.
   */
  description: string;
  /**
   * One or two plain sentences that open the report, carrying the thresholds and targets in force.
   * Optional: without it the report opens with its headline values.
   */
  summary?: SummarySpec;
  /** Default window (kpi-spec). */
  window: WindowKind;
  /** Metrics in display order, by kpi-spec name. */
  metrics: Record<string, MetricDef>;
  /** Columns of the rows in display order. */
  columns: ColumnSpec[];
  /** Row keys that identify a technician / company, for per-recipient bursting. */
  burst?: { technician?: string; company?: string };
  /** Number of previous periods in the trend (default 8 for weekly, 6 for monthly windows, 8 snapshots for point-in-time). */
  trendPeriods?: number;
  /** Computes the result. Synchronous: better-sqlite3 is synchronous and reports are CPU work. */
  compute(ctx: ReportContext): ReportOutput;
}

const unitSchema = z.enum(['count', 'pct', 'ratio', 'hours', 'minutes', 'days', 'money', 'fte']);
const colUnit = z.enum(['count', 'pct', 'ratio', 'hours', 'minutes', 'days', 'money', 'fte', 'text', 'date', 'datetime', 'bool']);

/** Shape check of a definition, run at load for every report (all problems reported together). */
export const ReportDefinitionSchema = z.object({
  title: z.string().min(1),
  description: z.string().min(1),
  summary: z.union([z.string().min(1), z.custom<(s: SummaryInput) => string>((v) => typeof v === 'function', 'summary must be a string or a function')]).optional(),
  window: z.enum(['previous-week', 'previous-month', 'last-7-days', 'last-30-days', 'next-7-days', 'point-in-time']),
  metrics: z.record(z.string().regex(/^[a-z0-9_]+$/, 'metric names are snake_case as in kpi-spec.md'), z.object({
    label: z.string().min(1),
    unit: unitSchema,
    target: z.number().optional(),
    better: z.enum(['higher', 'lower', 'none']).optional(),
    headline: z.boolean().optional(),
    trend: z.boolean().optional(),
    sample: z.object({ metric: z.string().min(1), noun: z.string().min(1) }).strict().optional(),
  }).strict()).refine((m) => Object.keys(m).length > 0, 'at least one metric'),
  columns: z.array(z.object({
    key: z.string().min(1), label: z.string().min(1), unit: colUnit.optional(),
    blankUnless: z.object({ key: z.string().min(1), note: z.string().min(1) }).strict().optional(),
    exact: z.boolean().optional(),
  }).strict()),
  burst: z.object({ technician: z.string().optional(), company: z.string().optional() }).strict().optional(),
  trendPeriods: z.number().int().min(0).max(52).optional(),
  compute: z.custom<(ctx: ReportContext) => ReportOutput>((v) => typeof v === 'function', 'compute must be a function'),
}).strict();

/** Declares a report. The id comes from the file's path (`reports/<group>/<name>.ts` → `group/name`). */
export function defineReport(def: ReportDefinition): ReportDefinition {
  return def;
}

/** A report registered under its id. */
export interface RegisteredReport {
  /** `group/name`. */
  id: string;
  /** `group`. */
  group: string;
  /** The definition. */
  def: ReportDefinition;
}

/** Validates a plain map id → definition; returns the valid ones and every problem with its file path. */
export function validateReports(map: Record<string, unknown>): { reports: RegisteredReport[]; errors: string[] } {
  const reports: RegisteredReport[] = [];
  const errors: string[] = [];
  for (const [id, def] of Object.entries(map)) {
    const file = `reports/${id}.ts`;
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(id)) {
      errors.push(`${file}: the id "${id}" must be "<group>/<name>" in lower-case kebab-case`);
      continue;
    }
    const r = ReportDefinitionSchema.safeParse(def);
    if (!r.success) {
      for (const i of r.error.issues) errors.push(`${file}: ${i.path.join('.') || '(definition)'}: ${i.message}`);
      continue;
    }
    reports.push({ id, group: id.split('/')[0]!, def: def as ReportDefinition });
  }
  return { reports, errors };
}
