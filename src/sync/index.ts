import { ENTITIES, ENTITY_BY_NAME, changeFields, picklistFields, type EntityDef } from '../autotask/entities.js';
import { recordId, type AutotaskClient, type AutotaskRecord, type FieldInfo, type QueryPage } from '../autotask/client.js';
import { F, isoUtc, type Filter, type QueryBody } from '../autotask/filter.js';
import { AppError, toError, type ErrorCode } from '../errors.js';
import { createSyncStore, parseInstant, type IdRange, type PassKind, type SyncCursor, type SyncStore } from '../store/sync-store.js';
import type { Db } from '../store/db.js';
import type { Clock, Instant } from '../types.js';
import { checkRecords, rejectionNote, type RejectedRecord } from './records.js';
import { splitIds } from './ranges.js';
import { startCheckpointer } from '../store/checkpointer.js';

/**
 * Incremental sync of the entity catalogue into the store.
 *
 * Each entity is read in a *pass*: `initial` (everything, by ascending id), `incremental` (records
 * whose change timestamp is at or after the cursor minus an overlap, or empty), or `full` (everything,
 * then local rows the read did not see are removed). A pass commits page by page, each page together
 * with its cursor move and state records in one transaction, so a sync killed at any instant resumes
 * the same pass after the last committed id: nothing lost, nothing twice. An initial or full pass of a
 * large entity is read as a few id ranges at once (`sync_ranges`), each committing and resuming the same way.
 */

/** Options of one sync. */
export interface SyncOptions {
  /** Entities to sync (REST names); default: the whole catalogue. */
  entities?: string[];
  /** Re-read every entity completely and remove local rows no longer present. */
  full?: boolean;
  /** Incremental passes re-read this much before the cursor (ms). Must exceed the length of a pass. */
  overlapMs: number;
  /** The sync's clock (synced_at, recorded_at, state fallback times). */
  clock: Clock;
  /** Event sink. */
  onEvent?: (e: SyncEvent) => void;
  /** Entities synced at the same time (default 3). The client still keeps ≤ 3 in flight per endpoint. */
  concurrency?: number;
  /**
   * Id ranges read at once in an initial or full pass of a large entity (default 3, the requests Autotask
   * allows in flight per entity; 1 reads every entity as one sequence).
   */
  parallelRanges?: number;
  /** Entities with fewer rows than this are read as one sequence whatever `parallelRanges` says (default 5,000). */
  rangeMinRows?: number;
  /** Ask `query/count` for each pass's total (progress bars); costs one request per entity. */
  counts?: boolean;
  /** Picklists read more recently than this are not read again (default 1 hour; `full` always reads). */
  picklistMaxAgeMs?: number;
  /**
   * Entities without a deletion log are swept for vanished rows (an ids-only read) when the last sweep is
   * older than this (default 24 hours; 0 sweeps on every sync).
   */
  sweepMaxAgeMs?: number;
  /**
   * Entities with at most this many local rows are swept on every sync whatever `sweepMaxAgeMs` says: their
   * ids-only read is a few requests, and a deleted appointment or service call leaves at once (default
   * 5,000 rows = 10 requests; 0 turns it off).
   */
  sweepSmallRows?: number;
  /**
   * Client for the first request (ThresholdInformation), which proves the credentials and the connection
   * before any entity: the CLI gives it fewer retries so a wrong host fails in seconds, not minutes. Its
   * requests count in the summary. Default: the sync's client.
   */
  probe?: AutotaskClient;
}

/** Outcome of one entity. */
export interface EntitySyncResult {
  /** Entity REST name. */
  entity: string;
  /** Whether the entity (and its picklists) synced. */
  ok: boolean;
  /** The pass that ran, or `skipped` when a credentials error stopped the sync first. */
  pass: PassKind | 'skipped';
  /** Records written. */
  rows: number;
  /** Local rows removed (full passes, deletion logs). */
  deleted: number;
  /** State records appended (tickets, opportunities). */
  stateRecords: number;
  /** Picklist values written. */
  picklistValues: number;
  /** Requests made on this entity's endpoint. */
  requests: number;
  /** Wall time in ms. */
  ms: number;
  /** Why it failed (operator-readable, never a secret). */
  error?: string;
  /** Error code when it failed. */
  code?: ErrorCode;
  /** Why an optional entity was skipped (the tenant does not serve it, or the API user may not read it). */
  note?: string;
}

