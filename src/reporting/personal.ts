import type { ChartSpec, MetricUnit, MetricValue, ReportResult, Row } from '../types.js';
import { light } from './lights.js';

/**
 * Personal copies of report results: one technician's (or company's) own rows and numbers beside the team's,
 * with their own trend. Pure functions of a computed result; delivery (bursting a schedule) and the web app
 * (a technician's scorecard) both use them.
 */

/**
 * One recipient's view of results when bursting: rows whose technician or company column is theirs (the
 * report's burst key: `resource_id`, `owner_id` for sales, `company_id`). Metrics become that row's values
 * where the row has a column of the same name, else null (a count is 0 when no row is theirs). Each
 * headline keeps the team's value beside the person's own, and its light is the person's. Where the report
 * keeps per-technician trends, the tiles' change is the person's own and one "you and the team" chart (its
 * first trend metric) replaces the team's charts; data-quality notes name other people and are replaced by
 * a sentence saying they exist. Reports without that column are left out, with a note.
 */
export function burstResults(results: ReportResult[], by: 'technician' | 'company', id: number | null): { results: ReportResult[]; notes: string[] } {
  const out: ReportResult[] = [];
  const notes: string[] = [];
  for (const r of results) {
    // The report names its technician / company column (sales rows are per owner_id).
    const key = r.burstKeys?.[by] ?? (by === 'technician' ? 'resource_id' : 'company_id');
    const hasKey = r.columns.some((c) => c.key === key) || r.rows.some((row) => key in row);
    if (!hasKey) {
      notes.push(`${r.title} is not broken down per ${by} and is not included.`);
      continue;
    }
    const rows: Row[] = id === null ? [] : r.rows.filter((row) => Number(row[key]) === id);
    const units = new Map(r.headlines.map((h) => [h.metric, h.unit]));
    const metrics: Record<string, number | null> = {};
    for (const m of Object.keys(r.metrics)) {
      const v = rows.length === 1 ? rows[0]![m] : undefined;
      // No row of theirs: none of the counted things were theirs (0); a rate or an average has no value.
      metrics[m] = typeof v === 'number' ? v : rows.length === 0 && id !== null && units.get(m) === 'count' ? 0 : null;
    }
    // Their own trend, where the report keeps one per technician: the tiles' change and a "you and the
    // team" chart. Periods without a row of theirs count 0 for counts, blank otherwise.
    const own = by === 'technician' && id !== null ? personalTrends(r, id, units) : new Map<string, MetricValue[]>();
    const charts: ChartSpec[] = [];
    for (const h of r.headlines) {
      const mine = own.get(h.metric);
      const team = r.series.find((x) => x.metric === h.metric);
      if (!mine || !team || charts.length >= 1 || mine.filter((v) => v !== null).length < 2) continue;
      charts.push({
        id: `trend-${h.metric}`, kind: 'line', title: `${h.label}: you and the team`, labels: r.resourceSeries!.labels.slice(), unit: h.unit,
        datasets: [{ label: 'You', data: mine }, { label: 'Team', data: team.values.slice() }],
      });
    }
    const previousOf = (m: string): MetricValue => {
      const mine = own.get(m);
      return mine && mine.length >= 2 ? mine[mine.length - 2]! : null;
    };
    // A person is compared with the team's average person: a sum over the team (available hours, tickets)
    // beside one person's value would read as a gap. Rates keep the team's rate.
    const perPerson = (m: string, teamValue: MetricValue): MetricValue => {
      if (by !== 'technician' || !SUMMED_UNITS.has(units.get(m) ?? 'count')) return teamValue;
      const vs = r.rows.filter((row) => row[key] !== null && row[key] !== undefined).map((row) => row[m]).filter((v): v is number => typeof v === 'number');
      return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : teamValue;
    };
    // A rate over fewer than MIN_SAMPLE of their own items gets no status and no change: two tickets say little.
    const sampleCol = r.columns.find((c) => c.unit === 'count' && rows.length === 1 && typeof rows[0]![c.key] === 'number');
    const sample = sampleCol ? (rows[0]![sampleCol.key] as number) : null;
    const tooFew = (m: string) => units.get(m) === 'pct' && sample !== null && sample < MIN_SAMPLE;
    // Everyone's per-technician trends stay out of a personal copy.
    const { resourceSeries: _everyone, lists: allLists, ...team } = r;
    // A report's further tables keep only the recipient's own rows; a table not broken down by the same key
    // (a per-resource table in a per-company copy) names other people or companies and is left out.
    const lists = (allLists ?? [])
      .filter((l) => l.columns.some((c) => c.key === key) || l.rows.some((row) => key in row))
      .map((l) => ({ ...l, rows: id === null ? [] : l.rows.filter((row) => Number(row[key]) === id) }));
    out.push({
      ...team,
      ...(lists.length ? { lists } : {}),
      rows,
      metrics,
      // The light is the person's own against the target; the team's value stands beside it.
      headlines: r.headlines.map((h) => ({
        ...h, value: metrics[h.metric] ?? null,
        light: tooFew(h.metric) ? 'none' as const : light(metrics[h.metric] ?? null, h.target, h.better),
        previous: tooFew(h.metric) ? null : previousOf(h.metric), team: perPerson(h.metric, h.value),
      })),
      series: [],
      charts,
      // Team-level notes name other people and companies; a personal copy only says they exist.
      warnings: r.warnings.length
        ? [`The full report carries ${r.warnings.length} data-quality note${r.warnings.length === 1 ? '' : 's'} about the team's data; they are not repeated in a personal copy.`]
        : [],
    });
  }
  return { results: out, notes };
}

/** Units whose team value is a sum over people (shown per person as the team's average). */
const SUMMED_UNITS = new Set<MetricUnit>(['count', 'hours', 'money', 'fte']);
/** Fewer of a person's own items than this, and a rate gets no status or change. */
const MIN_SAMPLE = 5;

/** A technician's own values of each per-resource trend metric, counts 0 and others blank where they had no row. */
function personalTrends(r: ReportResult, id: number, units: Map<string, MetricUnit>): Map<string, MetricValue[]> {
  const out = new Map<string, MetricValue[]>();
  const rs = r.resourceSeries;
  if (!rs) return out;
  const metrics = new Set(Object.values(rs.values).flatMap((ms) => Object.keys(ms)));
  const mine = rs.values[String(id)] ?? {};
  for (const m of metrics) {
    const vs = mine[m] ?? new Array<MetricValue>(rs.labels.length).fill(null);
    out.set(m, units.get(m) === 'count' ? vs.map((v) => v ?? 0) : vs.slice());
  }
  return out;
}
