import type { MetricValue } from '../types.js';

/** Nearest-rank percentile (kpi-spec §1): sort ascending, P_k = value at 1-based rank ceil(k/100 · n). */
export function percentile(values: number[], k: number): MetricValue {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((k / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Arithmetic mean, null for no values. */
export function mean(values: number[]): MetricValue {
  if (values.length === 0) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** 100 × n / d, null when d is 0. Full precision (rounding happens only when rendering). */
export function pct(n: number, d: number): MetricValue {
  return d === 0 ? null : (100 * n) / d;
}

/** n / d, null when d is 0. */
export function ratio(n: number, d: number): MetricValue {
  return d === 0 ? null : n / d;
}

/** Sum of numbers, treating null/undefined as 0. */
export function sum(values: (number | null | undefined)[]): number {
  let s = 0;
  for (const v of values) s += v ?? 0;
  return s;
}

/** A chart's `target` field when a target is in force (spread into a ChartSpec). */
export function targetOf(t: number | null | undefined): { target?: number } {
  return t === null || t === undefined ? {} : { target: t };
}