/** Outcome of a sync. */
export interface SyncSummary {
  /** Row id in `sync_runs`. */
  runId: number;
  /** Start instant. */
  startedAt: Instant;
  /** End instant. */
  finishedAt: Instant;
  /** True when every entity synced. */
  ok: boolean;
  /** Per-entity results, in catalogue order. */
  entities: EntitySyncResult[];
  /** Names of failed entities. */
  failed: string[];
  /** Requests made by the client during the sync. */
  requests: number;
}

/** Sync events (design style 10). */
export type SyncEvent =
  | { type: 'sync:start'; runId: number; entities: string[] }
  | { type: 'sync:entity-start'; entity: string; pass: PassKind; total: number | null }
  | { type: 'sync:page'; entity: string; pass: PassKind; rows: number; totalRows: number; lastId: number }
  | { type: 'sync:entity'; result: EntitySyncResult }
  /** A credentials, zone, connection or deadline error stopped the sync: entities not yet read are skipped (once per sync). */
  | { type: 'sync:stopped'; error: string; code: ErrorCode; beforeAnyEntity: boolean }
  | { type: 'sync:done'; summary: SyncSummary };

/** Resolves entity names (case-insensitive) against the catalogue; throws USAGE naming the valid ones. */
export function resolveEntities(names: readonly string[] | undefined): EntityDef[] {
  if (!names || names.length === 0) return [...ENTITIES];
  const byLower = new Map(ENTITIES.map((e) => [e.name.toLowerCase(), e]));
  const out: EntityDef[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const e = byLower.get(n.trim().toLowerCase());
    if (!e) unknown.push(n);
    else if (!out.includes(e)) out.push(e);
  }
  if (unknown.length) {
    throw new AppError(`unknown entit${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${ENTITIES.map((e) => e.name).join(', ')}`, 'USAGE');
  }
  // Catalogue order keeps results stable whatever order the user typed.
  return ENTITIES.filter((e) => out.includes(e));
}

// A spent API budget is the same for every entity: the others are not tried (no request could be sent).
const STOP_CODES: ReadonlySet<ErrorCode> = new Set(['AUTH', 'ZONE', 'DEADLINE', 'BUDGET']);

/** Syncs the selected entities; never throws for one entity (design style 9). */
export async function syncAll(db: Db, client: AutotaskClient, opts: SyncOptions): Promise<SyncSummary> {
  // WAL checkpoints on a worker thread while pages are written: in a commit they block every range's next page.
  const checkpoints = await startCheckpointer(db);
  try {
    return await syncPasses(db, client, opts);
  } finally {
    await checkpoints.stop();
  }
}

