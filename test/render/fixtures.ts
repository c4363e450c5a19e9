import type { ReportResult } from '../../src/types.js';

/** Hand-made results for the render tests: shapes a report computation really yields. */

const base = {
  asOf: '2026-11-23T08:00:00.000Z',
  window: { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' },
  timezone: 'UTC',
  metrics: {},
  rows: [],
  columns: [],
  headlines: [],
  series: [],
  charts: [],
  warnings: [],
} satisfies Partial<ReportResult>;

const WEEKS = ['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47'];

/** A KPI report with headlines, charts and trend series (SLA performance). */
export function kpiReport(): ReportResult {
  return {
    ...base,
    report: 'intake/sla-performance',
    title: 'SLA performance',
    description: 'Share of tickets whose first response, resolution plan and resolution met their SLA, by workflow.',
    group: 'intake',
    metrics: { first_response_met_pct: 93.4, resolution_plan_met_pct: 81.25, resolved_met_pct: 76.0, tickets_without_sla: 12, resolved_measured: 0 },
    headlines: [
      { metric: 'first_response_met_pct', label: 'First response met', value: 93.4, unit: 'pct', target: 90, better: 'higher', light: 'green', previous: 91.3 },
      { metric: 'resolution_plan_met_pct', label: 'Resolution plan met', value: 81.25, unit: 'pct', target: 85, better: 'higher', light: 'amber', previous: 84 },
      { metric: 'resolved_met_pct', label: 'Resolved within SLA', value: 76.0, unit: 'pct', target: 90, better: 'higher', light: 'red', previous: 79.5 },
      { metric: 'tickets_without_sla', label: 'Tickets without an SLA', value: 12, unit: 'count', target: 0, better: 'lower', light: 'red', previous: 9 },
      { metric: 'mean_hours', label: 'Mean hours to resolve', value: 7.25, unit: 'hours', target: null, better: 'lower', light: 'none', previous: 8.5 },
      { metric: 'no_data', label: 'Escalated first response', value: null, unit: 'pct', target: 90, better: 'higher', light: 'none', previous: null },
    ],
    series: [
      { metric: 'first_response_met_pct', labels: WEEKS, values: [88.1, 90.2, 89.5, null, 91.0, 92.4, 91.3, 93.4] },
    ],
    charts: [
      {
        id: 'met-by-workflow', kind: 'bar', title: 'SLA met by workflow', unit: 'pct',
        labels: ['Reactive', 'Proactive', 'Onboarding', 'Projects'],
        datasets: [
          { label: 'First response', data: [95.1, 97.0, 88.0, 92.0] },
          { label: 'Resolution plan', data: [83.0, 90.0, 70.5, 79.0] },
          { label: 'Resolved', data: [77.0, 88.0, 61.0, null] },
        ],
      },
    ],
    columns: [
      { key: 'workflow', label: 'Workflow', unit: 'text' },
      { key: 'first_response_met_pct', label: 'First response met', unit: 'pct' },
      { key: 'first_response_measured', label: 'Measured', unit: 'count' },
      { key: 'resolved_met_pct', label: 'Resolved met', unit: 'pct' },
      { key: 'resolved_measured', label: 'Measured ', unit: 'count' },
    ],
    rows: [
      { workflow: 'Reactive', first_response_met_pct: 95.1, first_response_measured: 412, resolved_met_pct: 77, resolved_measured: 380 },
      { workflow: 'Proactive', first_response_met_pct: 97, first_response_measured: 120, resolved_met_pct: 88, resolved_measured: 101 },
      { workflow: 'Onboarding', first_response_met_pct: 88, first_response_measured: 25, resolved_met_pct: 61, resolved_measured: 23 },
      { workflow: 'Projects', first_response_met_pct: 92, first_response_measured: 13, resolved_met_pct: null, resolved_measured: 0 },
    ],
  };
}

const COMPANIES = ['Acme Dental', 'Northwind Logistics', 'Contoso Legal', 'Fabrikam Foods', 'Tailspin Air', 'Litware Accounting'];
const TECHS = ['Avery Cole', 'Jordan Pike', 'Sam Okafor', 'Riley Chen', 'Morgan Diaz'];

/** A table report with `n` rows (open tickets); the last row's title is `LAST-ROW-MARKER <n>`. */
export function bigTableReport(n = 500): ReportResult {
  const rows = Array.from({ length: n }, (_, i) => ({
    ticket: `T20261116.${String(1000 + i).padStart(4, '0')}`,
    // Every seventh row is several lines tall, so a page break is likely to fall inside one if rows could split.
    title: i === n - 1
      ? `LAST-ROW-MARKER ${n}`
      : i % 7 === 3
        ? `Row ${i + 1} printer offline in reception; ${'the user reports the same fault again after every reboot of the print server, '.repeat(3)}after firmware update`
        : `Row ${i + 1} printer offline in reception after firmware update`,
    company: COMPANIES[i % COMPANIES.length]!,
    resource: TECHS[i % TECHS.length]!,
    age_days: Math.round(((i * 37) % 90) * 10) / 10 + 0.5,
    hours: (i % 13) * 0.75,
    created: Date.UTC(2026, 9, 1) + i * 3_600_000,
  }));
  return {
    ...base,
    report: 'operations/open-tickets',
    title: 'Open tickets by age',
    description: 'Every open ticket at the as-of instant, oldest first.',
    group: 'operations',
    window: null,
    metrics: { open: n },
    headlines: [{ metric: 'open', label: 'Open tickets', value: n, unit: 'count', target: null, better: 'lower', light: 'none', previous: n - 20 }],
    columns: [
      { key: 'ticket', label: 'Ticket', unit: 'text' },
      { key: 'title', label: 'Title', unit: 'text' },
      { key: 'company', label: 'Company', unit: 'text' },
      { key: 'resource', label: 'Resource', unit: 'text' },
      { key: 'age_days', label: 'Age', unit: 'days' },
      { key: 'hours', label: 'Hours', unit: 'hours' },
      { key: 'created', label: 'Created', unit: 'datetime' },
    ],
    rows,
  };
}

/** A report with data-quality warnings. */
export function warningsReport(): ReportResult {
  return {
    ...base,
    report: 'profitability/labor-profitability',
    title: 'Labor profitability',
    description: 'Service revenue against the internal cost of labor, per client.',
    group: 'profitability',
    metrics: { service_revenue: 182_450.5, labor_cost: 61_230, labor_profitability_ratio: 2.98, hours_without_cost: 14.5 },
    headlines: [
      { metric: 'service_revenue', label: 'Service revenue', value: 182_450.5, unit: 'money', target: null, better: 'higher', light: 'none', previous: 175_000 },
      { metric: 'labor_profitability_ratio', label: 'Labor profitability ratio', value: 2.98, unit: 'ratio', target: 2.5, better: 'higher', light: 'green', previous: 3.1 },
      { metric: 'hours_without_cost', label: 'Hours without a cost', value: 14.5, unit: 'hours', target: 0, better: 'lower', light: 'amber', previous: 14.5 },
    ],
    warnings: [
      'WARNING-ONE: 3 resources have no internal cost; their 14.5 hours count as free.',
      'WARNING-TWO: The last sync finished 30 hours ago; data after 2026-11-22 06:00 UTC is missing.',
    ],
    charts: [
      {
        id: 'ratio-by-client', kind: 'horizontal-bar', title: 'Revenue and cost by client', unit: 'money',
        labels: COMPANIES,
        datasets: [
          { label: 'Revenue', data: [42_000, 36_500, 31_000, 27_950.5, 24_000, 21_000] },
          { label: 'Labor cost', data: [12_000, 15_000, 9_000, 11_230, 8_000, 6_000] },
        ],
      },
    ],
    columns: [
      { key: 'company', label: 'Company', unit: 'text' },
      { key: 'service_revenue', label: 'Revenue', unit: 'money' },
      { key: 'labor_cost', label: 'Labor cost', unit: 'money' },
      { key: 'ratio', label: 'Ratio', unit: 'ratio' },
    ],
    rows: COMPANIES.map((c, i) => ({ company: c, service_revenue: 42_000 - i * 4000, labor_cost: 12_000 - i * 1000, ratio: (42_000 - i * 4000) / (12_000 - i * 1000) })),
  };
}

/** A report with nothing in it (no rows, no headlines, no charts). */
export function emptyReport(): ReportResult {
  return {
    ...base,
    report: 'projects/stuck-projects',
    title: 'Stuck projects',
    description: 'Projects with no completed task for 14 days.',
    group: 'projects',
    columns: [
      { key: 'project', label: 'Project', unit: 'text' },
      { key: 'days', label: 'Days idle', unit: 'days' },
    ],
  };
}

/** A capacity forecast with a stacked-bar chart. */
export function forecastReport(): ReportResult {
  return {
    ...base,
    report: 'capacity/capacity-forecast',
    title: 'Capacity forecast',
    description: 'Scheduled and backlog demand against technician capacity for the next four weeks.',
    group: 'capacity',
    window: { from: '2026-11-23T00:00:00.000Z', to: '2026-12-21T00:00:00.000Z' },
    metrics: { load_pct: 104.2, fte_gap: 0.4 },
    headlines: [
      { metric: 'load_pct', label: 'Load', value: 104.2, unit: 'pct', target: 85, better: 'lower', light: 'red', previous: 97.5 },
      { metric: 'fte_gap', label: 'FTE gap', value: 0.4, unit: 'fte', target: 0, better: 'lower', light: 'amber', previous: 0.1 },
    ],
    charts: [{
      id: 'demand', kind: 'stacked-bar', title: 'Demand against capacity (hours)', unit: 'hours',
      labels: ['2026-W48', '2026-W49', '2026-W50', '2026-W51'],
      datasets: [
        { label: 'Scheduled', data: [120, 96, 60, 30] },
        { label: 'Backlog', data: [60, 70, 80, 90] },
        { label: 'Projects', data: [25, 30, 35, 20] },
      ],
    }],
  };
}

/** Every hostile string of reliability.md "Hostile data"; `port` is the trap server's. */
export function hostileStrings(port: number): Record<string, string> {
  return {
    img: `<img src=http://127.0.0.1:${port}/x onerror=alert(1)>`,
    script: `<script>fetch('http://127.0.0.1:${port}/s')</script>`,
    handlebars: '{{constructor}} {{#each this}}x{{/each}} {{> layout}}',
    style: `</style><link rel=stylesheet href=http://127.0.0.1:${port}/css>`,
    file: '<iframe src="file:///etc/passwd"></iframe>',
    rtl: 'שלום עולם — مرحبا بالعالم',
    emoji: 'Server down 🔥🚀 fixed ✅',
    cjk: '打印机离线 プリンター 프린터',
  };
}

/** A report whose every text field carries hostile data. */
export function hostileReport(port: number): ReportResult {
  const h = hostileStrings(port);
  const longTitle = `LONGTITLE ${'x'.repeat(10_000)}`;
  return {
    ...base,
    report: 'intake/hostile',
    title: `${h.img} ${h.style}`,
    description: `${h.script} ${h.handlebars}`,
    group: 'intake',
    headlines: [{ metric: 'm', label: h.img, value: 1, unit: 'count', target: null, better: 'none', light: 'none', previous: null }],
    warnings: [h.script, h.style],
    charts: [{ id: '../../etc/passwd', kind: 'bar', title: h.img, labels: [h.cjk, h.rtl], datasets: [{ label: h.emoji, data: [1, 2] }] }],
    columns: [
      { key: 'title', label: h.style, unit: 'text' },
      { key: 'company', label: 'Company', unit: 'text' },
    ],
    rows: [
      { title: h.img, company: h.handlebars },
      { title: h.script, company: h.style },
      { title: h.rtl, company: h.emoji },
      { title: h.cjk, company: h.file },
      { title: longTitle, company: 'after-long' },
    ],
  };
}

/** A report with two further tables: a short per-person one, and 60 entries of which documents show 25. */
export function listsReport(): ReportResult {
  const entries = Array.from({ length: 60 }, (_, i) => ({
    time_entry_id: 1000 + i, date: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`, resource: `Tech ${i % 3}`, company_id: 10 + (i % 2),
    company: i % 2 ? 'Globex' : 'Acme', work_item: `T2026100${i}.0001 ENTRY-${i}`, hours: 1.5, value: 225, age_days: 60 - i,
  }));
  return {
    ...kpiReport(),
    report: 'accounting/approve-and-post',
    title: 'Time to approve and post',
    lists: [
      { title: 'Unapproved time by resource', columns: [{ key: 'resource', label: 'Resource', unit: 'text' }, { key: 'value', label: 'Value', unit: 'money' }], rows: [{ resource_id: 1, resource: 'Tech 0', value: 4500 }] },
      {
        title: 'Unapproved entries by age', documentRows: 25, noun: 'entries',
        columns: [
          { key: 'date', label: 'Date worked', unit: 'date' }, { key: 'resource', label: 'Resource', unit: 'text' }, { key: 'company', label: 'Company', unit: 'text' },
          { key: 'work_item', label: 'Ticket or project task', unit: 'text' }, { key: 'hours', label: 'Hours', unit: 'hours' }, { key: 'value', label: 'Value', unit: 'money' },
        ],
        rows: entries,
      },
    ],
  };
}
