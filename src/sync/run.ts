import type { CommandIO } from '../commands/types.js';
import type { Config } from '../config.js';
import { AppError, printable } from '../errors.js';
import type { AutotaskClient, AutotaskClientOptions, AutotaskEvent } from '../autotask/client.js';
import type { Db } from '../store/db.js';
import { storeLedger } from '../store/request-ledger.js';
import { resolveEntities, syncAll, type SyncEvent, type SyncSummary } from './index.js';
import { systemClock, type Clock } from '../types.js';

/** Options of `runSync`. */
export interface RunSyncOptions {
  /** Re-read everything (`--full`). */
  full?: boolean;
  /** Entities to sync; default all. */
  entities?: string[];
  /** The store to sync into (the composition root opens it, or passes the daemon's). */
  db: Db;
  /** Makes an Autotask client with these options (the composition root binds the credentials). */
  autotask: (options: AutotaskClientOptions) => AutotaskClient;
  /** Clock (tests, demo). */
  clock?: Clock;
  /** fetch implementation (tests). */
  fetch?: typeof fetch;
  /** Aborts the sync (run deadline). */
  signal?: AbortSignal;
  /** Receives every sync and client event. */
  onEvent?: (e: SyncEvent | AutotaskEvent) => void;
  /** Progress output: `auto` (bar on a TTY, else a line per entity), `lines`, or `none`. */
  progress?: 'auto' | 'lines' | 'none';
  /** Further client tuning (run deadline, backoff); the settings and the options above take precedence. */
  clientOptions?: Partial<AutotaskClientOptions>;
  /** Whole-sync time limit in ms (default: settings autotask.syncDeadlineMinutes). */
  deadlineMs?: number;
}

/** Exit code of a sync: 0 all ok, 2 credentials/config, 1 some entity failed. */
export function syncExitCode(s: SyncSummary): number {
  if (s.ok) return 0;
  return s.entities.some((r) => !r.ok && (r.code === 'AUTH' || r.code === 'ZONE' || r.code === 'CONFIG')) ? 2 : 1;
}

function fmtSecs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The client options the settings (`autotask` section) and the store give every Autotask client of the
 * program: the budget share and its wait, the store's request ledger (every process on this database shares
 * the budget), the in-flight limit, the request timeout and the response and Retry-After caps.
 */
export function settingsClientOptions(config: Config, db: Db, clock: Clock): AutotaskClientOptions {
  return {
    budgetShare: config.autotask.budgetShare,
    budgetMaxWaitMs: config.autotask.budgetMaxWaitMinutes * 60_000,
    ledger: storeLedger(db),
    maxInFlightPerEntity: config.autotask.maxInFlightPerEntity,
    requestTimeoutMs: config.autotask.requestTimeoutMs,
    maxBodyBytes: Math.round(config.autotask.maxResponseMB * 1_000_000),
    maxRetryAfterMs: config.autotask.maxRetryAfterSeconds * 1000,
    clock,
  };
}

/**
 * The sync use case: Autotask into the store with progress on `io` — what `psa-reports sync`, the daemon,
 * the web app and the demo call (through the composition root, app.ts `syncStore`, which supplies the store
 * and the Autotask client). Throws AppError (exit 2) only for missing credentials; everything else is in the summary.
 */
