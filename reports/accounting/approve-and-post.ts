import { defineReport } from '../../src/reporting/define.js';
import { DAY, dateOf } from '../../src/reporting/time.js';
import { companyName, personName } from '../../src/reporting/names.js';
import type { ColumnSpec, Row } from '../../src/types.js';

/** One unapproved entry (approve-and-post.sql), without names: see Names. */
interface Entry {
  time_entry_id: number;
  resource_id: number | null;
  date_worked: string | null;
  start_at: number | null;
  work_at: number;
  hours: number;
  value: number;
  without_rate: number;
  company_id: number | null;
  ticket_id: number | null;
  ticket_number: string | null;
  ticket_title: string | null;
  task_id: number | null;
  task_title: string | null;
  project_name: string | null;
}

/** Entries listed in the PDF and HTML (oldest first); the CSV and XLSX hold every one. */
const DOCUMENT_ENTRIES = 25;

const RESOURCE_COLUMNS: ColumnSpec[] = [
  { key: 'resource', label: 'Resource', unit: 'text' },
  { key: 'entries', label: 'Entries', unit: 'count' },
  { key: 'hours', label: 'Hours', unit: 'hours' },
  { key: 'value', label: 'Value', unit: 'money' },
  { key: 'over_7d', label: 'Older than 7 days', unit: 'count' },
  { key: 'oldest_days', label: 'Oldest (days)', unit: 'days' },
];

// What an approver checks an entry by comes first (an email shows five columns): when, who, on what, how much.
const ENTRY_COLUMNS: ColumnSpec[] = [
  { key: 'date', label: 'Date worked', unit: 'date' },
  { key: 'resource', label: 'Resource', unit: 'text' },
  { key: 'work_item', label: 'Ticket or project task', unit: 'text' },
  { key: 'hours', label: 'Hours', unit: 'hours', exact: true },
  { key: 'value', label: 'Value', unit: 'money', exact: true },
  { key: 'company', label: 'Company', unit: 'text' },
  { key: 'age_days', label: 'Age (days)', unit: 'days' },
];

/** "T20261101.0004 Printer offline", "Migration: Move mail", or "No ticket or task". */
function workItem(e: Entry): string {
  if (e.ticket_id !== null) return [e.ticket_number ?? `Ticket #${e.ticket_id}`, e.ticket_title?.trim()].filter(Boolean).join(' ');
  if (e.task_id !== null) return [e.project_name?.trim(), e.task_title?.trim() ?? `Task #${e.task_id}`].filter(Boolean).join(': ');
  return 'No ticket or task';
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
    'days with fractions. 7 and 30 days are 7 × 24 h and 30 × 24 h. Two further tables, for the person approving: ' +
    'per resource (the entry\'s resource; entries, hours, value, how many are older than 7 days and the oldest ' +
    'age), largest value first; and the entries themselves (date worked, resource, company, ticket number and ' +
    'title or project and task, hours, value, age), oldest first — the PDF lists the oldest ' + DOCUMENT_ENTRIES +
    ', the CSV and XLSX every one. Labour only: expenses waiting for approval are in accounting/expense-approvals ' +
    'and approved expenses not yet billed in accounting/unbilled-expenses.',
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
    // One read of the entries (oldest first); the metrics, the company rows and both lists are sums of them.
    const found = ctx.query<Entry>().sort((a, b) => a.work_at - b.work_at || a.time_entry_id - b.time_entry_id);
    const byCompany = new Map<number | null, { company_id: number | null; entries: number; hours: number; value: number; oldest_at: number }>();
    const byBucket = new Map<string, number>();
    let entries = 0, hours = 0, value = 0, over7 = 0, over30 = 0, withoutRate = 0;
    for (const e of found) {
      const age = ctx.asOf - e.work_at;
      const bucket = age > 30 * DAY ? 'over_30d' : age > 7 * DAY ? 'over_7d' : 'recent';
      entries++; hours += e.hours; value += e.value; withoutRate += e.without_rate;
      if (bucket !== 'recent') over7++;
      if (bucket === 'over_30d') over30++;
      byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + e.value);
      let c = byCompany.get(e.company_id);
      if (!c) byCompany.set(e.company_id, (c = { company_id: e.company_id, entries: 0, hours: 0, value: 0, oldest_at: e.work_at }));
      c.entries++; c.hours += e.hours; c.value += e.value; c.oldest_at = Math.min(c.oldest_at, e.work_at);
    }
    // Names are read once each, by one small query over the distinct ids.
    const idsOf = (xs: Iterable<number | null>) => JSON.stringify([...xs].filter((id) => id !== null));
    const companyNames = new Map(ctx.query<{ id: number; company_name: string | null }>('companies', { ids: idsOf(byCompany.keys()) })
      .map((c) => [c.id, c.company_name]));
    const resourceNames = new Map(ctx.query<{ id: number; first_name: string | null; last_name: string | null }>('resources', { ids: idsOf(new Set(found.map((e) => e.resource_id))) })
      .map((r) => [r.id, personName(r.id, r.first_name, r.last_name)]));
    // "No company" when the entry's work item has none; "#id" when the company is not in the store.
    const company = (id: number | null) => companyName(id, id === null ? null : companyNames.get(id) ?? null) ?? 'No company';
    const rows: Row[] = [...byCompany.values()]
      .map((c) => ({ ...c, company: company(c.company_id) }))
      .sort((a, b) => b.value - a.value || a.oldest_at - b.oldest_at || a.company.localeCompare(b.company))
      .map((c) => ({ company_id: c.company_id, company: c.company, entries: c.entries, hours: c.hours, value: c.value, oldest_days: (ctx.asOf - c.oldest_at) / DAY }));
    const lists = entryLists(found, {
      resource: (id) => (id === null ? personName(null, null, null) : resourceNames.get(id) ?? personName(id, null, null)),
      company,
    }, ctx.asOf, ctx.settings.timezone);
    const warnings: string[] = [];
    if (withoutRate > 0) {
      warnings.push(`${withoutRate} unapproved ${withoutRate === 1 ? 'entry has' : 'entries have'} no role hourly rate; ${withoutRate === 1 ? 'its' : 'their'} value is counted as 0.`);
    }
    return {
      metrics: { entries, hours, value, over_7d: over7, over_30d: over30 },
      rows,
      lists,
      warnings,
      charts: entries === 0 ? [] : [{
        id: 'value-by-age', kind: 'bar', title: 'Unapproved value by age', unit: 'money',
        labels: BUCKETS.map((b) => b.label),
        datasets: [{ label: 'Value', data: BUCKETS.map((b) => byBucket.get(b.key) ?? 0) }],
      }],
    };
  },
});

