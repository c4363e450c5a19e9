import type { Settings } from '../config.js';
import { formatValue, type FormatOptions } from '../render/format.js';
import type { MetricUnit, MetricValue } from '../types.js';
import type { ReportDefinition, SummaryInput } from './define.js';

/** Formatting of the settings in force (the summary is written once, in the settings' locale and currency). */
export function settingsFormat(settings: Settings): FormatOptions {
  return { timezone: settings.timezone, ...(settings.locale ? { locale: settings.locale } : {}), ...(settings.currency ? { currency: settings.currency } : {}) };
}

/** A setting's value as a reader sees it: numbers plainly, lists joined, fractions of 1 as percentages where named so. */
function settingText(settings: Settings, name: string, fmt: FormatOptions): string {
  const v = (settings as unknown as Record<string, unknown>)[name];
  if (typeof v === 'number') return formatValue(v, 'count', fmt);
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (v === undefined || v === null) return '?';
  return String(v);
}

/** Replaces `{setting:name}` by the value in force. */
export function resolveSettings(text: string, settings: Settings, fmt: FormatOptions = settingsFormat(settings)): string {
  return text.replace(/\{setting:([A-Za-z]+)\}/g, (_, name: string) => settingText(settings, name, fmt));
}

/** "2 tickets: too few to rate" (the noun is plural; one item reads in the singular). */
export function tooFew(n: number, noun: string, fmt: FormatOptions): string {
  const word = n === 1 ? noun.replace(/ies$/, 'y').replace(/s$/, '') : noun;
  return `${formatValue(n, 'count', fmt)} ${word}: too few to rate`;
}

/** What the summary of one computed report is written from. */
export interface SummaryFacts {
  /** Settings in force. */
  settings: Settings;
  /** Metric values. */
  metrics: Record<string, MetricValue>;
  /** Targets in force by metric (null: none). */
  targets: Record<string, number | null>;
}

/**
 * The plain opening of a report: its `summary` with the values, targets and settings in force, or (a report
 * without one) its first headline values.
 */
export function writeSummary(def: ReportDefinition, facts: SummaryFacts): string {
  const fmt = settingsFormat(facts.settings);
  const unitOf = (m: string): MetricUnit | undefined => def.metrics[m]?.unit;
  const input: SummaryInput = {
    settings: facts.settings,
    raw: (m) => facts.metrics[m] ?? null,
    value: (m) => {
      const sample = def.metrics[m]?.sample;
      const n = sample ? facts.metrics[sample.metric] ?? 0 : null;
      if (sample && n !== null && n < (facts.settings.minSample ?? 5)) return tooFew(n, sample.noun, fmt);
      return formatValue(facts.metrics[m] ?? null, unitOf(m), fmt);
    },
    format: (v, unit) => formatValue(v, unit, fmt),
    target: (m) => {
      const t = facts.targets[m];
      return t === null || t === undefined ? null : formatValue(t, unitOf(m), fmt);
    },
  };
  if (typeof def.summary === 'function') return def.summary(input);
  if (typeof def.summary === 'string') {
    return resolveSettings(def.summary, facts.settings, fmt)
      .replace(/\{target:([a-z0-9_]+)\}/g, (_, m: string) => input.target(m) ?? 'no target')
      .replace(/\{([a-z0-9_]+)\}/g, (whole, m: string) => (m in def.metrics ? input.value(m) : whole));
  }
  const shown = Object.entries(def.metrics).filter(([, d]) => d.headline !== false).slice(0, 3);
  return `${shown.map(([m, d]) => `${resolveSettings(d.label, facts.settings, fmt)}: ${input.value(m)}`).join('; ')}.`;
}
