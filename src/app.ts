import { REPORTS } from '../reports/index.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { validateReports, type RegisteredReport } from './reporting/define.js';
import { computeReports, selectReports, type PastWindowKind } from './reporting/engine.js';
import { writeFileAtomic } from './files.js';
import { openDb, type Db } from './store/db.js';
import type { ItemResult, ReportResult } from './types.js';
import path from 'node:path';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { CommandIO } from './commands/types.js';
import { Events } from './delivery/events.js';
import { Ledger, newOwner } from './delivery/ledger.js';
import { createMailer } from './delivery/mailer.js';
import { senderProblem } from './delivery/address.js';
import type { MessageContent, MessageRenderer, RenderInput, ReportComputer, Syncer } from './delivery/ports.js';
import { loadSchedules, type SchedulesFile } from './delivery/schedules.js';
import type { DeliveryDeps } from './delivery/execute.js';
import type { Renderer } from './render/pdf.js';
import { systemClock, type Artifact, type Clock } from './types.js';

/**
 * Composition root: builds the real adapters (store, report engine, renderer, mailer, Autotask client)
 * from a resolved Config and wires them. Commands and the daemon call these; no other module builds
 * its own dependencies.
 */

let registryCache: RegisteredReport[] | null = null;

/** Every report definition, validated once; all invalid definitions are reported together. */
export function loadRegistry(): RegisteredReport[] {
  if (registryCache) return registryCache;
  const { reports, errors } = validateReports(REPORTS);
  if (errors.length) throw new AppError(`invalid report definitions:\n${errors.join('\n')}`, 'REPORT_INVALID');
  registryCache = reports.sort((a, b) => a.id.localeCompare(b.id));
  return registryCache;
}

/**
 * Opens the configured store (migrating it). Created when missing, unless `mustExist`: the commands that
 * only read a store refuse a path where none is (exit 2, telling to sync first).
 */
export function openStore(cfg: Config, opts: { mustExist?: boolean } = {}): Db {
  return openDb(cfg.db, opts);
}

/** Whether the store has ever completed a sync (reports over an empty store are worth a warning). */
export function lastSyncAt(db: Db): number | null {
  const r = db.prepare(`SELECT MAX(finished_at) AS t FROM sync_runs WHERE status IN ('ok', 'partial')`).get() as { t: number | null } | undefined;
  return r?.t ?? null;
}

/** Computes reports by id or group name for the command line and the delivery port. */
export function computeByName(db: Db, cfg: Config, names: string[], opts: { asOf: number; from?: number; to?: number; windowKind?: PastWindowKind; trend?: boolean; snapshotAt?: number; timezone?: string }): ItemResult<ReportResult>[] {
  const selected = selectReports(loadRegistry(), names);
  const settings = opts.timezone && opts.timezone !== cfg.settings.timezone ? { ...cfg.settings, timezone: opts.timezone } : cfg.settings;
  return computeReports(db, selected, {
    settings,
    asOf: opts.asOf,
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.windowKind ? { windowKind: opts.windowKind } : {}),
    trend: opts.trend ?? false,
    ...(opts.snapshotAt !== undefined ? { snapshotAt: opts.snapshotAt } : {}),
  });
}

/** The stable JSON shape of design.md: `{ report, title, asOf, window, metrics, rows }`. */
export function toJsonShape(r: ReportResult): { report: string; title: string; asOf: string; window: { from: string; to: string } | null; metrics: ReportResult['metrics']; rows: ReportResult['rows'] } {
  return { report: r.report, title: r.title, asOf: r.asOf, window: r.window, metrics: r.metrics, rows: r.rows };
}

// ---- delivery wiring -------------------------------------------------------------------------------
/** Loads schedules.json, checking report references against the registry. */
export function loadSchedulesFor(cfg: Config): SchedulesFile {
  return loadSchedules(cfg.schedulesFile, { reportIds: loadRegistry().map((r) => r.id) });
}

function safeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}

/** Writes an artifact into the archive folder (never a half-written file). */
function archive(dir: string, a: Artifact): string {
  const file = path.join(dir, a.filename);
  writeFileAtomic(file, a.content);
  return file;
}

/**
 * The real MessageRenderer: PDF/HTML/CSV attachments from the renderer, every artifact archived under
 * paths.output/runs/<schedule>/<date>/ (so a report is never only in an email), and the email body from
 * buildEmail (CID charts, size budget notes).
 */