async function syncPasses(db: Db, client: AutotaskClient, opts: SyncOptions): Promise<SyncSummary> {
  const store = createSyncStore(db);
  const clock = opts.clock;
  const emit = opts.onEvent ?? (() => {});
  const defs = resolveEntities(opts.entities);
  const startedAt = clock.now();
  const requests0 = client.stats().requests;
  const probe = opts.probe ?? client;
  const probe0 = opts.probe ? opts.probe.stats().requests : 0;
  const probeRequests = () => (opts.probe ? opts.probe.stats().requests - probe0 : 0);
  const runId = store.startRun(startedAt);
  emit({ type: 'sync:start', runId, entities: defs.map((d) => d.name) });

  const results = new Map<string, EntitySyncResult>();
  let stop: AppError | null = null;

  // One cheap request first: it resolves the zone and proves the credentials, so a wrong secret
  // costs one failed login rather than one per entity (repeated failures can lock the API user).
  // It has already been retried with backoff: if it still fails, every entity would fail the same way.
  try {
    await probe.threshold();
  } catch (e) {
    const err = toError(e);
    // Credentials, zone and an unreachable API stop everything; an answer we cannot use from this one
    // informational endpoint (404, an odd body) does not: the entities are still worth trying.
    if (!(err instanceof AppError) || err.exitCode === 2 || err.code === 'NETWORK' || STOP_CODES.has(err.code)) {
      stop = err instanceof AppError ? err : new AppError(`Autotask is not reachable: ${err.message}`, 'NETWORK', { cause: err });
      emit({ type: 'sync:stopped', error: stop.message, code: stop.code, beforeAnyEntity: true });
    }
  }

  const runEntity = async (def: EntityDef): Promise<void> => {
    const t0 = clock.now();
    const before = client.stats().byEndpoint[def.name] ?? 0;
    const result: EntitySyncResult = { entity: def.name, ok: false, pass: 'skipped', rows: 0, deleted: 0, stateRecords: 0, picklistValues: 0, requests: 0, ms: 0 };
    if (stop) {
      result.error = stop.message;
      result.code = stop.code;
    } else {
      try {
        try {
          await syncEntity(def, client, store, opts, result, emit, sizes.get(def.name));
        } catch (e) {
          if (!unknownChangeField(def, e)) throw e;
          result.error = toError(e).message;
        }
        if (result.error && unknownChangeField(def, result.error)) {
          // This tenant does not know the entity's change field (a version or permission difference): read
          // the entity whole instead of failing every incremental sync.
          result.error = undefined;
          await syncEntity({ ...def, sync: { kind: 'full' } }, client, store, { ...opts, full: true }, result, emit);
        }
        result.ok = !result.error;
      } catch (e) {
        const err = toError(e);
        if (def.optional && notServed(err)) {
          result.ok = true;
          result.pass = 'skipped';
          result.note = `skipped, not readable on this tenant (${err.message})`;
        } else {
          result.ok = false;
          result.error = err.message;
          result.code = err instanceof AppError ? err.code : 'INTERNAL';
        }
        if (err instanceof AppError && STOP_CODES.has(err.code) && !stop) {
          stop = err;
          emit({ type: 'sync:stopped', error: err.message, code: err.code, beforeAnyEntity: false });
        }
        try {
          store.noteError(def.name, err.message, clock.now());
        } catch {
          // The failure is reported in the summary either way.
        }
      }
    }
    result.requests = (client.stats().byEndpoint[def.name] ?? 0) - before + (sizes.get(def.name)?.requests ?? 0);
    result.ms = clock.now() - t0;
    results.set(def.name, result);
    emit({ type: 'sync:entity', result });
  };

  // Deletion logs go last: a ticket read by a concurrent Tickets pass could otherwise come back
  // after its deletion was applied.
  const data = defs.filter((d) => !d.deletionLog);
  const logs = defs.filter((d) => d.deletionLog);
  const sizes = stop ? new Map<string, EntitySize>() : await entitySizes(data, client, store, opts);
  // Largest first: a long pass started last would finish the sync alone while the other slots sit idle.
  const bySize = [...data].sort((a, b) => (sizes.get(b.name)?.rows ?? 0) - (sizes.get(a.name)?.rows ?? 0));
  await pool(bySize, opts.concurrency ?? 3, runEntity);
  await pool(logs, opts.concurrency ?? 3, runEntity);
  // Deletions that no log reports (appointments, service calls, contracts, billing items…): compare ids.
  // An initial or full pass has just seen every row, which counts as a sweep.
  for (const def of data) {
    const r = results.get(def.name);
    if (r?.ok && (r.pass === 'initial' || r.pass === 'full')) {
      store.putInstant(`sync.swept_at.${def.name}`, startedAt);
    }
  }
  if (!stop) {
    await pool(data.filter((d) => needsSweep(d, results.get(d.name), store, opts)), opts.concurrency ?? 3, async (def) => {
      const result = results.get(def.name)!;
      const before = client.stats().byEndpoint[def.name] ?? 0;
      try {
        result.deleted += await sweepEntity(def, client, store, opts);
      } catch (e) {
        const err = toError(e);
        if (err instanceof AppError && STOP_CODES.has(err.code)) {
          result.ok = false;
          result.error = `removing deleted rows failed: ${err.message}`;
          result.code = err.code;
        } else {
          // The entity's changes are stored; only the check for deleted rows failed, and the next sync repeats it.
          const note = `could not check for deleted rows (${err.message}); the next sync tries again`;
          result.note = result.note ? `${result.note}; ${note}` : note;
        }
      }
      result.requests += (client.stats().byEndpoint[def.name] ?? 0) - before;
    });
  }

  const entities = defs.map((d) => results.get(d.name)!);
  const failed = entities.filter((r) => !r.ok).map((r) => r.entity);
  const finishedAt = clock.now();
  const summary: SyncSummary = { runId, startedAt, finishedAt, ok: failed.length === 0, entities, failed, requests: client.stats().requests - requests0 + probeRequests() };
  store.finishRun(runId, finishedAt, failed.length === 0 ? 'ok' : failed.length === entities.length ? 'failed' : 'partial', {
    entities: entities.map((r) => ({ entity: r.entity, ok: r.ok, pass: r.pass, rows: r.rows, deleted: r.deleted, requests: r.requests, ms: r.ms, ...(r.error ? { error: r.error } : {}), ...(r.note ? { note: r.note } : {}) })),
    requests: summary.requests,
  });
  emit({ type: 'sync:done', summary });
  return summary;
}

