import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../config.js';
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';
import { allRows, rowsOf, withRows, type Rows } from '../store/rows.js';
import { holidayDates } from '../store/tenant.js';
import { changeCounters, countedTables } from '../store/period-cache.js';
import type { CalendarDate, Instant, Window } from '../types.js';
import { createBusinessHours, type BusinessHours } from './business-hours.js';
import { loadTicketHistory, type TicketHistory } from './history.js';
import { loadPicklists, norm, type Picklists } from './labels.js';
import { firstDayAtOrAfter, loadCapacity, loadResourceBase, type Capacity, type ResourceBase } from './resources.js';
import { dateOf, dayStart } from './time.js';
import { materialiseWorkflows, workflowList, type Workflow } from './workflows.js';

/**
 * What a report's `compute` sees. Everything is synchronous and read-only.
 *
 * SQL files: `ctx.query()` runs `reports/<id>.sql`, `ctx.query('x')` runs `reports/<id>.x.sql`, with the
 * named parameters of `ctx.params` (plus any extra given). Parameters:
 * - `:from`, `:to` (ms; window, or both = `:asOf` for point-in-time reports), `:asOf` (ms)
 * - `:fromDay`, `:toDay`: the dates whose 00:00 lies in [from, to) are exactly `fromDay ≤ d < toDay`
 * - `:today` (date of T in the zone)
 * - label lists as JSON arrays of normalised labels (`:completeStatuses`, `:completeTaskStatuses`,
 *   `:escalationStatuses`, `:escalationQueues`, `:scheduledStatuses`, `:onHoldStatuses`,
 *   `:managedContractTypes`, `:endpointTypes`, `:serviceRevenueItemTypes`), to use as
 *   `pl('Tickets','status',t.status) IN (SELECT value FROM json_each(:completeStatuses))`
 * - the same lists as JSON arrays of picklist values (ids whose label matches, inactive values included),
 *   cheaper than calling `pl()` on every row of a scan: `:completeStatusValues`, `:scheduledStatusValues`,
 *   `:onHoldStatusValues`, `:escalationStatusValues` (Tickets.status), `:escalationQueueValues`
 *   (Tickets.queueID), `:completeTaskStatusValues` (Tasks.status), `:managedContractTypeValues`,
 *   `:endpointTypeValues`, `:serviceRevenueItemTypeValues`; use as
 *   `COALESCE(t.status IN (SELECT value FROM json_each(:completeStatusValues)), 0) = 0` for "not complete"
 * - `:laborItemTypeValues`: BillingItems.billingItemType values labelled Labor or Labor Adjustment (kpi-spec §7)
 * - numbers: `:backlogDays`, `:reopenDays`, `:rtteMinutes`, `:stuckDays`, `:defaultDailyHours`,
 *   `:fcrMaxBusinessHours`, `:forecastWeeks`, `:targetUtilization`; `:salesEngineeringStage` (normalised).
 * SQL functions: `pl(entity, field, value)` → normalised label or NULL; `day_ms(date)` → 00:00 of the date
 * in the zone (ms); `work_ms(startDateTime, dateWorked)` → the work instant of a time entry;
 * `local_date(ms)` → calendar date in the zone. Temp table `ticket_wf(ticket_id, workflow, reactive, fcr,
 * backlog)` classifies every ticket (kpi-spec §2).
 */
