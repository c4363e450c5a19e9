import os from 'node:os';
import type { Statement } from 'better-sqlite3';
import type { EntityDef, FieldType } from '../autotask/entities.js';
import type { FieldInfo } from '../autotask/client.js';
import type { Instant } from '../types.js';
import type { Db } from './db.js';
import { rowsOf, valuesOf } from './rows.js';

/**
 * What the sync writes: entity rows, picklists, cursors, the sync run ledger and the state history.
 *
 * Every statement is prepared once per store. Writers here do not open transactions themselves (except
 * where noted): the sync wraps one page, its cursor move and its state records in one transaction, so
 * a sync killed at any instant leaves either the whole page or none of it.
 */

/** One stored column value. */
export type ColumnValue = string | number | null;

/** Where a pass of one entity stands (table `sync_cursors`). */
export interface SyncCursor {
  /** Entity REST name. */
  entity: string;
  /** Committed change-timestamp high-water mark of completed passes (ms), null before the first. */
  cursorTs: Instant | null;
  /** During a pass: the last committed id; after an incremental pass: the id at `cursorTs`. */
  cursorId: number | null;
  /** `initial` until the first complete pass, then `incremental`. */
  phase: 'initial' | 'incremental';
  /** Kind of the pass in progress, null when none is. */
  passKind: PassKind | null;
  /** Sync clock at the start of the pass in progress. */
  passStartedAt: Instant | null;
  /** Highest change timestamp committed in the pass in progress. */
  passMaxTs: Instant | null;
  /** Id of the record at `passMaxTs`. */
  passMaxId: number | null;
  /** Last time a pass of this entity completed. */
  lastSuccessAt: Instant | null;
  /** Message of the last failure, cleared by a success. */
  lastError: string | null;
}

/**
 * One id range of a pass read in parallel (table `sync_ranges`): the ids in `(lo, hi]`, committed up to
 * `cursorId`.
 */
export interface IdRange {
  /** Position of the range in the pass (0 = lowest ids). */
  no: number;
  /** Ids above this; null = from the first. */
  lo: number | null;
  /** Ids up to and including this; null = to the last. */
  hi: number | null;
  /** Last committed id of the range, null before its first page. */
  cursorId: number | null;
  /** Whether the range has been read to its end. */
  done: boolean;
}

/** How a pass reads an entity. */
export type PassKind = 'initial' | 'incremental' | 'full';

const enum T {
  Int,
  Float,
  Bool,
  Datetime,
  Date,
  String,
}

const TYPE_CODE: Record<FieldType, T> = { int: T.Int, float: T.Float, bool: T.Bool, datetime: T.Datetime, date: T.Date, string: T.String };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `YYYY-MM-DDTHH:MM:SS[.fff][Z]` without Date.parse (the hot path of every page), or NaN. */
function fastIsoUtc(v: string): number {
  const n = v.length;
  if (n < 19 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return NaN;
  const sep = v.charCodeAt(10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return NaN;
  for (const i of DIGIT_POS) if (!isDigit(v.charCodeAt(i))) return NaN;
  const d = (i: number) => v.charCodeAt(i) - 48;
  let i = 19;
  let ms = 0;
  if (i < n && v.charCodeAt(i) === 46) {
    i++;
    let scale = 100;
    while (i < n && isDigit(v.charCodeAt(i))) {
      ms += d(i) * scale;
      scale /= 10;
      i++;
    }
    ms = Math.floor(ms);
  }
  if (i < n) {
    const z = v.charCodeAt(i);
    if (!((z === 90 || z === 122) && i === n - 1)) return NaN; // an offset: let Date.parse handle it
  }
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const h = d(11) * 10 + d(12);
  const mi = d(14) * 10 + d(15);
  const sec = d(17) * 10 + d(18);
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 59) return NaN;
  return Date.UTC(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3), month - 1, day, h, mi, sec, ms);
}
const DIGIT_POS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** An Autotask datetime string as epoch ms; offset-less strings are UTC (Autotask never shifts). */
export function parseInstant(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const fast = fastIsoUtc(v);
  if (!Number.isNaN(fast)) return fast;
  const last = v.charCodeAt(v.length - 1);
  // 'Z' / 'z' or a numeric offset at the end: parse as is; otherwise append Z (Date.parse would use local time).
  const hasZone = last === 90 || last === 122 || /[+-]\d\d:?\d\d$/.test(v.slice(-6));
  const t = Date.parse(hasZone || v.length <= 10 ? v : `${v}Z`);
  return Number.isNaN(t) ? null : t;
}

