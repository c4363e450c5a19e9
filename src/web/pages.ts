import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { CommandIO } from '../commands/types.js';
import { channelName } from '../alerts/engine.js';
import { computeByName, createDeliveryDeps, lastSyncAt, loadRegistry, loadSchedulesFor, mspNameOf, toJsonShape } from '../app.js';
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';
import { PAST_WINDOW_KINDS } from '../reporting/engine.js';
import type { PageTemplates } from '../render/templates.js';
import type { Renderer } from '../render/pdf.js';
import type { ChartRenderer } from '../render/charts.js';
import { chartAlt, chartNames, chartSpecsOf, reportView, slug, tileView } from '../render/view.js';
import { formatCell, formatDateTime, formatPeriod, lightLabel } from '../render/format.js';
import { runScheduleNow } from '../delivery/execute.js';
import { burstResults } from '../reporting/personal.js';
import { Ledger } from '../store/ledger.js';
import { cursorStatuses, recentSyncRuns } from '../store/sync-store.js';
import { activeResources, resourceByEmailLookup, resourceById } from '../store/tenant.js';
import { nextRun } from '../delivery/cron.js';
import { resolveScheduleRecipients } from '../delivery/recipients.js';
import { expandReports, testCopyOf, type Schedule, type SchedulesFile } from '../delivery/schedules.js';
import type { Artifact, Clock, Headline, ReportResult } from '../types.js';
import type { ChartImages } from './charts.js';
import type { Links } from './links.js';
import type { Users, WebSession } from './users.js';
import { computeOne, periodOf } from './compute.js';
import type { Warmer } from './warm.js';

/**
 * The pages of the web app. Every page is a view object rendered by templates/web/*.hbs (escaped by
 * Handlebars: Autotask strings are always text); report sections go through the PDF's own `report` partial.
 */

/** What the pages share: the store, configuration, templates and lazily built renderers. */
export interface State {
  cfg: Config;
  db: Db;
  io: CommandIO;
  clock: Clock;
  templates: PageTemplates;
  links: Links;
  users: Users;
  boardPollMs: number;
  /** Rows of a report's table on its page unless the reader asks for all (PAGE_ROWS). */
  pageRows: number;
  daemonAlive(): boolean;
  renderer(): Promise<Renderer>;
  charts(): Promise<ChartRenderer>;
  /** The pages' chart images, fetched by key from /charts/<key>.png. */
  chartImages: ChartImages;
  /** Set once the renderer has been asked for (so close() does not start one). */
  rendererStarted?: boolean;
  /** Warms the caches after each sync (web/warm.ts); absent when turned off. */
  warmer?: Warmer;
}

/** Closes what the pages started (the Chromium pool). */
export async function closeState(state: State): Promise<void> {
  state.warmer?.stop();
  if (state.rendererStarted) await (await state.renderer()).close();
}

const NAV = [
  { href: '/', label: 'Overview', min: 1 },
  { href: '/reports', label: 'Reports', min: 1 },
  { href: '/board', label: 'Board', min: 0 },
  { href: '/scorecard', label: 'My scorecard', min: 0 },
  { href: '/schedules', label: 'Schedules', min: 1 },
  { href: '/history', label: 'History', min: 1 },
  { href: '/sync', label: 'Sync', min: 1 },
];
const RANK = { technician: 0, viewer: 1, manager: 2, admin: 3 } as const;

/**
 * Outcome messages of a POST, shown once on the page it redirects to. Kept here by a random id, for the
 * user who caused them: a link with made-up text in its query string cannot put words on our pages.
 */
const flashes = new Map<string, { email: string; text: string }>();

/** Remembers an outcome message for `email`; returns the id for the redirect's `?msg=`. */
export function flash(email: string, text: string): string {
  const id = crypto.randomBytes(12).toString('base64url');
  flashes.set(id, { email, text });
  while (flashes.size > 200) flashes.delete(flashes.keys().next().value!);
  return id;
}