export interface ReportContext {
  /** Report id. */
  id: string;
  /** The store (read it; never write). */
  db: Db;
  /** Settings. */
  settings: Settings;
  /** Time zone. */
  tz: string;
  /** As-of instant T. */
  asOf: Instant;
  /** Calendar date of T. */
  today: CalendarDate;
  /**
   * True while computing a past period of a trend: only its metrics (and the trend metrics of its rows per
   * resource) are kept, its warnings, charts and lists are dropped, so work done only for those may be skipped.
   */
  trendPeriod: boolean;
  /** The window, or null for point-in-time reports. */
  window: Window | null;
  /** Named SQL parameters (see above). */
  params: Record<string, string | number | null>;
  /** Runs a SQL file of this report; rows as objects. */
  query<T = Record<string, unknown>>(name?: string, extra?: Record<string, string | number | null>): T[];
  /**
   * Runs a SQL file of another report of the package (`reports/<id>.sql` or `reports/<id>.<name>.sql`), so
   * reports that share a definition (e.g. the forecast weeks) share one SQL text instead of copies.
   */
  queryFrom<T = Record<string, unknown>>(id: string, name?: string, extra?: Record<string, string | number | null>): T[];
  /** Picklist labels. */
  picklists: Picklists;
  /** The workflows in settings order, then Unclassified. */
  workflows: Workflow[];
  /** Business hours between two instants. */
  bh(a: Instant, b: Instant): number;
  /** Ticket state history (kpi-spec §3), loaded on first use. */
  history(): TicketHistory;
  /** Resources, availability and service resources. */
  capacity(): Capacity;
  /** 00:00 of a date in the zone. */
  dayStart(date: CalendarDate): Instant;
  /** Calendar date of an instant in the zone. */
  dateOf(t: Instant): CalendarDate;
  /** First date whose 00:00 is at or after t. */
  firstDayAtOrAfter(t: Instant): CalendarDate;
  /** Target of a metric: settings.targets["<id>.<metric>"], else the given default. */
  target(metric: string, fallback?: number): number | null;
  /**
   * Computes a value once per session and as-of instant, for reports that derive the same thing (e.g. the
   * service forecast). `key` must name everything else the value depends on; the value must not be mutated.
   */
  shared<T>(key: string, make: () => T): T;
}

/** Folder of the package (holds reports/ and templates/), found from this file in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'reports'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new AppError('cannot find the psa-reports package folder (with reports/)', 'INTERNAL');
    dir = up;
  }
}

/**
 * What one computation read, recorded while it runs so that its result can be reused while none of it
 * changed (the past-period cache): the counted tables, the SQL texts, and whether it looked at the as-of
 * instant (a past period that did depends on when it is viewed, not only on its window).
 */
export interface Reads {
  /** Counted tables read. */
  tables: Set<string>;
  /** Read the store in a way not followed (ctx.db, ctx.shared): depends on every table. */
  all: boolean;
  /** Read the as-of instant or date. */
  asOf: boolean;
  /** SQL file → its text, for every file run. */
  sql: Map<string, string>;
}

/** A fresh, empty record of reads. */
export function newReads(): Reads {
  return { tables: new Set(), all: false, asOf: false, sql: new Map() };
}

/** Tables named in a SQL text (word match over the counted tables; ticket_wf is made from tickets). */
const tablesOfText = new Map<string, string[]>();
function tablesIn(text: string, counted: string[]): string[] {
  let t = tablesOfText.get(text);
  if (!t) {
    const lower = text.toLowerCase();
    t = counted.filter((name) => new RegExp(`\\b${name}\\b`).test(lower));
    if (/\bticket_wf\b/.test(lower)) t.push('tickets');
    tablesOfText.set(text, t);
  }
  return t;
}

/**
 * Values kept per as-of instant. A session lives from one store change to the next, and the web app asks for
 * "now" on every request: the oldest values go beyond this many, so a quiet store does not grow the cache.
 */
const PER_AS_OF_KEPT = 256;
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  while (map.size > PER_AS_OF_KEPT) map.delete(map.keys().next().value!);
}