export async function runSync(config: Config, io: CommandIO, opts: RunSyncOptions): Promise<SyncSummary> {
  const defs = resolveEntities(opts.entities);
  const clock = opts.clock ?? systemClock;
  const mode = opts.progress === 'none' ? 'none' : opts.progress === 'lines' || !io.isTTY ? 'lines' : 'bar';
  const where = connectTarget(config);
  if (mode !== 'none') io.err(`connecting to Autotask at ${where.host} (${where.how}) as ${config.env.username ?? '(AUTOTASK_USERNAME not set)'}…`);
  const bar = mode === 'bar' ? progressBar(io, defs.map((d) => d.name), clock) : null;
  // Until the first answer, say what is happening: a slow or unreachable host is otherwise silence.
  let answered = false;
  let zoneShown = false;
  let lastWait: { reason: string; until: number } | null = null;
  const onClient = (e: AutotaskEvent) => {
    opts.onEvent?.(e);
    if (mode !== 'none') {
      if (e.type === 'autotask:request' && e.status < 500) answered = true;
      else if (e.type === 'autotask:zone' && !zoneShown) {
        zoneShown = true;
        io.err(`zone: ${hostOf(e.url)}`);
      } else if (e.type === 'autotask:retry' && !answered) {
        io.err(`no answer from ${where.host} yet (${e.reason}): trying again in ${(e.delayMs / 1000).toFixed(1)} s`);
      }
    }
    if (e.type === 'autotask:retry' && e.retryAfterCappedFromMs !== undefined) {
      io.err(`Autotask asked ${e.endpoint} to wait ${Math.ceil(e.retryAfterCappedFromMs / 1000)} s (Retry-After); waiting ${Math.ceil(e.delayMs / 1000)} s, the most settings autotask.maxRetryAfterSeconds allows`);
    }
    // Every request in flight waits for the same slot: one line says so, not one per request.
    if (e.type === 'autotask:budget-wait' && !(lastWait?.reason === e.reason && Math.abs(lastWait.until - e.until) < 5_000)) {
      lastWait = { reason: e.reason, until: e.until };
      const until = new Date(e.until).toISOString().replace(/\.\d{3}Z$/, 'Z');
      io.err(`waiting ${Math.ceil(e.waitMs / 1000)} s, until ${until}: ${e.reason === 'own-share'
        ? `psa-reports (every process on this database) used ${e.used} of its ${e.budget} Autotask requests in the last hour`
        : `the Autotask database is nearly at its hourly threshold (other integrations): ${e.used} of the ${e.budget} requests left to psa-reports are used`}`);
    }
  };
  // One limit for the whole sync: a server that answers slowly or never cannot hold the sync (or the daemon's
  // next run) forever; what is not finished fails with this reason and resumes on the next sync.
  // Capped below setTimeout's 24.8-day limit, past which the timer would fire at once.
  const deadlineMs = Math.min(opts.deadlineMs ?? config.autotask.syncDeadlineMinutes * 60_000, 2 ** 31 - 1);
  const stopper = new AbortController();
  const timer = setTimeout(() => {
    stopper.abort(new AppError(`the sync stopped after its time limit of ${fmtLimit(deadlineMs)} (settings autotask.syncDeadlineMinutes); what was stored is kept and the next sync resumes`, 'DEADLINE'));
  }, deadlineMs);
  timer.unref?.();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stopper.signal]) : stopper.signal;
  const db = opts.db;
  const clientOptions: AutotaskClientOptions = {
    ...opts.clientOptions,
    ...settingsClientOptions(config, db, clock),
    onEvent: onClient,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    signal,
  };
  const client = opts.autotask(clientOptions);
  // The first request (sign-in and budget) on a client with few retries: a wrong host or a refused port
  // fails in seconds with one message, instead of the minute a data request's patient backoff takes.
  const probe = opts.autotask({ ...clientOptions, maxAttempts: Math.min(PROBE_ATTEMPTS, opts.clientOptions?.maxAttempts ?? PROBE_ATTEMPTS) });
  let stopped: Extract<SyncEvent, { type: 'sync:stopped' }> | null = null;
  /** Requests shown in each entity's line, to account for the deleted-row checks that follow. */
  const shown = new Map<string, number>();
  const lastLine = new Map<string, number>();
  const startedAt = clock.now();
  try {
    const summary = await syncAll(db, client, {
      entities: defs.map((d) => d.name),
      full: opts.full ?? false,
      overlapMs: config.autotask.overlapMinutes * 60_000,
      clock,
      counts: mode === 'bar',
      probe,
      onEvent: (e) => {
        opts.onEvent?.(e);
        if (e.type === 'sync:stopped') {
          stopped ??= e;
          // Said once, here; the entities it stops are listed together at the end.
          if (mode !== 'none') {
            const hint = e.code === 'NETWORK' ? ` — cannot reach ${where.host}: check ${where.how === 'AUTOTASK_BASE_URL' ? 'AUTOTASK_BASE_URL' : 'AUTOTASK_ZONE_URL'} and that this machine may connect to it (proxy, firewall)` : '';
            io.err(`sync stopped${e.beforeAnyEntity ? ' before reading any entity' : ''}: ${e.error}${hint}`);
          }
          return;
        }
        const byStop = e.type === 'sync:entity' && stopped !== null && e.result.pass === 'skipped' && e.result.error === stopped.error;
        if (e.type === 'sync:entity' && !byStop) shown.set(e.result.entity, e.result.requests);
        if (byStop) return;
        bar?.onEvent(e);
        if (mode === 'lines' && e.type === 'sync:entity') io.err(entityLine(e.result));
        // Without a terminal, a long entity (a first load of time entries) still shows it is moving.
        if (mode === 'lines' && e.type === 'sync:page' && clock.now() - (lastLine.get(e.entity) ?? startedAt) >= PROGRESS_EVERY_MS) {
          lastLine.set(e.entity, clock.now());
          io.err(`${e.entity}: ${e.totalRows} rows so far…`);
        }
      },
    });
    bar?.finish();
    if (mode !== 'none') {
      const s: SyncSummary = summary;
      // The total is the sum of what is shown: entity lines, the deleted-row checks after them, and the
      // requests that belong to no entity (zone discovery, sign-in, budget reads).
      const inLines = [...shown.values()].reduce((a, n) => a + n, 0);
      const sweeps = s.entities.filter((r) => shown.has(r.entity) && r.requests > shown.get(r.entity)!);
      const inSweeps = sweeps.reduce((a, r) => a + r.requests - shown.get(r.entity)!, 0);
      if (sweeps.length && mode === 'lines') io.err(`deleted-row check: ${sweeps.map((r) => `${r.entity} ${r.requests - shown.get(r.entity)!} request(s)`).join(', ')}`);
      const other = s.requests - inLines - inSweeps;
      const parts = [`${inLines} in the entity ${mode === 'lines' ? 'lines' : 'reads'}`, ...(inSweeps ? [`${inSweeps} checking for deleted rows`] : []), ...(other ? [`${other} for zone, sign-in and budget`] : [])];
      const skipped = stopped ? s.entities.filter((r) => !r.ok && r.error === stopped!.error && r.pass === 'skipped').map((r) => r.entity) : [];
      if (stopped && skipped.length === s.entities.length) {
        io.err(`sync failed: nothing synced (${s.requests} request${s.requests === 1 ? '' : 's'}, ${fmtSecs(s.finishedAt - s.startedAt)}); fix the error above and run psa-reports sync again`);
        return summary;
      }
      io.err(`sync ${s.ok ? 'done' : 'finished with failures'}: ${s.entities.reduce((a, r) => a + r.rows, 0)} rows, ${s.requests} requests (${parts.join(', ')}), ${fmtSecs(s.finishedAt - s.startedAt)}`);
      if (skipped.length) io.err(`not synced, stopped by the error above: ${skipped.join(', ')}`);
      for (const r of summary.entities.filter((x) => x.note && mode === 'bar')) io.err(`note: ${r.entity}: ${printable(r.note!)}`);
      if (!summary.ok) {
        // One line per failure; a credentials error is the same for every entity, so say it once.
        const reasons = new Map<string, string[]>();
        for (const r of summary.entities.filter((x) => !x.ok && !skipped.includes(x.entity))) reasons.set(r.error ?? 'unknown error', [...(reasons.get(r.error ?? 'unknown error') ?? []), r.entity]);
        for (const [why, names] of reasons) io.err(`failed: ${names.join(', ')}: ${printable(why)}`);
      }
    }
    return summary;
  } finally {
    clearTimeout(timer);
  }
}