function takeFlash(session: WebSession | null, id: string | null): string | null {
  const f = id ? flashes.get(id) : undefined;
  if (!f || !session || f.email !== session.user.email) return null;
  flashes.delete(id!);
  return f.text;
}

/** The MSP's name as the PDFs and e-mails have it (never empty: it is the home link's text). */
function mspName(state: State): string {
  return mspNameOf(state.cfg, state.db);
}

/** The shell's part of a view: title, navigation, the user and the CSRF token of the logout form. */
export function pageInfo(state: State, session: WebSession | null, title: string, current: string, flashId: string | null = null) {
  const rank = session ? RANK[session.user.role] : -1;
  return {
    title, mspName: mspName(state), bodyClass: current ? `page-${current.replace(/\W+/g, '') || 'home'}` : '',
    user: session ? { email: session.user.email, role: session.user.role } : null,
    nav: NAV.filter((n) => rank >= n.min).map((n) => ({ href: n.href, label: n.label, current: n.href === current })),
    csrf: session?.csrfToken ?? '', flash: takeFlash(session, flashId),
  };
}

/** An error page (status in the heading, the message as text). */
export function errorPage(state: State, session: WebSession | null, status: number, message: string): string {
  const heading = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 400 ? 'Cannot show this' : 'Error';
  return state.templates.render('error', { page: pageInfo(state, session, heading, ''), heading, message });
}

const when = (state: State, t: number | null) => (t === null ? 'never' : formatDateTime(t, state.cfg.settings.timezone));
const ORDER: Record<string, number> = { red: 0, amber: 1, green: 2, none: 3 };

function trendText(h: Headline): string {
  if (h.previous === null || h.value === null) return '';
  if (h.value === h.previous) return '→ no change';
  const up = h.value > h.previous;
  const good = h.better === 'none' ? '' : (up === (h.better === 'higher') ? ' (better)' : ' (worse)');
  return `${up ? '↑' : '↓'} from ${Math.round(h.previous * 100) / 100}${good}`;
}

/**
 * Results cached per store state: a page reload does not compute every report again until a sync lands.
 * One cache per server (two servers on two stores in one process never share results).
 */
const caches = new WeakMap<State, Map<string, { at: number; value: unknown }>>();
/** A cached result, if there is one (computes nothing). */
function peek<T>(state: State, key: string, ttlMs: number): T | undefined {
  const hit = caches.get(state)?.get(`${lastSyncAt(state.db)}|${key}`);
  return hit && state.clock.now() - hit.at < ttlMs ? hit.value as T : undefined;
}
function cached<T>(state: State, key: string, ttlMs: number, fn: () => T): T {
  let cache = caches.get(state);
  if (!cache) caches.set(state, (cache = new Map()));
  const k = `${lastSyncAt(state.db)}|${key}`;
  const hit = cache.get(k);
  const now = state.clock.now();
  if (hit && now - hit.at < ttlMs) return hit.value as T;
  const value = fn();
  cache.set(k, { at: now, value });
  while (cache.size > 80) cache.delete(cache.keys().next().value!);
  return value;
}

/**
 * What the first views after a sync need, as steps of one report each (the warm-up of web/warm.ts): the
 * board, then every report with its trend (each report's page; together, the overview), then their charts.
 */
export function warmSteps(state: State): (() => void | Promise<void>)[] {
  const ids = loadRegistry().map((r) => r.id);
  const items: ReturnType<typeof computeByName> = [];
  const results = new Map<string, ReportResult>();
  return [
    () => { boardData(state); },
    ...ids.map((id) => () => {
      const [r] = computeByName(state.db, state.cfg, [id], { ...periodOf(state.cfg, {}, state.clock.now()), trend: true });
      if (!r) return;
      items.push(r);
      if (r.ok) results.set(id, cached(state, `report-full|${id}|`, 60_000, () => r.value));
    }),
    () => { if (items.length === ids.length) cached(state, 'overview|', 60_000, () => items); },
    // Then the pages' charts, one per step: a page's first view then finds its images drawn (about 65 ms
    // each at the large scale, the larger part of a first view with its charts).
    ...ids.map((id) => async () => {
      const r = results.get(id);
      if (!r) return;
      for (const spec of chartSpecsOf(r)) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await state.chartImages.png(state.chartImages.key(spec));
      }
    }),
  ];
}