/** Names of the entries' resources and companies (as personName and companyName make them). */
interface Names {
  resource(id: number | null): string;
  company(id: number | null): string;
}

/** The per-resource and per-entry tables of the unapproved entries. */
function entryLists(found: Entry[], names: Names, asOf: number, tz: string) {
  const byResource = new Map<number | null, { resource_id: number | null; resource: string; entries: number; hours: number; value: number; over_7d: number; oldest_at: number }>();
  const entries: Row[] = found.map((e) => {
    let r = byResource.get(e.resource_id);
    if (!r) {
      r = { resource_id: e.resource_id, resource: names.resource(e.resource_id), entries: 0, hours: 0, value: 0, over_7d: 0, oldest_at: e.work_at };
      byResource.set(e.resource_id, r);
    }
    r.entries++; r.hours += e.hours; r.value += e.value; r.oldest_at = Math.min(r.oldest_at, e.work_at);
    if (asOf - e.work_at > 7 * DAY) r.over_7d++;
    return {
      time_entry_id: e.time_entry_id,
      date: e.date_worked ?? (e.start_at === null ? null : dateOf(e.start_at, tz)),
      resource_id: e.resource_id,
      resource: names.resource(e.resource_id),
      company_id: e.company_id,
      company: names.company(e.company_id),
      ticket_id: e.ticket_id,
      task_id: e.task_id,
      work_item: workItem(e),
      hours: e.hours,
      value: e.value,
      age_days: (asOf - e.work_at) / DAY,
    };
  });
  const resources: Row[] = [...byResource.values()]
    .sort((a, b) => b.value - a.value || a.oldest_at - b.oldest_at || a.resource.localeCompare(b.resource))
    .map((r) => ({ resource_id: r.resource_id, resource: r.resource, entries: r.entries, hours: r.hours, value: r.value, over_7d: r.over_7d, oldest_days: (asOf - r.oldest_at) / DAY }));
  return [
    { title: 'Unapproved time by resource', columns: RESOURCE_COLUMNS, rows: resources, empty: 'No unapproved billable time.' },
    { title: 'Unapproved entries by age', columns: ENTRY_COLUMNS, rows: entries, documentRows: DOCUMENT_ENTRIES, noun: 'entries', empty: 'No unapproved billable time.' },
  ];
}
