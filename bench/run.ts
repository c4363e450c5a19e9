/**
 * `npm run bench`: measures the sync, the report engine and the renderer on the simulator's data and writes
 * bench/results.md. Figures that are compared are ratios measured in the same run, so a slower or busier
 * machine changes the seconds but not the verdicts.
 *
 *   node dist/bench/run.js [--scale large|medium|small] [--only sync,latency,reports,web,render,bundle,schedules,alerts]
 *                          [--latency-scale medium|large] [--latency-ms 500]
 *
 * The tests assert outcomes only; the speed and memory figures they once bounded are here: the simulator's
 * generation and page times (sync), the render pool's deadlines, failures and forced timeouts (render), and
 * catch-up after a long outage (schedules).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { REPORTS } from '../reports/index.js';
import { SettingsSchema } from '../src/config.js';
import { burstResults } from '../src/reporting/personal.js';
import { validateReports } from '../src/reporting/define.js';
import { computeReports, selectReports } from '../src/reporting/engine.js';
import { openDb } from '../src/store/db.js';
import { systemClock, type ReportResult } from '../src/types.js';
import { SESSION_SHARED, benchReports } from './reports.js';
import { benchLatencySync, benchSync } from './sync.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`npm run bench [-- options]: measures the sync, reports, web app, renderer, schedules and alerts, and writes
bench/results.md (bench/results-<sections>.md with --only). Compare figures within one run: seconds vary with the machine.

  --scale large|medium|small|tiny   size of the simulated tenant (default large: about 1 M time entries; the
                                    first sync takes a few minutes and its store is kept in bench/tmp/)
  --only <sections>                 a comma-separated subset of: ${['sync', 'latency', 'reports', 'web', 'render', 'bundle', 'schedules', 'alerts'].join(', ')}
                                    (--only web reuses the store a previous run kept)
  --latency-scale <scale>           tenant of the first sync at a request latency (default medium)
  --latency-ms <ms>                 that latency (default 500)
`);
  process.exit(0);
}

const scale = (arg('scale') ?? 'large') as 'large' | 'medium' | 'small' | 'tiny';
const SECTIONS = ['sync', 'latency', 'reports', 'web', 'render', 'bundle', 'schedules', 'alerts'];
// The first sync against a simulator answering each request after a latency (default: medium at 500 ms, a
// minute or two; `--latency-scale large` is the figure, about seven minutes).
const latencyScale = (arg('latency-scale') ?? 'medium') as 'large' | 'medium' | 'small' | 'tiny';
const latencyMs = Number(arg('latency-ms') ?? 500);
const only = new Set((arg('only') ?? SECTIONS.join(',')).split(','));
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section "${s}"; allowed: ${SECTIONS.join(', ')}`);
const log = (s: string) => process.stderr.write(`${s}\n`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';

type Line = [string, string | number, string];

async function main(): Promise<void> {
  const lines: { section: string; rows: Line[] }[] = [];
  const started = performance.now();
  let syncedDb: string | null = null;
  const dir = path.join(root, 'bench', 'tmp', `sync-${scale}`);

  // `--only web` reuses the store an earlier run kept (bench/tmp/sync-<scale>/bench.db) when there is one.
  const kept = path.join(dir, 'bench.db');
  if (!only.has('sync') && !only.has('reports') && only.has('web') && fs.existsSync(kept)) {
    log(`== web: reusing ${kept} ==`);
    syncedDb = kept;
  } else if (only.has('sync') || only.has('reports') || only.has('web')) {
    log(`== sync (${scale}) ==`);
    const s = await benchSync({ scale, keep: true, dir, log });
    syncedDb = path.join(dir, 'bench.db');
    lines.push({
      section: `Sync — ${scale} scale`,
      rows: Object.entries(s).map(([k, v]) => [k, v, goalOf(k)] as Line),
    });
  }

  if (only.has('latency')) {
    log(`== first sync at ${latencyMs} ms a request (${latencyScale}) ==`);
    const l = await benchLatencySync({ scale: latencyScale, latencyMs, log });
    lines.push({
      section: `First sync at ${latencyMs} ms a request — ${latencyScale} scale, against the physical minimum`,
      rows: Object.entries(l).map(([k, v]) => [k, v, goalOf(k)] as Line),
    });
  }

  if (only.has('reports') && syncedDb) {
    log('== reports ==');
    const b = benchReports(syncedDb, systemClock.now());
    lines.push({
      section: `Reports — every report over the ${scale} store (${b.tickets.toLocaleString('en')} tickets, ${b.timeEntries.toLocaleString('en')} time entries)`,
      rows: [
        ['one full scan of time_entries (s)', r2(b.fullScanSeconds), ''],
        ['all reports, one fresh session, cold (s)', r2(b.allReportsSeconds), ''],
        ['  computed once per session', SESSION_SHARED, ''],
        ['all reports ÷ full scan', r2(b.ratioToScan), 'goal ≤ 5'],
        [`slowest report alone: ${b.slowest.id} (s)`, r2(b.slowest.seconds), 'goal < 2'],
        ...Object.entries(b.perReport).map(([id, s]) => [`  ${id} (s)`, r2(s), ''] as Line),
        ...(b.failures.length ? [['failures', b.failures.join('; '), 'none'] as Line] : []),
      ],
    });
  }

  if (only.has('web') && syncedDb) {
    log('== web ==');
    const load = os.loadavg()[0]!;
    const { benchWeb } = await import('./web.js');
    const w = await benchWeb(syncedDb, { log });
    lines.push({
      section: `Web app — server time per report page over the ${scale} store (every report; Fastify inject, no network), the board's refresh after a sync`,
      rows: [
        ['load average (1 min) when the section started', r2(load), ''],
        [`report page, first view after a sync (computed with its trend; no past period cached; each page the median of 3 passes), median over ${w.pages} (ms)`, w.reportPageMedianMs, ''],
        ['report page, first view, p95 (ms)', w.reportPageP95Ms, 'goal < 300 on 2 cores'],
        ['report page viewed again within the minute (page cache), median (ms)', w.repeatViewMedianMs, ''],
        ['report page viewed again, p95 (ms)', w.repeatViewP95Ms, 'goal < 300 on 2 cores'],
        [`slowest page: ${w.slowest.id} (ms)`, w.slowest.ms, ''],
        ['first view with every chart drawn, median (ms)', w.firstViewWithChartsMedianMs, ''],
        ['first view with every chart drawn, p95 (ms)', w.firstViewWithChartsP95Ms, ''],
        [`one chart drawn (PNG), median over ${w.charts} (ms)`, w.chartMedianMs, ''],
        ['overview, first request after a sync: every report (ms)', w.overviewColdMs, ''],
        ['board: first /api/board poll after a sync landed, median of 7 (ms)', w.boardRefreshMedianMs, ''],
        ['board: same, p95 (ms)', w.boardRefreshP95Ms, 'goal < 300 on 2 cores'],
        ['board page after the refresh (ms)', w.boardPageMs, ''],
        ['first view after a sync that changed none of the rows past periods read (period cache), median (ms)', w.periodHitMedianMs, ''],
        ['same, p95 (ms)', w.periodHitP95Ms, 'goal < 300 on 2 cores'],
        ['after a sync that changed time entries: the background warm-up, one report at a time, then their charts (ms)', w.warmUpMs, ''],
        ['then first view, median (ms)', w.warmedMedianMs, ''],
        ['then first view, p95 (ms)', w.warmedP95Ms, 'goal < 300 on 2 cores'],
        ['then the overview (ms)', w.warmedOverviewMs, ''],
        ['then a page with every chart it names (drawn by the warm-up), p95 (ms)', w.warmedWithChartsP95Ms, ''],
        ['board poll with no sync since, cached (ms)', w.boardPollCachedMs, ''],
        ...Object.entries(w.perPage).map(([id, ms]) => [`  /reports/${id}, first view (ms)`, ms, ''] as Line),
        ...(w.failures.length ? [['failures', w.failures.join('; '), 'none'] as Line] : []),
      ],
    });
  }

  if (only.has('render')) {
    log('== render ==');
    try {
      // Loaded by name: the render bench is optional for the other sections.
      const renderBench = './render.js';
      const { benchRender, benchPoolLimits } = (await import(renderBench)) as {
        benchRender: (o: { chromiumPath: string; log: (s: string) => void }) => Promise<Record<string, number | string>>;
        benchPoolLimits: (o: { chromiumPath: string; log: (s: string) => void }) => Promise<Record<string, number | string>>;
      };
      const r = await benchRender({ chromiumPath: CHROMIUM, log });
      const limits = await benchPoolLimits({ chromiumPath: CHROMIUM, log });
      lines.push({
        section: 'Render — PDF with the warm pool vs a bare puppeteer page.pdf() of the same HTML; the pool under deadlines and failures',
        rows: [...Object.entries(r), ...Object.entries(limits)].map(([k, v]) => [k, v, RENDER_GOALS[k] ?? (/ratio$/i.test(k) ? 'goal ≤ 1.3' : '')] as Line),
      });
    } catch (e) {
      lines.push({ section: 'Render', rows: [['error', (e as Error).message, '']] });
    }
  }

  if (only.has('bundle')) {
    log('== weekly bundle (medium) ==');
    const mdir = path.join(root, 'bench', 'tmp', 'sync-medium');
    const mdb = path.join(mdir, 'bench.db');
    if (!fs.existsSync(mdb)) await benchSync({ scale: 'medium', keep: true, dir: mdir, log });
    lines.push({ section: 'Weekly bundle — medium scale, service KPIs bundle + one scorecard per technician', rows: await benchBundle(mdb) });
  }

  if (only.has('schedules')) {
    log('== schedules ==');
    const { benchSchedules } = await import('./schedules.js');
    const b = benchSchedules();
    lines.push({
      section: 'Schedules — catch-up (`latest`) after an outage, New York time',
      rows: [
        ['daily 07:00, one-day outage (ms)', b.dailyOneDayMs, ''],
        ['daily 07:00, 4-year outage (ms)', b.dailyFourYearsMs, ''],
        ['4-year ÷ one-day outage', b.outageRatio, 'goal ≤ 2'],
        ['yearly 1 January, 4.4-year outage (ms)', b.yearlyFourYearsMs, 'goal < 2000'],
      ],
    });
  }

  if (only.has('alerts')) {
    log('== alerts: P1 ticket to Teams ==');
    const { benchAlerts } = await import('./alerts.js');
    const a = await benchAlerts({ log });
    lines.push({
      section: 'Alerts — a P1 ticket created in the simulator (small desk) to the Teams message at a local receiver',
      rows: [
        [`with webhooks, median of ${a.webhookSamples} (s)`, a.webhookMedianSeconds, 'goal < 60'],
        ['with webhooks, slowest (s)', a.webhookMaxSeconds, 'goal < 60'],
        ['polling alone: the daemon\'s cadence sync interval at that hour (s)', a.pollIntervalSeconds, ''],
        ['polling alone: the cadence sync that saw it — sync, evaluation, Teams post (s)', a.pollSyncSeconds, ''],
        ['polling alone: worst case, created just after a cadence sync (s)', a.pollWorstSeconds, `goal ≤ ${a.pollIntervalSeconds} + that sync`],
        ['polling alone: cadence syncs until delivered', a.pollSyncsNeeded, 'goal 1 (within one sync interval)'],
      ],
    });
  }

  const md = [
    '# Benchmark results',
    '',
    `Run ${new Date(systemClock.now()).toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
    'Produced by `npm run bench` (bench/run.ts). Seconds vary with the machine; ratios are measured in the same run.',
    '',
    ...lines.flatMap((l) => ['## ' + l.section, '', '| figure | value | goal |', '|---|---|---|', ...l.rows.map(([k, v, g]) => `| ${k} | ${v} | ${g} |`), '']),
  ].join('\n');
  // A partial run (--only) never overwrites the full results with fewer sections.
  const partial = arg('only') !== undefined;
  const out = path.join(root, 'bench', partial ? `results-${[...only].join('-')}.md` : 'results.md');
  fs.writeFileSync(out, md);
  log(`wrote ${out}`);
}

/** Goals of the render section's pool figures (the rest: `…Ratio` ≤ 1.3). */
const RENDER_GOALS: Record<string, string> = {
  neverReadyToDeadlineRatio: 'goal ≤ 2',
  killedBrowserFailSeconds: 'goal < 10',
  forcedTimeoutMsEach: 'goal < 170',
  forcedTimeoutsNodeRssGrowthMb: 'goal < 200',
  forcedTimeoutsChromiumRssMb: 'goal < 1500',
};