/** The overview: every report's headlines, off target first. */
export async function overview(state: State, session: WebSession, q: Record<string, string>): Promise<string> {
  const period = periodOf(state.cfg, q, state.clock.now());
  // Headlines need the period before each report's (their change), not the whole trend.
  const items = cached(state, `overview|${q['as-of'] ?? ''}`, 60_000, () => computeByName(state.db, state.cfg, loadRegistry().map((r) => r.id), { ...period, trend: 'previous' }));
  const fmt = { timezone: state.cfg.settings.timezone };
  const rows = items.flatMap((i) => (i.ok ? i.value.headlines.map((h) => ({ r: i.value, h })) : []))
    .sort((a, b) => ORDER[a.h.light]! - ORDER[b.h.light]! || a.r.report.localeCompare(b.r.report))
    .map(({ r, h }) => {
      const v = tileView(h, fmt);
      return { group: r.group, report: r.title, href: `/reports/${r.report}`, label: h.label, value: v.value, target: v.target ?? '—', light: h.light, status: lightLabel(h.light) || 'No target', trend: trendText(h) };
    });
  return state.templates.render('overview', {
    page: pageInfo(state, session, 'Overview', '/'), rows, asOf: when(state, period.asOf), lastSync: when(state, lastSyncAt(state.db)),
    failures: items.filter((i) => !i.ok).map((i) => `${i.name}: ${(i as { error: Error }).error.message}`),
  });
}

/** Every report by group. */
export function reportList(state: State, session: WebSession): string {
  const groups = new Map<string, { id: string; title: string; href: string }[]>();
  for (const r of loadRegistry()) {
    const g = r.id.split('/')[0]!;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push({ id: r.id, title: r.def.title, href: `/reports/${r.id}` });
  }
  return state.templates.render('reports', { page: pageInfo(state, session, 'Reports', '/reports'), groups: [...groups].map(([name, reports]) => ({ name, reports })) });
}

/**
 * Report sections as the PDF has them (same view builder and partial), ticket numbers linked. Charts are
 * the PDF's PNGs, fetched by the browser from /charts/<key>.png (see ChartImages): the page does not wait for them.
 */
async function sections(state: State, results: ReportResult[], later?: (chartId: string) => string, rows?: { max: number; allHref: string }) {
  const names = chartNames(results);
  return results.map((r, i) => reportView(r, i, names[i]!.map((n) => ({
    // A partial trend's charts are drawn from the whole trend, computed when the browser asks for them.
    src: `/charts/${r.partialTrend && later && n.spec.id.startsWith('trend-') ? later(n.spec.id) : state.chartImages.key(n.spec)}.png`,
    image: { cid: n.cid, filename: n.filename, content: Buffer.alloc(0), mime: 'image/png', title: n.spec.title, report: r.report, alt: chartAlt(n.spec) },
  })), {
    timezone: state.cfg.settings.timezone, mspName: mspName(state), generatedAt: state.clock.now(), linkOf: state.links.linkOf,
    ...(rows ? { maxRows: rows.max, allRowsHref: rows.allHref } : {}),
  }));
}

/**
 * Rows of a report's table on its page unless the reader asks for all (`?rows=all`): a table of thousands
 * of companies or contracts (large tenants) is a page of half a megabyte that takes longer to format and to
 * lay out than the report takes to compute; the downloads hold every row.
 */
export const PAGE_ROWS = 250;