/** Retries of the first request: enough for a blip, few enough that a wrong host fails in seconds. */
const PROBE_ATTEMPTS = 3;
/** A line per entity this often while it is read (non-terminal output). */
const PROGRESS_EVERY_MS = 10_000;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}

/** Where the sync connects: a host name only, never a path with a secret in it. */
function connectTarget(config: Config): { host: string; how: string } {
  return config.env.baseUrl
    ? { host: hostOf(config.env.baseUrl), how: 'AUTOTASK_BASE_URL' }
    : { host: hostOf(config.env.zoneUrl), how: 'zone discovery' };
}

function fmtLimit(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : `${+(ms / 1000).toFixed(1)} s`;
}

function entityLine(r: SyncSummary['entities'][number]): string {
  const base = `${r.entity}: ${r.rows} rows${r.deleted ? `, ${r.deleted} removed` : ''}, ${r.requests} request${r.requests === 1 ? "" : "s"}, ${fmtSecs(r.ms)}`;
  // Notes and errors quote Autotask's text: printed without control characters.
  if (r.note && r.pass === 'skipped') return `${r.entity}: ${printable(r.note)}`;
  return r.ok ? `${base} (${r.pass})${r.note ? `; note: ${printable(r.note)}` : ''}` : `${base} FAILED: ${printable(r.error ?? 'unknown error')}`;
}

/** A one-line progress bar redrawn in place on a terminal (stderr). */
function progressBar(io: CommandIO, names: string[], clock: Clock) {
  const totals = new Map<string, number | null>();
  const rows = new Map<string, number>();
  const done = new Set<string>();
  let drawn = false;
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = clock.now();
    if (!force && now - lastDraw < 150) return;
    lastDraw = now;
    const total = [...totals.values()].reduce<number>((a, t) => a + (t ?? 0), 0);
    const got = [...rows.values()].reduce((a, n) => a + n, 0);
    const frac = total > 0 ? Math.min(1, got / total) : done.size / names.length;
    const width = 30;
    const fill = Math.round(frac * width);
    const active = names.filter((n) => totals.has(n) && !done.has(n)).join(', ');
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${Math.round(frac * 100)}% ${got}${total ? `/${total}` : ''} rows, ${done.size}/${names.length} entities${active ? ` — ${active}` : ''}`;
    // Up one line and clear it, so each draw replaces the previous one (io.err ends lines itself).
    io.err(`${drawn ? '\x1b[1A\x1b[2K' : ''}${line.slice(0, 160)}`);
    drawn = true;
  };
  return {
    onEvent(e: SyncEvent) {
      if (e.type === 'sync:entity-start') totals.set(e.entity, e.total);
      else if (e.type === 'sync:page') rows.set(e.entity, e.totalRows);
      else if (e.type === 'sync:entity') {
        done.add(e.result.entity);
        if (!totals.has(e.result.entity)) totals.set(e.result.entity, null);
        if (!e.result.ok) {
          io.err(`${drawn ? '\x1b[1A\x1b[2K' : ''}${entityLine(e.result)}`);
          drawn = false;
        }
        draw(true);
        return;
      }
      draw();
    },
    finish() {
      draw(true);
    },
  };
}