/**
 * The renderer built from the configuration (Chromium path, paper, deadlines, zone, MSP name). Loaded on
 * demand: puppeteer and canvas are not needed by sync or check.
 */
export async function createConfiguredRenderer(cfg: Config, clock: Clock = systemClock, events?: Events): Promise<Renderer> {
  const { createRenderer } = await import('./render/pdf.js');
  return createRenderer({
    chromiumPath: cfg.render.chromiumPath, paper: cfg.render.paper, renderTimeoutMs: cfg.render.renderTimeoutMs,
    recycleAfter: cfg.render.recycleAfter, timezone: cfg.settings.timezone, mspName: cfg.settings.mspName, clock,
    ...(events ? { onPoolEvent: events.forwardPool() } : {}),
    ...numberFormat(cfg),
  });
}

/** The locale and currency of the settings, when set (the renderer's defaults otherwise). */
function numberFormat(cfg: Config): { locale?: string; currency?: string } {
  return { ...(cfg.settings.locale ? { locale: cfg.settings.locale } : {}), ...(cfg.settings.currency ? { currency: cfg.settings.currency } : {}) };
}

/** Bundles of more reports than this keep their charts in the PDF only (see createMessageRenderer). */
const MAX_BODY_CHART_REPORTS = 3;

async function createMessageRenderer(cfg: Config, clock: Clock, kpi: () => Config, events: Events): Promise<{ port: MessageRenderer; close(): Promise<void> }> {
  const { buildEmail } = await import('./render/email.js');
  const { csvArtifact } = await import('./render/csv.js');
  const { formatPeriod } = await import('./render/format.js');
  const renderer = await createConfiguredRenderer(cfg, clock, events);
  const port: MessageRenderer = {
    async render(input: RenderInput, opts): Promise<MessageContent> {
      const first = input.results[0];
      // The KPI settings in force for this run (the daemon reloads them); the renderer's own are fixed at start.
      const mspName = kpi().settings.mspName;
      const tz = first?.timezone ?? cfg.settings.timezone;
      const periodLabel = first ? formatPeriod(first.window, first.asOf, tz) : '';
      const day = first ? first.asOf.slice(0, 10) : new Date(clock.now()).toISOString().slice(0, 10);
      const dir = path.join(cfg.paths.output, 'runs', safeName(input.scheduleId), day, input.audience ? safeName(input.audience) : '');
      const savedAt: Record<string, string> = {};
      const title = input.audience ? `${input.subject}` : input.subject;
      let pdf: Artifact | undefined;
      let csv: Artifact[] | undefined;
      // No HTML attachment ever (mail gateways quarantine them): `html` sends the report in the body with the
      // PDF for the full report, `both` adds a spreadsheet (CSV) per report to the PDF, `csv` only spreadsheets.
      if (input.results.length && input.format !== 'csv') {
        pdf = await renderer.pdf(input.results, { title, mspName, signal: opts.signal, deadline: opts.deadline });
        savedAt[pdf.filename] = archive(dir, pdf);
      }
      if (input.results.length && (input.format === 'csv' || input.format === 'both')) {
        csv = input.results.map(csvArtifact);
        for (const c of csv) savedAt[c.filename] = archive(dir, c);
      }
      // A digest body is a one-page read: tiles and the top rows, no charts. A bundle of many reports keeps its
      // charts in the PDF only: the body stays a short read and the message small (the weekly manager email
      // stays under 2 MB with the PDF in it).
      const digest = input.layout === 'digest';
      const withCharts = !digest && input.results.length <= MAX_BODY_CHART_REPORTS;
      const { images } = input.results.length && withCharts ? await renderer.html(input.results, { title, mspName, images: 'cid' }) : { images: [] };
      const shared = {
        results: input.results, ...(pdf ? { pdf } : {}), ...(csv ? { csv } : {}), maxBytes: cfg.render.maxEmailBytes,
        images, savedAt, mspName, format: { timezone: tz, ...numberFormat(cfg) }, notes: input.notes, topRows: digest ? 5 : 10, story: digest,
      };
      // The body once (text, HTML, attachments for the port's contract), and the whole message per recipient:
      // multipart/related > multipart/alternative with CID charts, built by the renderer's MIME tree.
      const preview = await buildEmail({ ...shared, from: cfg.mailFrom, to: 'recipient@invalid', subject: input.subject, periodLabel, unsubscribe: 'mailto:unsubscribe@invalid', messageId: '<preview@invalid>', date: new Date(clock.now()) });
      const attachments = (preview.attachments as Mail.Attachment[] | undefined) ?? [];
      return {
        html: preview.html, text: preview.text, attachments,
        async compose(h) {
          const { 'List-Unsubscribe': unsub, ...headers } = h.headers;
          const msg = await buildEmail({
            ...shared, from: h.from, to: h.to, subject: h.subject, heading: h.subject,
            // The subject already carries the period ({period}/{date}); each report shows its own.
            periodLabel: '', unsubscribe: unsub ? unsub.replace(/^<|>$/g, '') : `mailto:${cfg.mailFrom}?subject=unsubscribe`,
            messageId: h.messageId, date: new Date(h.date), headers,
          });
          return msg.raw;
        },
      };
    },
  };
  return { port, close: () => renderer.close() };
}