const qs = (q: Record<string, string>) => {
  const p = new URLSearchParams();
  for (const k of ['as-of', 'from', 'to', 'window']) if (q[k]) p.set(k, q[k]!);
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** One report for any period, with downloads. */
export async function reportPage(state: State, session: WebSession, id: string, q: Record<string, string>): Promise<string> {
  // With its whole trend a report is computed once per period shown (8 or 6 of them). The page needs the
  // period before this one only (each headline's change): the whole trend is computed when the browser asks
  // for a trend chart, so the figures and the table do not wait for it. Other readers of the same report and
  // period get either result until the next sync, or a minute; the warm-up after a sync makes the whole one.
  const query = qs(q);
  const fullKey = `report-full|${id}|${query}`;
  const r = peek<ReportResult>(state, fullKey, 60_000) ?? cached(state, `report|${id}|${query}`, 60_000, () => computeOne(state, id, q, 'previous'));
  const sync = lastSyncAt(state.db);
  const later = (chartId: string) => state.chartImages.later(`${sync}|${id}|${query}|${chartId}`,
    // The page names the charts chartSpecsOf makes of the partial result; the whole result has the same ids
    // (its first two series are those charted, and every series has a chart of its own): draw the whole one's.
    () => chartSpecsOf(cached(state, fullKey, 60_000, () => computeOne(state, id, q, true))).find((c) => c.id === chartId) ?? null);
  const base = `/reports/${id}`;
  return state.templates.render('report', {
    page: pageInfo(state, session, r.title, '/reports'),
    self: base,
    form: {
      asOf: q['as-of'] ?? '', from: q.from ?? '', to: q.to ?? '',
      windows: [{ value: '', label: 'The report\'s own', selected: !q.window }, ...PAST_WINDOW_KINDS.map((w) => ({ value: w, label: w, selected: q.window === w }))],
    },
    downloads: DOWNLOADS.map((f) => ({ label: f.toUpperCase(), href: `${base}/download/${f}${query}` })),
    error: null,
    reports: await sections(state, [r], later, q.rows === 'all' ? undefined : { max: state.pageRows, allHref: `${base}${query ? `${query}&` : '?'}rows=all` }),
  });
}

/** The files a report page offers, in the order its links show them. */
const DOWNLOADS = ['pdf', 'xlsx', 'csv', 'json'] as const;

/** A report as a file: PDF (the same renderer as the e-mails), an Excel workbook and CSV (as `run` writes them), or the JSON of `run --format json`. */
export async function download(state: State, id: string, format: string, q: Record<string, string>): Promise<Artifact> {
  if (!(DOWNLOADS as readonly string[]).includes(format)) throw Object.assign(new AppError(`format "${format}" is not allowed. Allowed: ${DOWNLOADS.join(', ')}`, 'USAGE'), { statusCode: 404 });
  const r = computeOne(state, id, q, format === 'pdf');
  if (format === 'json') return { filename: `${slug(id)}.json`, contentType: 'application/json; charset=utf-8', content: Buffer.from(`${JSON.stringify(toJsonShape(r), null, 2)}\n`) };
  if (format === 'csv') return (await import('../render/csv.js')).csvArtifact(r);
  if (format === 'xlsx') return (await import('../render/xlsx.js')).xlsxArtifact([r], { creator: mspName(state) });
  return (await state.renderer()).pdf([r]);
}

// ---- the board ----

const BOARD_REPORT = 'intake/backlog';

function boardResult(state: State): ReportResult {
  return cached(state, 'board', 30_000, () => computeOne(state, BOARD_REPORT, {}, false));
}

/** The board's result as shown: formatted once per computed result, not on every poll of every wall screen. */
const boardViews = new WeakMap<ReportResult, ReturnType<typeof boardView>>();
function boardView(state: State, r: ReportResult) {
  const fmt = { timezone: r.timezone || state.cfg.settings.timezone };
  return {
    title: r.title,
    columns: r.columns.map((c) => c.label),
    tiles: r.headlines.map((h) => tileView(h, fmt)),
    rows: r.rows.map((row) => r.columns.map((c) => ({ text: formatCell(row[c.key], c, fmt), href: state.links.linkOf(row, c) }))),
  };
}

/** The board's content as data: the page draws it, and app.js redraws it from /api/board after a sync. */
export function boardData(state: State) {
  const r = boardResult(state);
  let view = boardViews.get(r);
  if (!view) boardViews.set(r, (view = boardView(state, r)));
  const t = lastSyncAt(state.db);
  return { lastSyncAt: t === null ? null : new Date(t).toISOString(), lastSync: when(state, t), ...view };
}

/** The board page (a wall screen): the backlog, reordered after every sync without a reload. */
export function boardPage(state: State, session: WebSession): string {
  const d = boardData(state);
  return state.templates.render('board', {
    page: pageInfo(state, session, 'Board', '/board'), title: d.title, lastSync: d.lastSync, syncedAt: String(d.lastSyncAt), pollMs: state.boardPollMs,
    tiles: d.tiles, columns: d.columns, rows: d.rows, count: d.rows.length,
  });
}

// ---- scorecards ----

interface Resource { id: number; name: string }

function resourceByEmail(db: Db, email: string): Resource | null {
  const r = resourceByEmailLookup(db)(email);
  return r ? { id: r.id, name: [r.firstName, r.lastName].filter(Boolean).join(' ') || email } : null;
}

/**
 * A technician's scorecard: the tech-performance reports as their personal copy of a burst schedule has
 * them (burstResults). A technician sees only their own; readers pick anyone.
 */
export async function scorecard(state: State, session: WebSession, resourceId: number | null, q: Record<string, string>): Promise<{ status: number; html: string }> {
  const own = resourceByEmail(state.db, session.user.email);
  const isTech = session.user.role === 'technician';
  if (isTech && resourceId !== null && resourceId !== own?.id) {
    return { status: 403, html: errorPage(state, session, 403, 'A technician sees only their own scorecard.') };
  }
  const id = resourceId ?? own?.id ?? null;
  const all = isTech ? [] : activeResources(state.db)
    .map((r) => ({ href: `/scorecard/${r.id}`, name: [r.firstName, r.lastName].filter(Boolean).join(' ') || `#${r.id}` }));
  if (id === null) {
    return { status: 200, html: state.templates.render('scorecard', { page: pageInfo(state, session, 'Scorecard', '/scorecard'), name: session.user.email, others: all, note: 'Your address is not an Autotask resource\'s e-mail address, so there is no scorecard of yours. Pick a technician.', reports: [] }) };
  }
  const row = resourceById(state.db, id);
  if (!row) return { status: 404, html: errorPage(state, session, 404, `There is no technician #${id}.`) };
  const period = periodOf(state.cfg, q, state.clock.now());
  const items = computeByName(state.db, state.cfg, ['tech-performance'], { ...period, trend: true });
  const { results, notes } = burstResults(items.filter((i) => i.ok).map((i) => (i as { value: ReportResult }).value), 'technician', id);
  return {
    status: 200,
    html: state.templates.render('scorecard', {
      page: pageInfo(state, session, 'Scorecard', '/scorecard'), name: [row.firstName, row.lastName].filter(Boolean).join(' ') || `#${id}`,
      others: all, note: notes.join(' ') || null, reports: await sections(state, results),
    }),
  };
}

// ---- schedules ----

function schedulesFile(state: State): SchedulesFile {
  return loadSchedulesFor(state.cfg);
}

function findSchedule(file: SchedulesFile, id: string): Schedule {
  const s = file.schedules.find((x) => x.id === id);
  if (!s) throw Object.assign(new AppError(`no schedule "${id}" in ${file.file}`, 'USAGE'), { statusCode: 404 });
  return s;
}

/** Schedules with next and last run, state and recipients. */
export function schedulesPage(state: State, session: WebSession, q: Record<string, string>): string {
  const file = schedulesFile(state);
  const now = state.clock.now();
  const ledger = new Ledger(state.db);
  const canSend = RANK[session.user.role] >= 2;
  return state.templates.render('schedules', {
    page: pageInfo(state, session, 'Schedules', '/schedules', q.msg ?? null), csrf: session.csrfToken,
    schedules: file.schedules.map((s) => {
      const l = ledger.lastRun(s.id);
      const recipients = resolveScheduleRecipients(state.db, file, s);
      const next = s.enabled ? nextRun(s, now) : null;
      return {
        id: s.id, reports: s.reports.join(', '), cron: s.cron, timezone: s.timezone, state: s.enabled ? 'enabled' : 'disabled',
        recipients: recipients.length ? `${recipients.length}: ${recipients.slice(0, 5).map((r) => r.address).join(', ')}${recipients.length > 5 ? ' …' : ''}` : 'none',
        next: next === null ? '—' : when(state, next), last: l ? `${l.state}, due ${when(state, l.due_at)}` : 'never',
        previewHref: `/schedules/${encodeURIComponent(s.id)}/preview`, canSend,
        testAction: `/schedules/${encodeURIComponent(s.id)}/test`, sendAction: `/schedules/${encodeURIComponent(s.id)}/send`,
      };
    }),
  });
}

/** The message of a schedule as one recipient receives it: the subject, and the body in a sandboxed frame. */
export async function previewPage(state: State, session: WebSession, id: string, q: Record<string, string>): Promise<string> {
  const file = schedulesFile(state);
  const s = findSchedule(file, id);
  const recipients = resolveScheduleRecipients(state.db, file, s);
  const to = recipients.find((r) => r.address === (q.recipient ?? '').toLowerCase()) ?? recipients[0] ?? null;
  const { subject, notes } = await previewMessage(state, file, s, to?.address ?? null);
  const self = `/schedules/${encodeURIComponent(id)}/preview`;
  return state.templates.render('preview', {
    page: pageInfo(state, session, `Preview ${id}`, '/schedules'), id, self, subject, notes, to: to?.address ?? '(no recipient)',
    recipients: recipients.map((r) => ({ address: r.address, label: r.name ? `${r.name} <${r.address}>` : r.address, selected: r.address === to?.address })),
    bodySrc: `${self}/body${to ? `?recipient=${encodeURIComponent(to.address)}` : ''}`,
  });
}

async function previewMessage(state: State, file: SchedulesFile, s: Schedule, address: string | null) {
  const now = state.clock.now();
  const ids = expandReports(s.reports, loadRegistry().map((r) => r.id));
  const items = computeByName(state.db, state.cfg, ids, { asOf: now, timezone: s.timezone, trend: true, ...(s.window ? { windowKind: s.window } : {}) });
  let results = items.filter((i) => i.ok).map((i) => (i as { value: ReportResult }).value);
  let notes = items.filter((i) => !i.ok).map((i) => `The report ${i.name} could not be computed.`);
  let name: string | null = null;
  if (s.burst && address) {
    const r = resolveScheduleRecipients(state.db, file, s).find((x) => x.address === address);
    const b = burstResults(results, s.burst, (s.burst === 'technician' ? r?.resourceId : r?.companyId) ?? null);
    results = b.results;
    notes = [...notes, ...b.notes];
    name = r?.name ?? address;
  }
  const { expandSubject } = await import('../delivery/execute.js');
  const subject = expandSubject(s.subject, { schedule: s, dueAt: now, results, name });
  return { subject, notes, results };
}

/** The preview's body: the e-mail HTML with its charts embedded, served under a policy of its own. */
export async function previewBody(state: State, id: string, q: Record<string, string>): Promise<string> {
  const file = schedulesFile(state);
  const s = findSchedule(file, id);
  const address = (q.recipient ?? '').toLowerCase() || null;
  if (address && !resolveScheduleRecipients(state.db, file, s).some((r) => r.address === address)) throw new AppError(`${address} is not a recipient of ${id}`, 'USAGE');
  const { subject, notes, results } = await previewMessage(state, file, s, address);
  const { buildEmail } = await import('../render/email.js');
  const first = results[0];
  const msg = await buildEmail({
    from: state.cfg.mailFrom, to: address ?? 'recipient@invalid', subject, results, notes,
    periodLabel: first ? formatPeriod(first.window, first.asOf, first.timezone) : '', unsubscribe: `mailto:${s.owner}`, messageId: '<preview@invalid>',
    maxBytes: state.cfg.render.maxEmailBytes, charts: await state.charts(), mspName: mspName(state), format: { timezone: s.timezone },
    topRows: s.layout === 'digest' ? 5 : 10, date: new Date(state.clock.now()),
  });
  let html = String(msg.html ?? '');
  for (const a of (msg.attachments ?? []) as { cid?: string; content?: unknown }[]) {
    if (a.cid && Buffer.isBuffer(a.content)) html = html.split(`cid:${a.cid}`).join(`data:image/png;base64,${a.content.toString('base64')}`);
  }
  return html;
}

/** Runs a schedule now through the delivery path (ledger, SMTP or outbox): to its recipients, or a test copy to one address. */
export async function sendSchedule(state: State, id: string, o: { to?: string }): Promise<string> {
  let file = schedulesFile(state);
  const s0 = findSchedule(file, id);
  if (o.to) file = testCopyOf(file, id, o.to);
  return runWith(state, file, file.schedules.find((x) => x.id === s0.id)!, null, o.to ? `Test copy of ${id} to ${o.to}` : `${id} sent now`);
}

async function runWith(state: State, file: SchedulesFile, schedule: Schedule, asOf: number | null, label: string): Promise<string> {
  const wiring = await createDeliveryDeps(state.cfg, state.io, { db: state.db, schedules: file });
  try {
    // A re-send carries the same period as the run it repairs: the reports are computed as of its due instant.
    const deps = asOf === null ? wiring.deps : {
      ...wiring.deps,
      computer: { reportIds: wiring.deps.computer.reportIds, compute: (ids: readonly string[], o: Parameters<typeof wiring.deps.computer.compute>[1]) => wiring.deps.computer.compute(ids, { ...o, asOf }) },
    };
    const out = await runScheduleNow(deps, schedule);
    const sent = out.deliveries.filter((d) => d.state === 'sent').length;
    const failed = out.deliveries.filter((d) => d.state === 'failed').length;
    return `${label}: run ${out.runId ?? '-'} ${out.state}; ${sent} sent, ${failed} failed${out.reason ? ` (${out.reason})` : ''}`;
  } finally {
    await wiring.close();
  }
}

/** Re-sends a run to the recipients whose delivery failed, and to no one else: a new manual run of the same schedule and period. */
export async function resendFailed(state: State, runId: number): Promise<string> {
  const ledger = new Ledger(state.db);
  const run = ledger.run(runId);
  if (!run) throw Object.assign(new AppError(`no run ${runId}`, 'USAGE'), { statusCode: 404 });
  const failed = ledger.deliveries(runId).filter((d) => d.state === 'failed');
  if (!failed.length) return `Run ${runId} has no failed delivery; nothing re-sent`;
  const file = schedulesFile(state);
  const s = findSchedule(file, run.schedule_id);
  // The same recipients as before (their resource/company for personal copies), limited to those that failed.
  const known = new Map(resolveScheduleRecipients(state.db, file, s).map((r) => [r.address, r]));
  const role = 'resend-failed';
  // A failed summary card is posted again to its channel (same name in the ledger), not mailed.
  const channelDefs = new Map(Object.values(file.roles).flatMap((r) => r.channels ?? []).map((c) => [channelName(c), c]));
  const channels = [...new Set(failed.map((d) => channelDefs.get(d.recipient)).filter((c) => c !== undefined))];
  const recipients = failed.filter((d) => !channelDefs.has(d.recipient)).map((d) => {
    const r = known.get(d.recipient);
    return { address: d.recipient, ...(r?.name ? { name: r.name } : {}), ...(r?.resourceId != null ? { resourceId: r.resourceId } : {}), ...(r?.companyId != null ? { companyId: r.companyId } : {}) };
  });
  const copy: SchedulesFile = { ...file, roles: { ...file.roles, [role]: { recipients, ...(channels.length ? { channels } : {}) } }, schedules: file.schedules.map((x) => (x.id === s.id ? { ...x, roles: [role] } : x)) };
  return runWith(state, copy, copy.schedules.find((x) => x.id === s.id)!, run.due_at, `Re-sent run ${runId} to ${failed.length} failed recipient(s)`);
}

// ---- history and sync ----

function archivedFiles(state: State, scheduleId: string, dueAt: number): { name: string; href: string }[] {
  const root = state.cfg.paths.output;
  const rel = path.join('runs', scheduleId.replace(/[^a-zA-Z0-9._-]+/g, '-'), new Date(dueAt).toISOString().slice(0, 10));
  const out: { name: string; href: string }[] = [];
  const walk = (r: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, r), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(r, e.name);
      if (e.isDirectory() && depth < 1) walk(p, depth + 1);
      else if (e.isFile()) out.push({ name: p.slice(rel.length + 1), href: `/files/${p.split(path.sep).map(encodeURIComponent).join('/')}` });
    }
  };
  walk(rel, 0);
  return out.slice(0, 20);
}

