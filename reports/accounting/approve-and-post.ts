import { defineReport } from '../../src/reporting/define.js';
import { DAY } from '../../src/reporting/time.js';
import type { Row } from '../../src/types.js';

interface Part {
  company_id: number | null;
  company_name: string | null;
  bucket: 'recent' | 'over_7d' | 'over_30d';
  entries: number;
  hours: number;
  value: number;
  without_rate: number;
  oldest_at: number;
}

const BUCKETS = [
  { key: 'recent', label: 'Up to 7 days' },
  { key: 'over_7d', label: 'Over 7, up to 30 days' },
  { key: 'over_30d', label: 'Over 30 days' },
] as const;

export default defineReport({
  title: 'Time to approve and post',
  description:
    'Billable time that has not been approved and posted yet, so it is not on an invoice: time entries with no ' +
    'billing approval, not marked non-billable, with hours to bill above 0, worked before the as-of time, and ' +
    'with no billing item made from them. value = hours to bill × the hourly rate of the entry\'s role (an entry ' +
    'whose role has no rate counts 0 and is named in a warning). Age = as-of time − work instant (start time, ' +
    'else 00:00 of the date worked); over_7d and over_30d count entries older than 7 and 30 days (so over_7d ' +
    'includes over_30d). Rows: one per company (the ticket\'s company, else the task\'s project\'s company; ' +
    '"No company" when neither is known), largest value first; oldest_days is the age of its oldest entry, in ' +
    'days with fractions. 7 and 30 days are 7 × 24 h and 30 × 24 h.',
  summary:
    '{entries} billable time entries worth {value} ({hours}) are not yet approved and posted, so they are on no invoice. {over_7d} of them are older than 7 days and {over_30d} older than 30 days (target for both: {target:over_7d}).',
  window: 'point-in-time',
  metrics: {
    entries: { label: 'Unapproved entries', unit: 'count', better: 'lower' },
    hours: { label: 'Hours to bill', unit: 'hours', better: 'lower' },
    value: { label: 'Unbilled value', unit: 'money', better: 'lower', trend: true },
    over_7d: { label: 'Older than 7 days', unit: 'count', target: 0, better: 'lower' },
    over_30d: { label: 'Older than 30 days', unit: 'count', target: 0, better: 'lower' },
  },
  columns: [
    { key: 'company', label: 'Company', unit: 'text' },
    { key: 'entries', label: 'Entries', unit: 'count' },
    { key: 'hours', label: 'Hours', unit: 'hours' },
    { key: 'value', label: 'Value', unit: 'money' },
    { key: 'oldest_days', label: 'Oldest (days)', unit: 'days' },
  ],
  burst: { company: 'company_id' },
  compute(ctx) {
    const parts = ctx.query<Part>();
    const byCompany = new Map<number | null, { company_id: number | null; company: string; entries: number; hours: number; value: number; oldest_at: number }>();
    const byBucket = new Map<string, number>();
    let entries = 0, hours = 0, value = 0, over7 = 0, over30 = 0, withoutRate = 0;
    for (const p of parts) {
      entries += p.entries; hours += p.hours; value += p.value; withoutRate += p.without_rate;
      if (p.bucket !== 'recent') over7 += p.entries;
      if (p.bucket === 'over_30d') over30 += p.entries;
      byBucket.set(p.bucket, (byBucket.get(p.bucket) ?? 0) + p.value);
      let c = byCompany.get(p.company_id);
      if (!c) {
        c = { company_id: p.company_id, company: p.company_name ?? (p.company_id === null ? 'No company' : `#${p.company_id}`), entries: 0, hours: 0, value: 0, oldest_at: p.oldest_at };
        byCompany.set(p.company_id, c);
      }
      c.entries += p.entries; c.hours += p.hours; c.value += p.value; c.oldest_at = Math.min(c.oldest_at, p.oldest_at);
    }
    const rows: Row[] = [...byCompany.values()]
      .sort((a, b) => b.value - a.value || a.oldest_at - b.oldest_at || a.company.localeCompare(b.company))
      .map((c) => ({ company_id: c.company_id, company: c.company, entries: c.entries, hours: c.hours, value: c.value, oldest_days: (ctx.asOf - c.oldest_at) / DAY }));
    const warnings: string[] = [];
    if (withoutRate > 0) {
      warnings.push(`${withoutRate} unapproved ${withoutRate === 1 ? 'entry has' : 'entries have'} no role hourly rate; ${withoutRate === 1 ? 'its' : 'their'} value is counted as 0.`);
    }
    return {
      metrics: { entries, hours, value, over_7d: over7, over_30d: over30 },
      rows,
      warnings,
      charts: entries === 0 ? [] : [{
        id: 'value-by-age', kind: 'bar', title: 'Unapproved value by age', unit: 'money',
        labels: BUCKETS.map((b) => b.label),
        datasets: [{ label: 'Value', data: BUCKETS.map((b) => byBucket.get(b.key) ?? 0) }],
      }],
    };
  },
});
