import type { Headline, Light, MetricValue } from '../types.js';

/** Traffic light of a value against its target: amber within 10 % below (higher is better) or 20 % above (lower is better). */
export function light(v: MetricValue, target: number | null, better: Headline['better'] | undefined): Light {
  if (v === null || target === null || better === 'none' || better === undefined) return 'none';
  if (better === 'higher') return v >= target ? 'green' : v >= target * 0.9 ? 'amber' : 'red';
  return v <= target ? 'green' : v <= target * 1.2 ? 'amber' : 'red';
}