function goalOf(key: string): string {
  if (/ratio.*write|write.*ratio|storeVsBare/i.test(key)) return 'goal ≥ 0.5';
  if (/requestsPerMinimum|requests.*minimum|requests_per_page/i.test(key)) return 'goal ≤ 1.05';
  if (/rss/i.test(key)) return 'goal < 300 MB';
  if (key === 'latency_sync.to_minimum_ratio') return 'goal ≤ 1.2';
  if (key === 'simulator.generate_seconds') return 'goal < 45';
  // Pages the sync asks for, against one scan of every TimeEntries row; after writes the change-time index
  // is merged (one pass), so the change window may cost about a scan, never a sort. Only at the large scale
  // does a scan outweigh serialising a page of 500 rows, so only there do these goals apply.
  if (key.startsWith('simulator.') && scale !== 'large') return '';
  if (key === 'simulator.changed_page_to_scan_ratio') return 'goal ≤ 2';
  if (/_page_to_scan_ratio$/.test(key)) return 'goal ≤ 0.5';
  if (key === 'simulator.first_change_window_ms') return 'goal < 3000';
  return '';
}

async function benchBundle(dbFile: string): Promise<Line[]> {
  const db = openDb(dbFile);
  const settings = SettingsSchema.parse({});
  const all = validateReports(REPORTS).reports;
  const { createRenderer } = await import('../src/render/pdf.js');
  const renderer = createRenderer({ chromiumPath: CHROMIUM, paper: 'A4', renderTimeoutMs: 120_000, recycleAfter: 100, timezone: 'UTC', mspName: 'Bench MSP' });
  try {
    const t0 = performance.now();
    const asOf = systemClock.now();
    const service = computeReports(db, selectReports(all, ['intake', 'profitability', 'tech-performance']), { settings, asOf, trend: true });
    const ok = service.flatMap((r) => (r.ok ? [r.value] : []));
    const tCompute = performance.now();
    const bundle = await renderer.pdf(ok, { title: 'Weekly service KPIs' });
    const tBundle = performance.now();
    const techReports = ok.filter((r) => r.group === 'tech-performance' || r.report === 'profitability/resource-utilization');
    const techIds = new Set<number>();
    for (const r of techReports) for (const row of r.rows) if (typeof row.resource_id === 'number') techIds.add(row.resource_id);
    let pages = 0;
    // Two at a time, as a schedule's delivery renders personal copies.
    const queue = [...techIds];
    await Promise.all([0, 1].map(async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const mine: ReportResult[] = burstResults(techReports, 'technician', id).results;
        const pdf = await renderer.pdf(mine, { title: `Scorecard ${id}` });
        pages += pdf.content.length > 0 ? 1 : 0;
      }
    }));
    const tEnd = performance.now();
    return [
      ['compute with trends (s)', r2((tCompute - t0) / 1000), ''],
      ['service bundle PDF (s)', r2((tBundle - tCompute) / 1000), ''],
      [`technician scorecards (${techIds.size}) (s)`, r2((tEnd - tBundle) / 1000), ''],
      ['bundle PDF size (kB)', Math.round(bundle.content.length / 1024), ''],
      ['whole weekly bundle (s)', r2((tEnd - t0) / 1000), 'goal < 60 on 2 cores'],
      ['scorecards rendered', pages, ''],
    ];
  } finally {
    await renderer.close();
    db.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