/** Whether a SQL text names a parameter (:name, @name, $name) outside its comments; doubtful cases count as yes. */
function hasParameters(text: string): boolean {
  return /[:@$?]/.test(text.replace(/--[^\n]*/g, '').replace(/'[^']*'/g, "''"));
}

/** Shared, per-computation state: loaded once for all reports of one call. */
export interface Session {
  db: Db;
  settings: Settings;
  picklists: Picklists;
  bh: BusinessHours;
  holidays: Set<CalendarDate>;
  historyCache: TicketHistory | null;
  capacityCache: Map<Instant, Capacity>;
  /** Resources' names and availability, read once for every as-of instant's capacity. */
  resourceBase: ResourceBase | null;
  sharedCache: Map<string, unknown>;
  sqlCache: Map<string, string>;
  /** Rows of the queries without parameters, by SQL text (frozen, shared by every caller in the session). */
  resultCache: Map<string, readonly unknown[]>;
  sqlDir: string;
  /** Change counters at the session's start (null: the store has none, so nothing is cached). */
  counters: Map<string, number> | null;
  /** What the making of each shared value read (as-of|key → reads), merged into every later user's. */
  sharedReads: Map<string, Reads>;
}

/**
 * The last session opened on each connection, with what it was made from. The SQL functions and the workflow
 * temp table belong to the connection, so only the last session opened on it can be reused.
 */
const lastSessions = new WeakMap<Db, { key: string; session: Session }>();

function sessionKey(settings: Settings, sqlDir: string, counters: Map<string, number> | null): string | null {
  return counters ? JSON.stringify([settings, sqlDir, [...counters]]) : null;
}

/**
 * The session of the previous call on this connection when nothing it was made from changed: the same
 * settings and reports folder, and every counted table unchanged (store/period-cache.ts). Between two syncs
 * the web app's requests then share the workflow table, the ticket history and the resources already read,
 * instead of paying for them on each page. Anything else opens a new session.
 */
export function reuseSession(db: Db, settings: Settings, sqlDir = path.join(packageRoot(), 'reports')): Session {
  const counters = changeCounters(db);
  const key = sessionKey(settings, sqlDir, counters);
  const last = lastSessions.get(db);
  if (key !== null && last && last.key === key) {
    // SQL texts are read again: an edited report file is never run from memory.
    last.session.sqlCache = new Map();
    return last.session;
  }
  return openSession(db, settings, sqlDir, counters);
}

/** Prepares a session: picklists, holidays, SQL functions and the workflow temp table. */
export function openSession(db: Db, settings: Settings, sqlDir = path.join(packageRoot(), 'reports'), counters = changeCounters(db)): Session {
  const picklists = loadPicklists(db);
  const holidays = new Set(holidayDates(db).map((d) => d.slice(0, 10)));
  const tz = settings.timezone;
  db.function('pl', { deterministic: true }, (entity: unknown, field: unknown, value: unknown) =>
    typeof value === 'number' || typeof value === 'bigint' ? picklists.normLabel(String(entity), String(field), Number(value)) : null);
  db.function('day_ms', { deterministic: true }, (d: unknown) => (typeof d === 'string' && d.length >= 10 ? dayStart(d.slice(0, 10), tz) : null));
  db.function('work_ms', { deterministic: true }, (s: unknown, d: unknown) =>
    s !== null && s !== undefined ? Number(s) : typeof d === 'string' && d.length >= 10 ? dayStart(d.slice(0, 10), tz) : null);
  db.function('local_date', { deterministic: true }, (t: unknown) => (t === null || t === undefined ? null : dateOf(Number(t), tz)));
  materialiseWorkflows(db, settings, picklists);
  const session: Session = {
    db, settings, picklists, holidays,
    bh: createBusinessHours(settings, holidays),
    historyCache: null,
    capacityCache: new Map(),
    resourceBase: null,
    sharedCache: new Map(),
    sqlCache: new Map(),
    resultCache: new Map(),
    sqlDir,
    counters,
    sharedReads: new Map(),
  };
  const key = sessionKey(settings, sqlDir, counters);
  if (key === null) lastSessions.delete(db);
  else lastSessions.set(db, { key, session });
  return session;
}

const LIST_PARAMS = ['completeStatuses', 'completeTaskStatuses', 'escalationStatuses', 'escalationQueues', 'scheduledStatuses',
  'onHoldStatuses', 'managedContractTypes', 'endpointTypes', 'serviceRevenueItemTypes'] as const;
/** Value-list parameters: name → the picklist field its labels are matched on, and the settings list. */
const VALUE_PARAMS: [string, string, string, (typeof LIST_PARAMS)[number]][] = [
  ['completeStatusValues', 'Tickets', 'status', 'completeStatuses'],
  ['scheduledStatusValues', 'Tickets', 'status', 'scheduledStatuses'],
  ['onHoldStatusValues', 'Tickets', 'status', 'onHoldStatuses'],
  ['escalationStatusValues', 'Tickets', 'status', 'escalationStatuses'],
  ['escalationQueueValues', 'Tickets', 'queueID', 'escalationQueues'],
  ['completeTaskStatusValues', 'Tasks', 'status', 'completeTaskStatuses'],
  ['managedContractTypeValues', 'Contracts', 'contractType', 'managedContractTypes'],
  ['endpointTypeValues', 'ConfigurationItems', 'configurationItemType', 'endpointTypes'],
  ['serviceRevenueItemTypeValues', 'BillingItems', 'billingItemType', 'serviceRevenueItemTypes'],
];
const NUM_PARAMS = ['backlogDays', 'reopenDays', 'rtteMinutes', 'stuckDays', 'defaultDailyHours', 'fcrMaxBusinessHours',
  'forecastWeeks', 'targetUtilization'] as const;

/** Builds the context of one report computation. */
export function createContext(s: Session, id: string, asOf: Instant, window: Window | null, reads?: Reads, trendPeriod = false): ReportContext {
  const { settings, db } = s;
  const tz = settings.timezone;
  const from = window?.from ?? asOf;
  const to = window?.to ?? asOf;
  const params: Record<string, string | number | null> = {
    from, to, asOf,
    fromDay: firstDayAtOrAfter(from, tz),
    toDay: firstDayAtOrAfter(to, tz),
    today: dateOf(asOf, tz),
    salesEngineeringStage: norm(settings.salesEngineeringStage),
  };
  for (const k of LIST_PARAMS) params[k] = JSON.stringify((settings[k] as string[]).map(norm));
  for (const [name, entity, field, k] of VALUE_PARAMS) params[name] = JSON.stringify(s.picklists.valuesOf(entity, field, settings[k] as string[]));
  params.laborItemTypeValues = JSON.stringify(s.picklists.valuesOf('BillingItems', 'billingItemType', ['Labor', 'Labor Adjustment']));
  for (const k of NUM_PARAMS) params[k] = settings[k] as number;
  const stmtCache = new Map<string, Rows<unknown>>();
  const run = <T>(sqlId: string, name: string | undefined, extra: Record<string, string | number | null> | undefined): T[] => {
    const file = path.join(s.sqlDir, `${sqlId}${name ? `.${name}` : ''}.sql`);
    let text = s.sqlCache.get(file);
    if (text === undefined) {
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new AppError(`${file}: cannot read the report's SQL file`, 'REPORT_INVALID', { cause: e });
      }
      s.sqlCache.set(file, text);
    }
    if (reads) {
      reads.sql.set(file, text);
      for (const t of tablesIn(text, countedTables())) reads.tables.add(t);
      if (/[:@$](asOf|today)\b/.test(text)) reads.asOf = true;
    }
    let stmt = stmtCache.get(file);
    if (!stmt) {
      try {
        stmt = rowsOf<unknown>(db, text);
      } catch (e) {
        throw new AppError(`${file}: ${(e as Error).message}`, 'REPORT_INVALID', { cause: e });
      }
      stmtCache.set(file, stmt);
    }
    // A query without parameters answers the same for every period and report until the store changes,
    // which ends the session: run once per session (the trend's past periods of escalation, reopen and FCR
    // rate each read the same workflow's tickets). Its rows are frozen, as they are shared.
    if (!extra && !hasParameters(text)) {
      const hit = s.resultCache.get(text);
      if (hit) return hit as T[];
      const rows = Object.freeze(allRows(withRows<T, [Record<string, unknown>]>(stmt), params).map((r) => Object.freeze(r))) as T[];
      s.resultCache.set(text, rows);
      return rows;
    }
    // The report declares the type of its SQL file's rows (ctx.query<T>): this is where it is taken.
    return allRows(withRows<T, [Record<string, unknown>]>(stmt), extra ? { ...params, ...extra } : params);
  };
  const ctx: ReportContext = {
    id, db, settings, tz, asOf, window, params, trendPeriod,
    today: params.today as string,
    picklists: s.picklists,
    workflows: workflowList(settings),
    bh: (a, b) => s.bh.bh(a, b),
    history: () => (s.historyCache ??= loadTicketHistory(db, settings, s.picklists)),
    capacity: () => {
      let c = s.capacityCache.get(asOf);
      if (!c) { c = loadCapacity(db, settings, asOf, s.holidays, (s.resourceBase ??= loadResourceBase(db))); remember(s.capacityCache, asOf, c); }
      return c;
    },
    dayStart: (d) => dayStart(d, tz),
    dateOf: (t) => dateOf(t, tz),
    firstDayAtOrAfter: (t) => firstDayAtOrAfter(t, tz),
    target: (metric, fallback) => settings.targets[`${id}.${metric}`] ?? fallback ?? null,
    shared<T>(key: string, make: () => T): T {
      const k = `${asOf}|${key}`;
      if (s.sharedCache.has(k)) return s.sharedCache.get(k) as T;
      const v = make();
      remember(s.sharedCache, k, v);
      return v;
    },
    query<T>(name?: string, extra?: Record<string, string | number | null>): T[] {
      return run<T>(id, name, extra);
    },
    queryFrom<T>(other: string, name?: string, extra?: Record<string, string | number | null>): T[] {
      return run<T>(other, name, extra);
    },
  };
  return reads ? tracked(s, ctx, reads) : ctx;
}