/** Runs with each delivery and its failure; managers re-send to the failed recipients only. */
export function historyPage(state: State, session: WebSession, q: Record<string, string>): string {
  const rows = new Ledger(state.db).history({ limit: 50, failedOnly: q.failed === '1' });
  const canSend = RANK[session.user.role] >= 2;
  return state.templates.render('history', {
    page: pageInfo(state, session, 'Run history', '/history', q.msg ?? null), csrf: session.csrfToken,
    runs: rows.map(({ run, deliveries }) => {
      const failedCount = deliveries.filter((d) => d.state === 'failed').length;
      return {
        id: run.id, schedule: run.schedule_id, kind: run.kind, state: run.state, due: when(state, run.due_at), reason: run.reason,
        sent: deliveries.filter((d) => d.state === 'sent').length, total: deliveries.length,
        files: archivedFiles(state, run.schedule_id, run.due_at),
        deliveries: deliveries.map((d) => ({ recipient: d.recipient, state: d.state, attempts: d.attempts, sentAt: d.sent_at === null ? '—' : when(state, d.sent_at), error: d.state === 'sent' ? '' : d.last_error ?? '' })),
        canResend: canSend && failedCount > 0, failedCount, resendAction: `/history/${run.id}/resend`,
      };
    }),
  });
}