/** Everything a run needs, built from the configuration. The caller closes it. */
export async function createDeliveryDeps(cfg: Config, io: CommandIO, opts: { clock?: Clock; events?: Events; schedules?: SchedulesFile; db?: Db; dryRun?: boolean; outbox?: string } = {}): Promise<{
  deps: DeliveryDeps; schedules: SchedulesFile; outbox: string; close(): Promise<void>;
  /** Uses `next`'s KPI settings from the next run on; returns the parts that differ but need a restart. */
  useSettings(next: Config): string[];
}> {
  // Refused before anything runs: without a usable sender, messages would leave without a From header.
  const badSender = senderProblem(cfg.mailFrom);
  if (badSender) throw new AppError(badSender, 'CONFIG');
  const clock = opts.clock ?? systemClock;
  const schedules = opts.schedules ?? loadSchedulesFor(cfg);
  const db = opts.db ?? openStore(cfg);
  const events = opts.events ?? new Events();
  // The KPI settings can change under a running daemon (settings.json edited); the rest is fixed at start.
  let kpi = cfg;
  const { technicianLists } = await import('./delivery/scorecard.js');
  const computer: ReportComputer = {
    reportIds: () => loadRegistry().map((r) => r.id),
    personalLists: (id, o) => technicianLists(db, kpi.settings, id, o.asOf, o.window),
    async compute(ids, o) {
      // A dry run writes nothing: no snapshot either.
      return computeByName(db, kpi, [...ids], {
        asOf: o.asOf, timezone: o.timezone, trend: true, ...(opts.dryRun ? {} : { snapshotAt: clock.now() }), ...(o.window ? { windowKind: o.window } : {}),
      });
    },
  };
  const syncer: Syncer = {
    lastSuccessAt: () => lastSyncAt(db),
    async sync({ signal }) {
      const { runSync } = await import('./commands/sync.js');
      try {
        const s = await runSync(cfg, io, { db, clock, signal, progress: 'none', onEvent: events.forward() });
        const failed = s.entities.filter((e) => !e.ok);
        return failed.length ? { ok: false, error: failed.map((e) => `${e.entity}: ${e.ok ? '' : e.error}`).join('; ') } : { ok: true };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
  };
  // A dry run renders every message into its own folder and keeps its ledger in memory: nothing is sent,
  // the real ledger (and so `history` and the daemon's exactly-once records) is untouched, and no sync runs.
  const outbox = opts.outbox ?? (opts.dryRun ? path.join(cfg.paths.output, 'dry-run', new Date(clock.now()).toISOString().replace(/[:.]/g, '-')) : cfg.paths.outbox);
  const mailer = createMailer({ smtpUrl: opts.dryRun ? null : cfg.smtpUrl, outbox });
  const ledgerDb = opts.dryRun ? openDb(':memory:') : db;
  const renderer = await createMessageRenderer(cfg, clock, () => kpi, events);
  const deps: DeliveryDeps = {
    db, ledger: new Ledger(ledgerDb), computer, renderer: renderer.port,
    syncer: opts.dryRun ? { lastSuccessAt: () => clock.now(), sync: async () => ({ ok: true }) } : syncer,
    mailer, clock, events, schedules, from: cfg.mailFrom, owner: newOwner(),
  };
  return {
    deps, schedules, outbox: opts.dryRun || !cfg.smtpUrl ? outbox : mailer.describe(),
    useSettings(next) {
      kpi = { ...kpi, settings: next.settings };
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      return (['render', 'autotask', 'paths', 'db'] as const).filter((k) => !same(cfg[k], next[k]));
    },
    async close() {
      mailer.close();
      await renderer.close();
      if (ledgerDb !== db) ledgerDb.close();
      if (!opts.db) db.close();
    },
  };
}