/** The context, recording what its report reads (see Reads). Session-wide inputs (picklists, holidays) always count. */
function tracked(s: Session, ctx: ReportContext, reads: Reads): ReportContext {
  for (const t of ['picklists', 'holidays', 'holiday_sets']) reads.tables.add(t);
  const params = new Proxy(ctx.params, {
    get(target, key, receiver) {
      if (key === 'asOf' || key === 'today') reads.asOf = true;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return {
    ...ctx,
    params,
    get asOf() { reads.asOf = true; return ctx.asOf; },
    get today() { reads.asOf = true; return ctx.today; },
    get db() { reads.all = true; return ctx.db; },
    history() { reads.tables.add('ticket_states'); return ctx.history(); },
    capacity() {
      reads.tables.add('resources');
      reads.tables.add('resource_daily_availabilities');
      const c = ctx.capacity();
      return {
        ...c,
        // Service resources are those with time in the 56 days before T: they move with the as-of instant.
        serviceResources() { reads.asOf = true; reads.tables.add('time_entries'); return c.serviceResources(); },
      };
    },
    shared<T>(key: string, make: () => T): T {
      // make() runs on this tracked context, so its reads land in `reads`; they are kept for later users
      // of the value (a superset: everything read so far). A value made untracked counts as reading all.
      const k = `${ctx.asOf}|${key}`;
      const had = s.sharedCache.has(k);
      const v = ctx.shared(key, make);
      if (!had) s.sharedReads.set(k, { tables: new Set(reads.tables), all: reads.all, asOf: reads.asOf, sql: new Map(reads.sql) });
      else {
        const r = s.sharedReads.get(k);
        if (!r) { reads.all = true; reads.asOf = true; } else {
          for (const t of r.tables) reads.tables.add(t);
          for (const [f, text] of r.sql) reads.sql.set(f, text);
          reads.all ||= r.all;
          reads.asOf ||= r.asOf;
        }
      }
      return v;
    },
  };
}
