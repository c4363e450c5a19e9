import { REPORTS } from '../reports/index.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { validateReports, type RegisteredReport } from './reporting/define.js';
import { computeReports, selectReports, type PastWindowKind } from './reporting/engine.js';
import { writeFileAtomic } from './files.js';
import { openDb, type Db } from './store/db.js';
import { lastCompletedSyncAt } from './store/sync-store.js';
import { holidayDates, ownCompanyName } from './store/tenant.js';
import type { ItemResult, ReportResult } from './types.js';
import type { RunSyncOptions } from './sync/run.js';
import type { AutotaskClient, AutotaskClientOptions } from './autotask/client.js';
import type { SyncSummary } from './sync/index.js';
import fs from 'node:fs';
import path from 'node:path';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { CommandIO } from './commands/types.js';
import { Events } from './delivery/events.js';
import { Ledger, newOwner } from './store/ledger.js';
import { createMailer } from './delivery/mailer.js';
import { senderProblem } from './delivery/address.js';
import type { MessageContent, MessageRenderer, RenderInput, ReportComputer, Syncer } from './delivery/ports.js';
import { loadSchedules, type SchedulesFile } from './delivery/schedules.js';
import type { DeliveryDeps } from './delivery/execute.js';
import type { Renderer } from './render/pdf.js';
import { systemClock, type Artifact, type Clock } from './types.js';
import { createBusinessHours } from './reporting/business-hours.js';
import { deliverAlerts, evaluateAlerts, type AlertDeps, type RuleOutcome } from './alerts/engine.js';
import { emailSender } from './alerts/channels/email.js';
import { teamsSender } from './alerts/channels/teams.js';
import { slackSender } from './alerts/channels/slack.js';
import { webhookSender } from './alerts/channels/webhook.js';
import { createCardPoster } from './alerts/card.js';
import type { Mailer } from './delivery/ports.js';
import type { OwnerInfo } from './store/ledger.js';
import type { AutotaskEvent } from './autotask/client.js';
import { readSecretFile } from './autotask/webhooks.js';
import type { WebhookReceiverDeps } from './web/autotask-webhook.js';

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
export function openStore(cfg: Config, opts: { mustExist?: boolean; clock?: Clock } = {}): Db {
  return openDb(cfg.db, { ...(opts.mustExist ? { mustExist: true } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
}

/** An Autotask client with this configuration's credentials (the only place one is made). */
export async function createConfiguredClient(cfg: Config, options: AutotaskClientOptions): Promise<AutotaskClient> {
  const { createAutotaskClient } = await import('./autotask/client.js');
  return createAutotaskClient(cfg.env, options);
}

/**
 * The sync use case wired to this configuration's adapters: the store (opened and closed here unless the
 * caller passes one, as the daemon does) and an Autotask client with the environment's credentials.
 */
export async function syncStore(cfg: Config, io: CommandIO, opts: Omit<RunSyncOptions, 'db' | 'autotask'> & { db?: Db } = {}): Promise<SyncSummary> {
  const [{ runSync }, { createAutotaskClient }] = await Promise.all([import('./sync/run.js'), import('./autotask/client.js')]);
  // Bound here, synchronously: the use case makes its clients (the data one and the sign-in probe) with its own options.
  const db = opts.db ?? openStore(cfg, opts.clock ? { clock: opts.clock } : {});
  try {
    return await runSync(cfg, io, { ...opts, db, autotask: (o) => createAutotaskClient(cfg.env, o) });
  } finally {
    if (!opts.db) db.close();
  }
}

/** Whether the store has ever completed a sync (reports over an empty store are worth a warning). */
export function lastSyncAt(db: Db): number | null {
  return lastCompletedSyncAt(db);
}

/** Computes reports by id or group name for the command line and the delivery port. */
export function computeByName(db: Db, cfg: Config, names: string[], opts: { asOf: number; from?: number; to?: number; windowKind?: PastWindowKind; trend?: boolean | 'previous'; snapshotAt?: number; readOnly?: boolean; timezone?: string }): ItemResult<ReportResult>[] {
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
    ...(opts.readOnly ? { readOnly: true } : {}),
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
    recycleAfter: cfg.render.recycleAfter, timezone: cfg.settings.timezone, mspName: mspNameOf(cfg), clock,
    ...(cfg.render.logo ? { logo: logoDataUri(cfg.render.logo) } : {}),
    ...(events ? { onPoolEvent: events.forwardPool() } : {}),
    ...numberFormat(cfg),
  });
}

/**
 * The MSP's name: the setting, else the name of company 0 (the MSP itself) in the store, else "Your MSP".
 * The store is only read, never created, for it (`open`: a store the caller already holds).
 */
export function mspNameOf(cfg: Config, open?: Db): string {
  if (cfg.settings.mspName) return cfg.settings.mspName;
  // A caller holding the store (the web app) reads it there rather than opening the file again.
  if (open) return ownCompanyName(open) || 'Your MSP';
  if (fs.existsSync(cfg.db)) {
    let db: Db | undefined;
    try {
      db = openDb(cfg.db, { mustExist: true });
      const name = ownCompanyName(db);
      if (name) return name;
    } catch {
      // A store that cannot be read leaves the default; `check` reports the store itself.
    } finally {
      db?.close();
    }
  }
  return 'Your MSP';
}

/** The logo file (render.logo) as a data: URI for the PDF, or an error naming the file and the allowed types. */
export function logoDataUri(file: string): string {
  const types: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml' };
  const type = types[path.extname(file).toLowerCase()];
  if (!type) throw new AppError(`render.logo: "${file}" is not a PNG, JPEG or SVG file (allowed extensions: ${Object.keys(types).join(', ')})`, 'CONFIG');
  let bytes: Buffer;
  try { bytes = fs.readFileSync(file); } catch (e) {
    throw new AppError(`render.logo: "${file}" could not be read (${(e as Error).message})`, 'CONFIG', { cause: e });
  }
  return `data:${type};base64,${bytes.toString('base64')}`;
}

/** The locale and currency of the settings, when set (the renderer's defaults otherwise). */
function numberFormat(cfg: Config): { locale?: string; currency?: string } {
  return { ...(cfg.settings.locale ? { locale: cfg.settings.locale } : {}), ...(cfg.settings.currency ? { currency: cfg.settings.currency } : {}) };
}

/** Bundles of more reports than this keep their charts in the PDF only (see createMessageRenderer). */
const MAX_BODY_CHART_REPORTS = 3;

async function createMessageRenderer(cfg: Config, clock: Clock, kpi: () => Config, events: Events): Promise<{ port: MessageRenderer; close(): Promise<void> }> {
  const { buildEmail } = await import('./render/email.js');
  const { csvArtifacts } = await import('./render/csv.js');
  const { xlsxArtifact } = await import('./render/xlsx.js');
  const { formatPeriod } = await import('./render/format.js');
  const renderer = await createConfiguredRenderer(cfg, clock, events);
  const defaultMsp = mspNameOf(cfg);
  const port: MessageRenderer = {
    async render(input: RenderInput, opts): Promise<MessageContent> {
      const first = input.results[0];
      // The KPI settings in force for this run (the daemon reloads them); the renderer's own are fixed at start.
      const mspName = kpi().settings.mspName || defaultMsp;
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
        csv = input.results.flatMap(csvArtifacts);
        for (const c of csv) savedAt[c.filename] = archive(dir, c);
      }
      if (input.format === 'xlsx' && input.results.length) {
        // One workbook for the whole bundle (a summary sheet, then a sheet per report), attached like the CSV files.
        const book = await xlsxArtifact(input.results, { creator: cfg.settings.mspName });
        savedAt[book.filename] = archive(dir, book);
        csv = [book];
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
  /** Alert evaluation and delivery over the same store and mailer (null in a dry run). */
  alerts: AlertService | null;
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
      // A dry run writes nothing: no snapshot, no past period stored in the cache.
      return computeByName(db, kpi, [...ids], {
        asOf: o.asOf, timezone: o.timezone, trend: true, ...(opts.dryRun ? { readOnly: true } : { snapshotAt: clock.now() }), ...(o.window ? { windowKind: o.window } : {}),
      });
    },
  };
  // One sync at a time in this process: a run's freshness sync and the alert cadence's sync share it.
  let inFlight: Promise<{ ok: boolean; error?: string }> | null = null;
  let alerts: AlertService | null = null;
  const syncer: Syncer = {
    lastSuccessAt: () => lastSyncAt(db),
    sync({ signal }) {
      inFlight ??= (async () => {
        try {
          const s = await syncStore(cfg, io, { db, clock, signal, progress: 'none', onEvent: events.forward() });
          const failed = s.entities.filter((e) => !e.ok);
          if (failed.length) return { ok: false, error: failed.map((e) => `${e.entity}: ${e.ok ? '' : e.error}`).join('; ') };
        } catch (e) {
          return { ok: false, error: (e as Error).message };
        }
        // Alerts are evaluated after every successful sync, never on stale data.
        await alerts?.afterSync(signal);
        return { ok: true };
      })().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
  // A dry run renders every message into its own folder and keeps its ledger in memory: nothing is sent,
  // the real ledger (and so `history` and the daemon's exactly-once records) is untouched, and no sync runs.
  const outbox = opts.outbox ?? (opts.dryRun ? path.join(cfg.paths.output, 'dry-run', new Date(clock.now()).toISOString().replace(/[:.]/g, '-')) : cfg.paths.outbox);
  const mailer = createMailer({ smtpUrl: opts.dryRun ? null : cfg.smtpUrl, outbox });
  const ledgerDb = opts.dryRun ? openDb(':memory:') : db;
  if (!opts.dryRun) alerts = createAlertService(cfg, { db, clock, schedules, mailer, env: io.env, events });
  const renderer = await createMessageRenderer(cfg, clock, () => kpi, events);
  const deps: DeliveryDeps = {
    db, ledger: new Ledger(ledgerDb), computer, renderer: renderer.port,
    syncer: opts.dryRun ? { lastSuccessAt: () => clock.now(), sync: async () => ({ ok: true }) } : syncer,
    mailer, clock, events, schedules, from: cfg.mailFrom, owner: newOwner(),
    // A dry run posts nothing: its messages go to a folder, and a card has no folder to go to.
    poster: opts.dryRun ? null : createCardPoster({
      env: io.env, senders: { teams: teamsSender, slack: slackSender, webhook: webhookSender }, baseUrl: cfg.webBaseUrl, format: numberFormat(cfg), now: () => clock.now(),
    }),
  };
  return {
    deps, schedules, alerts, outbox: opts.dryRun || !cfg.smtpUrl ? outbox : mailer.describe(),
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

// ---- alert wiring ----------------------------------------------------------------------------------

/** Whether an instant is inside the settings' business hours (holidays of the store excluded). */
export function businessHoursTest(db: Db, cfg: Config): (t: number) => boolean {
  const holidays = (() => {
    try {
      return holidayDates(db).map((d) => String(d).slice(0, 10));
    } catch {
      return [];
    }
  })();
  const bh = createBusinessHours(cfg.settings, holidays);
  return (t) => bh.bh(t, t + 60_000) > 0;
}

/** Evaluation and delivery of alerts, built from the configuration. */
export interface AlertService {
  /** Evaluates every rule now (a dry run writes nothing). */
  evaluate(opts?: { dryRun?: boolean; only?: string }): RuleOutcome[];
  /** Sends the pending notifications. */
  deliver(signal?: AbortSignal): Promise<{ sent: number; failed: number }>;
  /** Evaluates then delivers (after a successful sync, or a webhook change). */
  afterSync(signal?: AbortSignal): Promise<void>;
  /** Uses another schedules.json (the daemon reloads it). */
  useSchedules(next: SchedulesFile): void;
}

/** The alert service over a store: the real report engine, the mailer, and the Teams/Slack/webhook senders. */
export function createAlertService(cfg: Config, o: { db: Db; clock: Clock; schedules: SchedulesFile; mailer: Mailer; env: NodeJS.ProcessEnv; events?: Events; sleep?: (ms: number, s: AbortSignal) => Promise<void>; owner?: OwnerInfo }): AlertService {
  let schedules = o.schedules;
  const owner = o.owner ?? newOwner();
  const inHours = businessHoursTest(o.db, cfg);
  const senders = { email: emailSender(o.mailer, cfg.mailFrom), teams: teamsSender, slack: slackSender, webhook: webhookSender };
  const deps = (): AlertDeps => ({
    db: o.db, clock: o.clock, schedules, env: o.env, inBusinessHours: inHours, lastSyncAt: () => lastSyncAt(o.db),
    link: (report) => (cfg.webBaseUrl ? `${cfg.webBaseUrl}/reports/${report}` : null),
    compute: (report, asOf, timezone) => computeByName(o.db, cfg, [report], { asOf, ...(timezone ? { timezone } : {}) })[0] ?? { ok: false, name: report, error: new Error('unknown report') },
  });
  const service: AlertService = {
    evaluate: (opts = {}) => evaluateAlerts(deps(), opts),
    deliver: (signal) => deliverAlerts({
      db: o.db, clock: o.clock, schedules, env: o.env, senders, owner,
      attempts: cfg.alerts.channelAttempts, maxRetryAfterMs: cfg.alerts.maxRetryAfterSeconds * 1000, failingAfter: cfg.alerts.failingAfter,
      ...(o.sleep ? { sleep: o.sleep } : {}), ...(signal ? { signal } : {}),
      onEvent: (e) => o.events?.emit(e.type, { recipient: e.recipient, transition: e.transition, alertKey: e.alertKey, detail: e.detail }),
    }),
    async afterSync(signal) {
      if (!schedules.alerts.length) return;
      try {
        const out = service.evaluate();
        for (const r of out) o.events?.emit('alert:evaluated', { ruleId: r.ruleId, observation: r.observation, notifications: r.planned.length });
      } catch (e) {
        o.events?.emit('daemon:error', { error: `alerts: ${(e as Error).message}` });
      }
      await service.deliver(signal);
    },
    useSchedules(next) {
      schedules = next;
    },
  };
  return service;
}

/** A configured Autotask client that takes its requests from the store's budget ledger (webhooks, one-off reads). */
export async function createLedgerClient(cfg: Config, db: Db, clock: Clock, onEvent?: (e: AutotaskEvent) => void): Promise<AutotaskClient> {
  const { settingsClientOptions } = await import('./sync/run.js');
  return createConfiguredClient(cfg, { ...settingsClientOptions(cfg, db, clock), ...(onEvent ? { onEvent } : {}) });
}

/**
 * The webhook receiver's ports for `serve`: the secret file, one GET per changed ticket, alerts re-evaluated
 * after each change and an incremental sync on a sequence gap (each one at a time).
 */
export function webhookReceiverDeps(cfg: Config, io: CommandIO, db: Db, clock: Clock, events?: Events): WebhookReceiverDeps {
  let client: Promise<AutotaskClient> | null = null;
  let alerts: AlertService | null | undefined;
  const alertService = (): AlertService | null => {
    if (alerts !== undefined) return alerts;
    try {
      alerts = createAlertService(cfg, { db, clock, schedules: loadSchedulesFor(cfg), mailer: createMailer({ smtpUrl: cfg.smtpUrl, outbox: cfg.paths.outbox }), env: io.env, ...(events ? { events } : {}) });
    } catch (e) {
      io.err(`webhook: alerts are not evaluated: ${(e as Error).message}`);
      alerts = null;
    }
    return alerts;
  };
  let evaluating: Promise<void> | null = null;
  let again = false;
  const reevaluate = () => {
    if (evaluating) {
      again = true;
      return;
    }
    evaluating = (async () => {
      do {
        again = false;
        await alertService()?.afterSync().catch((e: Error) => io.err(`webhook: alerts: ${e.message}`));
      } while (again);
    })().finally(() => {
      evaluating = null;
    });
  };
  let syncing: Promise<void> | null = null;
  return {
    db, clock,
    secret: () => readSecretFile(cfg.webhookSecretFile)?.secretKey ?? null,
    fetchTicket: async (id) => (await (client ??= createLedgerClient(cfg, db, clock))).get('Tickets', id),
    afterChange: reevaluate,
    onGap: (g) => {
      events?.emit('webhook:event', { guid: g.guid, sequence: g.got, entity: 'Ticket', id: -1, action: 'gap', outcome: `sequence gap (expected ${g.expected}): incremental sync` });
      syncing ??= (async () => {
        try {
          await syncStore(cfg, io, { db, clock, progress: 'none' });
          reevaluate();
        } catch (e) {
          io.err(`webhook: the sync after a sequence gap failed: ${(e as Error).message}`);
        }
      })().finally(() => {
        syncing = null;
      });
    },
    onEvent: (e) => events?.emit('webhook:event', e),
  };
}