/** Rows of an entity, as far as known before its pass, and the requests spent knowing it. */
interface EntitySize {
  /** Rows: Autotask's count when `counted`, else the local rows. */
  rows: number;
  /** Whether `rows` is Autotask's count (of the whole entity). */
  counted: boolean;
  /** Requests spent counting. */
  requests: number;
}

/** Whether the entity's next pass reads it whole from Autotask for the first time (or again, on --full). */
function firstRead(cur: SyncCursor, full: boolean): boolean {
  if (full) return true;
  return cur.passKind ? cur.passKind === 'initial' : cur.phase === 'initial' || cur.cursorTs === null;
}

/**
 * The size of each data entity, for the order of the passes and the split into id ranges: entities read
 * whole for the first time (or on --full) are counted by Autotask, one request each and all at once (each on
 * its own endpoint); the others by their local rows, at no request.
 */
async function entitySizes(data: readonly EntityDef[], client: AutotaskClient, store: SyncStore, opts: SyncOptions): Promise<Map<string, EntitySize>> {
  const out = new Map<string, EntitySize>();
  if ((opts.parallelRanges ?? 3) < 2) return out;
  await Promise.all(data.map(async (def) => {
    if (!firstRead(store.getCursor(def.name), opts.full ?? false)) {
      out.set(def.name, { rows: store.rowCount(def), counted: false, requests: 0 });
      return;
    }
    const before = client.stats().byEndpoint[def.name] ?? 0;
    let rows: number | null = null;
    try {
      rows = await client.count(def.name, [F.all()]);
    } catch {
      // Only the order and the split depend on it; the entity's own pass reports what is wrong.
    }
    const requests = (client.stats().byEndpoint[def.name] ?? 0) - before;
    out.set(def.name, { rows: rows ?? 0, counted: rows !== null, requests });
  }));
  return out;
}

/** Entities whose deletions no log reports, due for an ids-only sweep after an incremental pass. */
const LOGGED_DELETIONS = new Set(['Tickets', 'TimeEntries']);
function needsSweep(def: EntityDef, result: EntitySyncResult | undefined, store: SyncStore, opts: SyncOptions): boolean {
  if (def.sync.kind !== 'incremental' || def.deletionLog || LOGGED_DELETIONS.has(def.name)) return false;
  if (!result?.ok || result.pass !== 'incremental') return false; // full and initial passes see every row anyway
  const small = opts.sweepSmallRows ?? 5_000;
  if (small > 0 && store.rowCount(def) <= small) return true;
  const at = store.getInstant(`sync.swept_at.${def.name}`) ?? NaN;
  const now = opts.clock.now();
  return !(Number.isFinite(at) && now >= at && now - at < (opts.sweepMaxAgeMs ?? 86_400_000));
}

/**
 * Reads every id of an entity (ids only, 500 a page) and removes local rows whose id is gone. Nothing is
 * removed unless the whole read succeeded. Returns the number of rows removed.
 */
async function sweepEntity(def: EntityDef, client: AutotaskClient, store: SyncStore, opts: SyncOptions): Promise<number> {
  const startedAt = opts.clock.now();
  const remote = new Set<number>();
  for await (const page of client.queryKeyset(def.name, { filter: [F.all()], includeFields: ['id'] })) {
    for (const item of page.items) remote.add(Number(item.id));
  }
  return store.tx(() => {
    // Rows written after the read began (by a concurrent pass) are kept: the read could not have seen them.
    const removed = store.deleteIds(def, store.idsSyncedBefore(def, startedAt).filter((id) => !remote.has(id)));
    store.putInstant(`sync.swept_at.${def.name}`, opts.clock.now());
    return removed;
  });
}

/** Whether an error means the tenant does not serve the entity to this API user (missing, or no permission). */
function notServed(err: Error): boolean {
  if (!(err instanceof AppError)) return false;
  if (err.code === 'PERMISSION') return true;
  const status = (err.details as { status?: unknown } | undefined)?.status;
  return err.code === 'AUTOTASK_HTTP' && (status === 404 || status === 405);
}

/** Whether an error says the tenant has no such field as the entity's change timestamp. */
function unknownChangeField(def: EntityDef, e: unknown): boolean {
  if (def.sync.kind !== 'incremental') return false;
  const msg = typeof e === 'string' ? e : toError(e).message;
  return /unable to find/i.test(msg) && changeFields(def).some((f) => msg.toLowerCase().includes(f.toLowerCase()));
}