/** Last sync per entity and the recent sync runs. */
export function syncPage(state: State, session: WebSession): string {
  const runs = recentSyncRuns(state.db, 10);
  const entities = cursorStatuses(state.db);
  return state.templates.render('sync', {
    page: pageInfo(state, session, 'Sync status', '/sync'), lastSync: when(state, lastSyncAt(state.db)), daemon: state.daemonAlive() ? 'running' : 'not running',
    runs: runs.map((r) => ({ started: when(state, r.started_at), finished: when(state, r.finished_at), status: r.status, summary: summarise(r.summary) })),
    entities: entities.map((e) => ({ entity: e.entity, lastSuccess: when(state, e.last_success_at), phase: e.phase, error: e.last_error ?? '' })),
  });
}

function summarise(summary: string | null): string {
  if (!summary) return '';
  try {
    const s = JSON.parse(summary) as unknown;
    const list = Array.isArray(s) ? s : (s as { entities?: unknown[] }).entities;
    if (Array.isArray(list)) {
      const bad = list.filter((e) => (e as { ok?: boolean }).ok === false).length;
      const reqs = (s as { requests?: number }).requests;
      return `${list.length} entities${bad ? `, ${bad} failed` : ''}${typeof reqs === 'number' ? `, ${reqs} API requests` : ''}`;
    }
  } catch {
    // not JSON: shown as stored below
  }
  return summary.slice(0, 200);
}