function convert(code: T, v: unknown): ColumnValue {
  if (v === null || v === undefined) return null;
  switch (code) {
    case T.Int:
      if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v === '') return null;
      {
        const n = Number(v);
        return Number.isFinite(n) ? Math.trunc(n) : null;
      }
    case T.Float:
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (v === '') return null;
      {
        const n = Number(v);
        return Number.isFinite(n) ? n : null;
      }
    case T.Bool:
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'number') return v ? 1 : 0;
      if (typeof v === 'string') return v === '' ? null : v === '1' || v.toLowerCase() === 'true' ? 1 : 0;
      return null;
    case T.Datetime:
      return parseInstant(v);
    case T.Date:
      if (typeof v !== 'string' || v.length < 10) return null;
      return v.slice(0, 10);
    case T.String:
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** Row values of a record in catalogue field order, then `raw` (its JSON, given or stringified) and `synced_at`. */
export function rowOf(e: EntityDef, record: Record<string, unknown>, syncedAt: Instant, raw?: string, into?: ColumnValue[]): ColumnValue[] {
  const out: ColumnValue[] = into ?? new Array(e.fields.length + 2);
  for (let i = 0; i < e.fields.length; i++) {
    const f = e.fields[i]!;
    out[i] = convert(TYPE_CODE[f.type], record[f.name]);
  }
  out[e.fields.length] = raw ?? JSON.stringify(record);
  out[e.fields.length + 1] = syncedAt;
  return out;
}