async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < items.length) await fn(items[i++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/** The pass to run now: resume the one in progress unless `--full` asks for a different kind. */
function choosePass(def: EntityDef, cur: SyncCursor, full: boolean, now: Instant): SyncCursor {
  if (cur.passKind && (!full || cur.passKind === 'full')) return cur;
  const kind: PassKind = full || def.sync.kind === 'full' ? 'full' : cur.phase === 'initial' || cur.cursorTs === null ? 'initial' : 'incremental';
  return { ...cur, passKind: kind, passStartedAt: now, cursorId: null, passMaxTs: null, passMaxId: null };
}

function passFilter(def: EntityDef, cur: SyncCursor, overlapMs: number): Filter[] {
  if (cur.passKind === 'incremental' && def.sync.kind === 'incremental' && cur.cursorTs !== null) {
    const fields = changeFields(def);
    const since = isoUtc(cur.cursorTs - overlapMs);
    // Rows with an empty change field are read every time: otherwise they would never be seen again.
    const empty = fields.length === 1 ? F.notExist(fields[0]!) : F.and(...fields.map((f) => F.notExist(f)));
    return [F.or(...fields.map((f) => F.gte(f, since)), empty)];
  }
  return [F.all()];
}

async function syncEntity(
  def: EntityDef,
  client: AutotaskClient,
  store: SyncStore,
  opts: SyncOptions,
  result: EntitySyncResult,
  emit: (e: SyncEvent) => void,
  size?: EntitySize,
): Promise<void> {
  const clock = opts.clock;

  // Picklists: labels are what reports match on. A failure here is reported but the data still syncs. They are
  // read while the pass is planned (both wait on Autotask) and stored before any page.
  const pickKey = `sync.picklists_at.${def.name}`;
  const pickAt = store.getInstant(pickKey) ?? NaN;
  // Picklists change rarely; re-reading them hourly (and on --full) keeps incremental syncs cheap.
  const pickFresh = !opts.full && Number.isFinite(pickAt) && clock.now() - pickAt < (opts.picklistMaxAgeMs ?? 3_600_000) && clock.now() >= pickAt;
  const picklists = (async (): Promise<Error | null> => {
    if (!picklistFields(def).length || pickFresh) return null;
    try {
      const fields = matchFieldInfoCase(def, await client.fields(def.name));
      result.picklistValues = store.upsertPicklists(def.name, fields);
      store.putInstant(pickKey, clock.now());
      return null;
    } catch (e) {
      const err = toError(e);
      if (err instanceof AppError && STOP_CODES.has(err.code)) throw err;
      return err;
    }
  })();
  // Awaited below; a planning failure first must not leave its rejection unhandled.
  picklists.catch(() => {});

  let cur = store.getCursor(def.name);
  const resumed = !!cur.passKind && (!opts.full || cur.passKind === 'full');
  // A full pass removes rows written before it started, so its start must be after every row already
  // there, even when the clock stands still (tests) or steps back.
  const startAt = Math.max(clock.now(), (store.lastSyncedAt(def) ?? -Infinity) + 1);
  cur = choosePass(def, cur, opts.full ?? false, startAt);
  // A new pass forgets the ranges of one it replaces (--full over an initial pass in progress).
  if (!resumed) store.tx(() => {
    store.putCursor(cur, clock.now());
    store.putRanges(def.name, []);
  });
  const pass = cur.passKind!;
  result.pass = pass;
  const passStartedAt = cur.passStartedAt!;
  const filter = passFilter(def, cur, opts.overlapMs);
  const tsFields = changeFields(def);

  let total: number | null = null;
  let ranges = pass === 'incremental' ? [] : store.getRanges(def.name);
  const resumedRanges = ranges.length > 0;
  if (pass !== 'incremental' && !ranges.length && cur.cursorId === null) {
    const planned = await planRanges(def, client, store, opts, filter, pass, size);
    total = planned.total;
    ranges = planned.ranges;
    if (ranges.length) store.tx(() => store.putRanges(def.name, ranges));
  }
  if (opts.counts && total === null && !resumedRanges) {
    try {
      total = await client.count(def.name, cur.cursorId !== null ? [...filter, F.gt('id', cur.cursorId)] : filter);
    } catch (e) {
      const err = toError(e);
      if (err instanceof AppError && STOP_CODES.has(err.code)) throw err;
    }
  }
  const picklistError = await picklists;
  emit({ type: 'sync:entity-start', entity: def.name, pass, total: opts.counts ? total : null });

  const rejected: RejectedRecord[] = [];
  /** Writes one page with its cursor move (and its range's, when read in ranges) in one transaction. */
  const commit = async (page: QueryPage & { rejected: RejectedRecord[] }, range: IdRange | null): Promise<void> => {
    rejected.push(...page.rejected);
    const items = page.items;
    if (!items.length) return;
    // Network reads for deletion logs happen before the transaction: a transaction never awaits.
    const reconcile = def.deletionLog && pass === 'incremental' ? await readActivityTargets(def, items, client) : null;
    const syncedAt = Math.max(clock.now(), passStartedAt);
    // `cur` is read here, after the last await: ranges commit one at a time, each on the other's result.
    let maxTs = cur.passMaxTs;
    let maxId = cur.passMaxId;
    for (const r of items) {
      for (const field of tsFields) {
        const t = parseInstant(r[field]);
        // On a tie the lowest id, as a sequential read (ascending ids) would keep.
        if (t !== null && (maxTs === null || t > maxTs || (t === maxTs && maxId !== null && r.id < maxId))) {
          maxTs = t;
          maxId = r.id;
        }
      }
    }
    const lastId = items[items.length - 1]!.id;
    const next: SyncCursor = { ...cur, cursorId: range ? cur.cursorId : lastId, passMaxTs: maxTs, passMaxId: maxId };
    store.tx(() => {
      store.upsertRecords(def, items, syncedAt, page.raw);
      if (def.name === 'Tickets') result.stateRecords += store.recordTicketStates(items, syncedAt);
      else if (def.name === 'Opportunities') result.stateRecords += store.recordOpportunityStates(items, syncedAt);
      else if (def.name === 'DeletedTicketLogs') {
        result.deleted += store.deleteTickets(uniqueInts(items.map((r) => r.ticketID)));
      } else if (reconcile) {
        result.deleted += applyReconcile(store, reconcile, syncedAt);
      }
      store.putCursor(next, syncedAt);
      if (range) store.putRange(def.name, { ...range, cursorId: lastId });
    });
    cur = next;
    if (range) range.cursorId = lastId;
    result.rows += items.length;
    emit({ type: 'sync:page', entity: def.name, pass, rows: items.length, totalRows: result.rows, lastId });
  };

  if (!ranges.length) {
    for await (const page of prefetch(client.queryKeyset(def.name, { filter }, cur.cursorId !== null ? { afterId: cur.cursorId } : {}), (p) => checkedPage(def, p))) await commit(page, null);
  } else {
    // Every range at once, each its own keyset sequence; the client keeps the entity's requests within its limit.
    let failed = false;
    const readRange = async (range: IdRange): Promise<void> => {
      const body = { filter: range.hi !== null ? [...filter, F.lte('id', range.hi)] : filter };
      const after = range.cursorId ?? range.lo;
      for await (const page of prefetch(client.queryKeyset(def.name, body, after !== null ? { afterId: after } : {}), (p) => checkedPage(def, p))) {
        // Once one range fails the others stop too: the entity reports the failure and resumes next time.
        if (failed) return;
        await commit(page, range);
      }
      store.tx(() => store.putRange(def.name, { ...range, done: true }));
      range.done = true;
    };
    const settled = await Promise.allSettled(ranges.filter((r) => !r.done).map(async (r) => {
      try {
        await readRange(r);
      } catch (e) {
        failed = true;
        throw e;
      }
    }));
    const first = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (first) throw first.reason;
  }

  // The pass is complete: only now may rows it did not see be removed and the high-water mark move.
  const now = Math.max(clock.now(), passStartedAt);
  store.tx(() => {
    if (pass === 'full') {
      if (def.name === 'Tickets') {
        const gone = store.idsSyncedBefore(def, passStartedAt);
        result.deleted += store.deleteTickets(gone);
      } else {
        result.deleted += store.deleteNotSyncedSince(def, passStartedAt).length;
      }
    }
    let cursorTs = cur.cursorTs;
    let cursorId: number | null = null;
    if (tsFields.length) {
      // Never past the pass start: a record changed during a long pass, behind the id scan, has a
      // timestamp after the start and is read again next time (the overlap covers clock skew).
      const cand = cur.passMaxTs === null ? passStartedAt : Math.min(cur.passMaxTs, passStartedAt);
      if (cursorTs === null || cand > cursorTs) {
        cursorTs = cand;
        cursorId = cand === cur.passMaxTs ? cur.passMaxId : null;
      }
    }
    store.putRanges(def.name, []);
    store.putCursor({
      ...cur,
      cursorTs,
      cursorId,
      phase: 'incremental',
      passKind: null,
      passStartedAt: null,
      passMaxTs: null,
      passMaxId: null,
      lastSuccessAt: now,
      lastError: picklistError ? `picklists: ${picklistError.message}` : null,
    }, now);
  });
  if (picklistError) result.error = `picklists could not be read: ${picklistError.message}`;
  if (rejected.length) result.note = rejectionNote(def, rejected);
}

/** Id ranges read at once, at most: the requests Autotask allows in flight per entity. */
const MAX_RANGES = 3;

/**
 * The id ranges of a new initial or full pass: a few of about equal rows when the entity is large enough
 * to gain from reading them at once, else none (one sequence). Also the pass's total when it was counted.
 * Finding the split costs a few `query/count` requests (one round per three); a failure here only means
 * the pass is read as one sequence.
 */
async function planRanges(def: EntityDef, client: AutotaskClient, store: SyncStore, opts: SyncOptions, filter: Filter[], pass: PassKind, size: EntitySize | undefined): Promise<{ total: number | null; ranges: IdRange[] }> {
  const parts = Math.max(1, Math.min(MAX_RANGES, Math.floor(opts.parallelRanges ?? MAX_RANGES)));
  const minRows = Math.max(1, opts.rangeMinRows ?? 5_000);
  let total = size?.counted ? size.rows : null;
  if (parts < 2) return { total, ranges: [] };
  try {
    // A routine full re-read of a small entity asks nothing more than before.
    // Not asked again when the count before the sync failed: the pass itself says what is wrong.
    if (total === null && !size?.requests && (pass === 'initial' || opts.full || (store.rowCount(def)) >= minRows)) {
      total = await client.count(def.name, filter);
    }
    if (total === null || total < minRows) return { total, ranges: [] };
    const firstPage = client.query(def.name, { filter, maxRecords: 1, includeFields: ['id'] })[Symbol.asyncIterator]();
    const step = await firstPage.next();
    await firstPage.return?.(undefined);
    const firstId = step.done ? null : recordId(step.value.items[0]?.id);
    const splits = await splitIds((x) => client.count(def.name, [...filter, F.lte('id', x)]), total, parts, firstId !== null ? { firstId } : {});
    const bounds = [null, ...splits, null];
    const ranges: IdRange[] = splits.length ? bounds.slice(1).map((hi, i) => ({ no: i, lo: bounds[i] ?? null, hi, cursorId: null, done: false })) : [];
    return { total, ranges };
  } catch (e) {
    const err = toError(e);
    if (err instanceof AppError && STOP_CODES.has(err.code)) throw err;
    return { total, ranges: [] };
  }
}

/**
 * Asks for the next page before the current one is checked (`map`) and written, so the network and the
 * CPU overlap: the next request leaves (a turn of the event loop) before this page holds the loop.
 */
async function* prefetch<T, U>(src: AsyncIterable<T>, map: (t: T) => U): AsyncGenerator<U> {
  const it = src[Symbol.asyncIterator]();
  // A page that fails while this one is handled, or after the consumer stopped early, is not an unhandled
  // rejection: it is thrown by the `await` that reaches it, or dropped with the consumer.
  const ask = () => {
    const p = it.next();
    p.catch(() => {});
    return p;
  };
  let next = ask();
  for (;;) {
    const r = await next;
    if (r.done) return;
    next = ask();
    await new Promise((resolve) => setImmediate(resolve));
    yield map(r.value);
  }
}

/**
 * Pages of a catalogue entity, every record with our spelling of its field names and checked against the
 * entity's field list (records that do not fit are left out and listed): all data the sync stores comes
 * through here (or through `checkedPage` directly).
 */
async function* entityPages(client: AutotaskClient, def: EntityDef, body: QueryBody, opts: { afterId?: number } = {}): AsyncGenerator<QueryPage & { rejected: RejectedRecord[] }> {
  for await (const page of client.queryKeyset(def.name, body, opts)) yield checkedPage(def, page);
}

/** One page made ready to store: our field spelling, records that do not fit left out and listed. */
function checkedPage(def: EntityDef, page: QueryPage): QueryPage & { rejected: RejectedRecord[] } {
  const checked = checkRecords(def, matchFieldCase(def, page.items), page.raw);
  return { nextPageUrl: page.nextPageUrl, ...checked };
}

/**
 * Field metadata with our spelling of the field names: older tenants describe fields in PascalCase
 * (`ActionType`), and picklists are stored under the catalogue's name so reports find them either way.
 */
export function matchFieldInfoCase(def: EntityDef, fields: readonly FieldInfo[]): FieldInfo[] {
  const ours = new Map(def.fields.map((f) => [f.name.toLowerCase(), f.name]));
  // Entries that are not objects (a broken answer) carry nothing to store; dropping them keeps the store's reader simple.
  return fields.filter((f) => !!f && typeof f === 'object' && typeof f.name === 'string').map((f) => {
    const name = ours.get(f.name.toLowerCase());
    const values = Array.isArray(f.picklistValues) ? f.picklistValues.filter((v) => !!v && typeof v === 'object') : f.picklistValues;
    return { ...f, name: name ?? f.name, picklistValues: values };
  });
}

/**
 * Field names are case-insensitive in Autotask and older schemas spell some differently (`problemTicketId`,
 * PascalCase in the 2020 swagger). When a page's first record lacks one of our names but has it in another
 * case, the page's records are given our spelling; a page spelled as expected is returned as it is.
 */
export function matchFieldCase(def: EntityDef, items: AutotaskRecord[]): AutotaskRecord[] {
  const first = items[0];
  // A record that is not an object is left for checkRecords to name.
  if (!first || typeof first !== 'object') return items;
  let renames: [string, string][] | null = null;
  let lower: Map<string, string> | null = null;
  for (const f of def.fields) {
    if (f.name in first) continue;
    lower ??= new Map(Object.keys(first).map((k) => [k.toLowerCase(), k]));
    const actual = lower.get(f.name.toLowerCase());
    if (actual !== undefined && actual !== f.name) (renames ??= []).push([actual, f.name]);
  }
  if (!renames) return items;
  return items.map((r) => {
    if (!r || typeof r !== 'object') return r;
    const out: AutotaskRecord = { ...r };
    for (const [from, to] of renames!) {
      if (from in r && !(to in r)) {
        out[to] = r[from];
        delete out[from];
      }
    }
    return out;
  });
}

function uniqueInts(vs: unknown[]): number[] {
  const s = new Set<number>();
  for (const v of vs) {
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isInteger(n)) s.add(n);
  }
  return [...s];
}

interface Reconcile {
  /** Time-entry column the parents are matched on. */
  column: 'ticketID' | 'taskID';
  /** Parent ids whose time entries were re-read. */
  parents: number[];
  /** The time entries Autotask still has for those parents. */
  entries: AutotaskRecord[];
  /** Their JSON as received, aligned with `entries` (empty when some page could not be sliced). */
  raw: string[];
}

/** Re-reads the time entries of the tickets/tasks a deletion-log page names. */
async function readActivityTargets(def: EntityDef, items: AutotaskRecord[], client: AutotaskClient): Promise<Reconcile | null> {
  const column = def.name === 'DeletedTicketActivityLogs' ? 'ticketID' : def.name === 'DeletedTaskActivityLogs' ? 'taskID' : null;
  if (!column) return null;
  const parents = uniqueInts(items.map((r) => r[column]));
  const entries: AutotaskRecord[] = [];
  let raw: string[] | null = [];
  // `in` batches keep this to a request or two per page instead of one per ticket.
  for (let i = 0; i < parents.length; i += 200) {
    const batch = parents.slice(i, i + 200);
    for await (const page of entityPages(client, ENTITY_BY_NAME.get('TimeEntries')!, { filter: [batch.length === 1 ? F.eq(column, batch[0]!) : F.in(column, batch)] })) {
      entries.push(...page.items);
      if (raw && page.raw) raw.push(...page.raw);
      else raw = null;
    }
  }
  return { column, parents, entries, raw: raw ?? [] };
}

function applyReconcile(store: SyncStore, r: Reconcile, syncedAt: Instant): number {
  const te = ENTITY_BY_NAME.get('TimeEntries')!;
  store.upsertRecords(te, r.entries, syncedAt, r.raw);
  const keep = new Set(r.entries.map((e) => e.id));
  const gone: number[] = [];
  for (const p of r.parents) {
    for (const id of store.timeEntryIdsOf(r.column, p)) if (!keep.has(id)) gone.push(id);
  }
  return store.deleteIds(te, gone);
}