/** The upsert statement text of an entity (catalogue columns, raw, synced_at). */
export function upsertSqlOf(e: EntityDef): string {
  const cols = [...e.fields.map((f) => `"${f.name}"`), 'raw', 'synced_at'];
  const updates = cols.filter((c) => c !== '"id"').map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${e.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}`;
}

interface CursorRow {
  entity: string;
  cursor_ts: number | null;
  cursor_id: number | null;
  phase: string;
  pass_kind: string | null;
  pass_started_at: number | null;
  pass_max_ts: number | null;
  pass_max_id: number | null;
  last_success_at: number | null;
  last_error: string | null;
}

/** State fields of a ticket state record. */
interface TicketState {
  status: number | null;
  queue_id: number | null;
  assigned_resource_id: number | null;
  priority: number | null;
}

/** The store as the sync sees it. */
export interface SyncStore {
  /** The handle (for transactions spanning several writers). */
  readonly db: Db;
  /**
   * Upserts records into the entity table; returns how many. `raw`, aligned with `records`, is each
   * record's JSON text as received (stringified when absent). No transaction of its own.
   */
  upsertRecords(e: EntityDef, records: readonly Record<string, unknown>[], syncedAt: Instant, raw?: readonly string[]): number;
  /** Appends ticket state records for tickets whose tracked fields changed (kpi-spec §3). */
  recordTicketStates(records: readonly Record<string, unknown>[], syncedAt: Instant): number;
  /** Appends opportunity state records for opportunities whose stage/status changed. */
  recordOpportunityStates(records: readonly Record<string, unknown>[], syncedAt: Instant): number;
  /** Removes tickets and everything hanging off them (time entries, states, service-call links). */
  deleteTickets(ticketIds: readonly number[]): number;
  /** Deletes rows of `e` by id; returns how many. */
  deleteIds(e: EntityDef, ids: readonly number[]): number;
  /** Deletes rows of `e` not written since `before` (rows a completed full read did not see). */
  deleteNotSyncedSince(e: EntityDef, before: Instant): number[];
  /** Upserts the picklists of an entity's fields (one transaction). Returns values written. */
  upsertPicklists(entity: string, fields: readonly FieldInfo[]): number;
  /** The cursor of an entity (a fresh one when none is stored). */
  getCursor(entity: string): SyncCursor;
  /** Writes a cursor. No transaction of its own. */
  putCursor(c: SyncCursor, now: Instant): void;
  /** The id ranges of the entity's pass in progress, in order (empty when it is read as one sequence). */
  getRanges(entity: string): IdRange[];
  /** Replaces the entity's id ranges (none: the pass is read as one sequence). No transaction of its own. */
  putRanges(entity: string, ranges: readonly IdRange[]): void;
  /** Writes one range's progress. No transaction of its own. */
  putRange(entity: string, range: IdRange): void;
  /** Records a failure on the cursor without moving it. */
  noteError(entity: string, message: string, now: Instant): void;
  /**
   * Starts a sync run row; returns its id. Runs left `working` by a process of this host that is gone
   * (killed mid-sync) are marked `interrupted` first, so the ledger never shows a sync working forever.
   */
  startRun(now: Instant): number;
  /** Finishes a sync run row. */
  finishRun(id: number, now: Instant, status: 'ok' | 'partial' | 'failed', summary: unknown): void;
  /** Runs `fn` in one IMMEDIATE transaction. */
  tx<R>(fn: () => R): R;
  /** A sync note kept between runs (`sync.swept_at.<Entity>`, `sync.picklists_at.<Entity>`): an instant, or null. */
  getInstant(key: string): Instant | null;
  /** Writes such a note. No transaction of its own. */
  putInstant(key: string, at: Instant): void;
  /** Rows of an entity's table. */
  rowCount(e: EntityDef): number;
  /** The latest `synced_at` of an entity's table (null when empty). */
  lastSyncedAt(e: EntityDef): Instant | null;
  /** Ids of an entity's rows written before `before`. */
  idsSyncedBefore(e: EntityDef, before: Instant): number[];
  /** Ids of the time entries whose `column` (ticketID or taskID) is `parent`. */
  timeEntryIdsOf(column: 'ticketID' | 'taskID', parent: number): number[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the sync's store writer over an open database. */
export function createSyncStore(db: Db): SyncStore {
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const putMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const byTicket = db.prepare('SELECT id FROM time_entries WHERE ticketID = ?').pluck();
  const byTask = db.prepare('SELECT id FROM time_entries WHERE taskID = ?').pluck();
  const upserts = new Map<string, Statement>();
  const upsertFor = (e: EntityDef): Statement => {
    let s = upserts.get(e.table);
    if (!s) upserts.set(e.table, (s = db.prepare(upsertSqlOf(e))));
    return s;
  };

  // One lookup per page (json_each of the page's ids) instead of one per record.
  const lastTicketStates = db.prepare(`SELECT ticket_id, status, queue_id, assigned_resource_id, priority FROM ticket_states
    WHERE id IN (SELECT max(id) FROM ticket_states WHERE ticket_id IN (SELECT value FROM json_each(?)) GROUP BY ticket_id)`);
  const insTicketState = db.prepare(`INSERT INTO ticket_states
    (ticket_id, changed_at, status, queue_id, assigned_resource_id, priority, completed_date, completed_by_resource_id, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const lastOppStates = db.prepare(`SELECT opportunity_id, stage, status FROM opportunity_states
    WHERE id IN (SELECT max(id) FROM opportunity_states WHERE opportunity_id IN (SELECT value FROM json_each(?)) GROUP BY opportunity_id)`);
  const insOppState = db.prepare('INSERT INTO opportunity_states (opportunity_id, changed_at, stage, status, recorded_at) VALUES (?, ?, ?, ?, ?)');

  const delTicket = db.prepare('DELETE FROM tickets WHERE id = ?');
  const delTicketTime = db.prepare('DELETE FROM time_entries WHERE ticketID = ?');
  const delTicketStates = db.prepare('DELETE FROM ticket_states WHERE ticket_id = ?');
  const delTicketCalls = db.prepare('DELETE FROM service_call_tickets WHERE ticketID = ?');

  const upPick = db.prepare(`INSERT INTO picklists (entity, field, value, label, is_active, is_system, parent_value, sort_order)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(entity, field, value) DO UPDATE SET label = excluded.label, is_active = excluded.is_active,
      is_system = excluded.is_system, parent_value = excluded.parent_value, sort_order = excluded.sort_order`);

  const getCur = db.prepare('SELECT * FROM sync_cursors WHERE entity = ?');
  const putCur = db.prepare(`INSERT INTO sync_cursors
    (entity, cursor_ts, cursor_id, phase, pass_kind, pass_started_at, pass_max_ts, pass_max_id, last_success_at, last_error, updated_at)
    VALUES (@entity, @cursorTs, @cursorId, @phase, @passKind, @passStartedAt, @passMaxTs, @passMaxId, @lastSuccessAt, @lastError, @now)
    ON CONFLICT(entity) DO UPDATE SET cursor_ts = excluded.cursor_ts, cursor_id = excluded.cursor_id, phase = excluded.phase,
      pass_kind = excluded.pass_kind, pass_started_at = excluded.pass_started_at, pass_max_ts = excluded.pass_max_ts,
      pass_max_id = excluded.pass_max_id, last_success_at = excluded.last_success_at, last_error = excluded.last_error,
      updated_at = excluded.updated_at`);
  const noteErr = db.prepare(`INSERT INTO sync_cursors (entity, phase, last_error, updated_at) VALUES (?, 'initial', ?, ?)
    ON CONFLICT(entity) DO UPDATE SET last_error = excluded.last_error, updated_at = excluded.updated_at`);

  const getRanges = db.prepare('SELECT range_no, lo, hi, cursor_id, done FROM sync_ranges WHERE entity = ? ORDER BY range_no');
  const delRanges = db.prepare('DELETE FROM sync_ranges WHERE entity = ?');
  const putRange = db.prepare(`INSERT INTO sync_ranges (entity, range_no, lo, hi, cursor_id, done) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(entity, range_no) DO UPDATE SET lo = excluded.lo, hi = excluded.hi, cursor_id = excluded.cursor_id, done = excluded.done`);

  const insRun = db.prepare(`INSERT INTO sync_runs (started_at, status, summary) VALUES (?, 'working', ?)`);
  const workingRuns = db.prepare(`SELECT id, summary FROM sync_runs WHERE status = 'working'`);
  const markInterrupted = db.prepare(`UPDATE sync_runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'working'`);
  const finRun = db.prepare('UPDATE sync_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?');

  const int = (v: unknown): number | null => convert(T.Int, v) as number | null;

  const store: SyncStore = {
    db,

    upsertRecords(e, records, syncedAt, raw) {
      const stmt = upsertFor(e);
      // One buffer per call: better-sqlite3 copies bound values, so reusing it saves an allocation per row.
      const buf: ColumnValue[] = new Array(e.fields.length + 2);
      const useRaw = raw && raw.length === records.length;
      for (let i = 0; i < records.length; i++) stmt.run(rowOf(e, records[i]!, syncedAt, useRaw ? raw[i] : undefined, buf));
      return records.length;
    },

    recordTicketStates(records, syncedAt) {
      let n = 0;
      const lastById = new Map<number, TicketState>();
      for (const row of lastTicketStates.all(JSON.stringify(records.map((r) => int(r.id)))) as (TicketState & { ticket_id: number })[]) lastById.set(row.ticket_id, row);
      for (const r of records) {
        const id = int(r.id);
        if (id === null) continue;
        const s: TicketState = { status: int(r.status), queue_id: int(r.queueID), assigned_resource_id: int(r.assignedResourceID), priority: int(r.priority) };
        const last = lastById.get(id);
        if (last && last.status === s.status && last.queue_id === s.queue_id && last.assigned_resource_id === s.assigned_resource_id && last.priority === s.priority) continue;
        const changedAt = parseInstant(r.lastActivityDate) ?? syncedAt;
        insTicketState.run(id, changedAt, s.status, s.queue_id, s.assigned_resource_id, s.priority, parseInstant(r.completedDate), int(r.completedByResourceID), syncedAt);
        lastById.set(id, s); // a page may carry the same id twice
        n++;
      }
      return n;
    },

    recordOpportunityStates(records, syncedAt) {
      let n = 0;
      const lastById = new Map<number, { stage: number | null; status: number | null }>();
      for (const row of lastOppStates.all(JSON.stringify(records.map((r) => int(r.id)))) as { opportunity_id: number; stage: number | null; status: number | null }[]) lastById.set(row.opportunity_id, row);
      for (const r of records) {
        const id = int(r.id);
        if (id === null) continue;
        const stage = int(r.stage);
        const status = int(r.status);
        const last = lastById.get(id);
        if (last && last.stage === stage && last.status === status) continue;
        // The first record of an opportunity dates from its creation: it has been in that stage since.
        const changedAt = (last ? parseInstant(r.lastActivity) : parseInstant(r.createDate) ?? parseInstant(r.lastActivity)) ?? syncedAt;
        insOppState.run(id, changedAt, stage, status, syncedAt);
        lastById.set(id, { stage, status });
        n++;
      }
      return n;
    },

    deleteTickets(ids) {
      let n = 0;
      for (const id of ids) {
        n += delTicket.run(id).changes;
        delTicketTime.run(id);
        delTicketStates.run(id);
        delTicketCalls.run(id);
      }
      return n;
    },

    deleteIds(e, ids) {
      if (!ids.length) return 0;
      const del = db.prepare(`DELETE FROM ${e.table} WHERE id = ?`);
      let n = 0;
      for (const id of ids) n += del.run(id).changes;
      return n;
    },

    deleteNotSyncedSince(e, before) {
      const ids = (db.prepare(`SELECT id FROM ${e.table} WHERE synced_at < ?`).pluck().all(before) as number[]);
      if (ids.length) db.prepare(`DELETE FROM ${e.table} WHERE synced_at < ?`).run(before);
      return ids;
    },

    upsertPicklists(entity, fields) {
      let n = 0;
      db.transaction(() => {
        for (const f of fields) {
          if (!f.isPickList || !Array.isArray(f.picklistValues)) continue;
          for (const v of f.picklistValues) {
            const value = int(v.value);
            if (value === null) continue;
            upPick.run(entity, f.name, value, String(v.label ?? ''), v.isActive === false ? 0 : 1, v.isSystem ? 1 : 0,
              int(v.parentValue), int(v.sortOrder));
            n++;
          }
        }
      }).immediate();
      return n;
    },

    getCursor(entity) {
      const r = getCur.get(entity) as CursorRow | undefined;
      if (!r) {
        return { entity, cursorTs: null, cursorId: null, phase: 'initial', passKind: null, passStartedAt: null, passMaxTs: null, passMaxId: null, lastSuccessAt: null, lastError: null };
      }
      return {
        entity,
        cursorTs: r.cursor_ts,
        cursorId: r.cursor_id,
        phase: r.phase === 'incremental' ? 'incremental' : 'initial',
        passKind: (r.pass_kind as PassKind | null) ?? null,
        passStartedAt: r.pass_started_at,
        passMaxTs: r.pass_max_ts,
        passMaxId: r.pass_max_id,
        lastSuccessAt: r.last_success_at,
        lastError: r.last_error,
      };
    },

    putCursor(c, now) {
      putCur.run({ ...c, now });
    },

    getRanges(entity) {
      return (getRanges.all(entity) as { range_no: number; lo: number | null; hi: number | null; cursor_id: number | null; done: number }[])
        .map((r) => ({ no: r.range_no, lo: r.lo, hi: r.hi, cursorId: r.cursor_id, done: r.done === 1 }));
    },

    putRanges(entity, ranges) {
      delRanges.run(entity);
      for (const r of ranges) putRange.run(entity, r.no, r.lo, r.hi, r.cursorId, r.done ? 1 : 0);
    },

    putRange(entity, r) {
      putRange.run(entity, r.no, r.lo, r.hi, r.cursorId, r.done ? 1 : 0);
    },

    noteError(entity, message, now) {
      noteErr.run(entity, message, now);
    },

    startRun(now) {
      const host = os.hostname();
      for (const r of workingRuns.all() as { id: number; summary: string | null }[]) {
        let owner: { pid?: number; host?: string } = {};
        try {
          owner = JSON.parse(r.summary ?? '{}');
        } catch {
          // unreadable: leave it alone
        }
        if (owner.host === host && typeof owner.pid === 'number' && owner.pid !== process.pid && !alive(owner.pid)) markInterrupted.run(now, r.id);
      }
      return Number(insRun.run(now, JSON.stringify({ pid: process.pid, host })).lastInsertRowid);
    },

    finishRun(id, now, status, summary) {
      finRun.run(now, status, JSON.stringify(summary), id);
    },

    tx(fn) {
      return db.transaction(fn).immediate();
    },

    getInstant(key) {
      const v = Number(getMeta.get(key) ?? NaN);
      return Number.isFinite(v) ? v : null;
    },

    putInstant(key, at) {
      putMeta.run(key, String(at));
    },

    rowCount(e) {
      return db.prepare(`SELECT count(*) FROM ${e.table}`).pluck().get() as number;
    },

    lastSyncedAt(e) {
      return (db.prepare(`SELECT max(synced_at) FROM ${e.table}`).pluck().get() as number | null) ?? null;
    },

    idsSyncedBefore(e, before) {
      return db.prepare(`SELECT id FROM ${e.table} WHERE synced_at < ?`).pluck().all(before) as number[];
    },

    timeEntryIdsOf(column, parent) {
      return (column === 'ticketID' ? byTicket : byTask).all(parent) as number[];
    },
  };
  return store;
}

// ---- status (read by the web pages, `check` and the reports' "last sync" line) ----

/** One row of `sync_runs`. */
export interface SyncRunRow {
  id: number;
  started_at: Instant;
  finished_at: Instant | null;
  /** working | ok | partial | failed | interrupted */
  status: string;
  /** JSON per-entity results. */
  summary: string | null;
}

/** Where each entity's sync stands, as shown to an operator (columns of `sync_cursors`). */
export interface CursorStatusRow {
  entity: string;
  last_success_at: Instant | null;
  phase: SyncCursor['phase'];
  last_error: string | null;
}

/** When the last sync that completed (ok or partial) finished, or null when none has. */
export function lastCompletedSyncAt(db: Db): Instant | null {
  return valuesOf<Instant | null>(db, `SELECT MAX(finished_at) FROM sync_runs WHERE status IN ('ok', 'partial')`).get() ?? null;
}

/** The latest `limit` sync runs, newest first. */
export function recentSyncRuns(db: Db, limit: number): SyncRunRow[] {
  return rowsOf<SyncRunRow>(db, 'SELECT id, started_at, finished_at, status, summary FROM sync_runs ORDER BY id DESC LIMIT ?').all(limit);
}

/** Every entity's sync status, by entity name. */
export function cursorStatuses(db: Db): CursorStatusRow[] {
  return rowsOf<CursorStatusRow>(db, 'SELECT entity, last_success_at, phase, last_error FROM sync_cursors ORDER BY entity').all();
}
