import os from 'node:os';
import type { Db } from './db.js';
import { storeIdOf } from './meta.js';
import { rowsOf, valuesOf } from './rows.js';
import type { RunPhase } from '../delivery/events.js';

/**
 * The run/delivery ledger (design style 7): rows, not memory. Every transition is one conditional
 * UPDATE (`… WHERE state = …`) or an `INSERT OR IGNORE` against a UNIQUE key, so two daemons on one
 * database agree on who does what without talking to each other.
 */

/** Run states. `partial`: some deliveries sent, some failed. */
export type RunState = 'pending' | 'working' | 'sent' | 'partial' | 'failed' | 'skipped';
/**
 * Delivery states. `sending`: handed to the mailer; after a crash this is "in doubt" and re-sent with the
 * same Message-ID. `in_doubt`: the connection dropped after the whole message went out and before the
 * server answered — it may have been delivered, so it is not sent again automatically (the owner is told).
 */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' | 'in_doubt';

/** One row of `runs`. */
export interface RunRow {
  /** Ledger id. */
  id: number;
  /** Schedule id. */
  schedule_id: string;
  /** Due instant (cron occurrence, or request instant of a manual run). */
  due_at: number;
  /** `scheduled` or `manual`. */
  kind: 'scheduled' | 'manual';
  /** State. */
  state: RunState;
  /** Operator-facing reason for failed / partial / skipped. */
  reason: string | null;
  /** Current or last phase. */
  phase: string | null;
  /** Phase that failed or overran. */
  failed_phase: string | null;
  /** Deadline of the current attempt. */
  deadline_at: number | null;
  /** Last heartbeat of the owner. */
  heartbeat_at: number | null;
  /** Owner instance id while working. */
  owner: string | null;
  /** Owner pid. */
  pid: number | null;
  /** Owner host. */
  host: string | null;
  /** Attempts started. */
  attempt: number;
  /** Last error text. */
  error: string | null;
  /** Owner notice state: null (none), sending, sent, failed. */
  notice_state: string | null;
  /** Owner notice address. */
  notice_to: string | null;
  /** Owner notice Message-ID. */
  notice_message_id: string | null;
  /** Owner notice error. */
  notice_error: string | null;
  /** Owner notice instant. */
  notice_at: number | null;
  /** What the run left out on purpose (a refused recipient address), one note per line. */
  notes: string | null;
  /** Row created. */
  created_at: number;
  /** First attempt started. */
  started_at: number | null;
  /** Finished. */
  finished_at: number | null;
}

/** One row of `deliveries`. */
export interface DeliveryRow {
  /** Ledger id. */
  id: number;
  /** Run id. */
  run_id: number;
  /** Lower-cased address. */
  recipient: string;
  /** State. */
  state: DeliveryState;
  /** Stable Message-ID. */
  message_id: string;
  /** Send attempts (SMTP conversations started). */
  attempts: number;
  /** 1 when re-sent after a crash left the previous attempt's outcome unknown, or when state is `in_doubt`. */
  in_doubt: number;
  /** Last error text. */
  last_error: string | null;
  /** Server response of the accepted send. */
  smtp_response: string | null;
  /** Instance that handed it to the mailer last. */
  owner: string | null;
  /** Row created. */
  created_at: number;
  /** Accepted by the server. */
  sent_at: number | null;
}

/** Who holds a run or the daemon lock. */
export interface OwnerInfo {
  /** Unique instance id (`host:pid:random`). */
  id: string;
  /** Process id. */
  pid: number;
  /** Host name (a pid is only checked on the same host). */
  host: string;
}

/** Distinguishes this process from an earlier one that had the same pid (containers restart as pid 1). */
const PROCESS_TOKEN = Math.random().toString(36).slice(2, 10);

/** A new owner identity: `host:pid:process-token:instance`. Several instances may share a process (tests). */
export function newOwner(pid = process.pid, host = os.hostname()): OwnerInfo {
  return { id: `${host}:${pid}:${PROCESS_TOKEN}:${Math.random().toString(36).slice(2, 10)}`, pid, host };
}

function processTokenOf(ownerId: string | null): string | null {
  const parts = (ownerId ?? '').split(':');
  return parts.length >= 4 ? parts[parts.length - 2]! : null;
}

/** Whether a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when the holder is certainly gone: on this host, either no process has its pid, or the pid is
 * ours but the holder was another process (a restarted container reuses pid 1: an earlier incarnation).
 */
export function holderIsDead(holder: { owner: string | null; pid: number | null; host: string | null }, self: OwnerInfo): boolean {
  if (holder.pid === null || holder.host !== self.host) return false;
  if (holder.pid === self.pid) return processTokenOf(holder.owner) !== processTokenOf(self.id);
  return !isProcessAlive(holder.pid);
}

/** One row of `daemon_lock`: who holds the single-instance lock `name`. */
export interface LockRow {
  /** Lock name (`daemon`). */
  name: string;
  /** Holder's instance id. */
  owner: string;
  /** Holder's pid. */
  pid: number;
  /** Holder's host. */
  host: string;
  /** When the holder took it. */
  acquired_at: number;
  /** Holder's last heartbeat. */
  heartbeat_at: number;
}

/** Result of trying to take the single-instance lock. */
export type LockResult = { ok: true } | { ok: false; heldBy: string; pid: number; host: string; heartbeatAt: number };

/** The ledger over one database connection. */
export class Ledger {
  private storeIdCache: string | null = null;

  constructor(private readonly db: Db) {}

  /** The store's random id (made once by its migration): part of every Message-ID, so two stores never share one. */
  storeId(): string {
    this.storeIdCache ??= storeIdOf(this.db) ?? null;
    if (!this.storeIdCache) throw new Error('the store has no store_id (store_meta): it was not migrated');
    return this.storeIdCache;
  }

  /** Adds notes to a run (each once), for `history` and the owner's notice. */
  addNotes(id: number, notes: readonly string[]): void {
    if (!notes.length) return;
    const run = this.run(id);
    if (!run) return;
    const have = run.notes ? run.notes.split('\n') : [];
    const next = [...have, ...notes.filter((n) => !have.includes(n))];
    this.db.prepare(`UPDATE runs SET notes = ? WHERE id = ?`).run(next.join('\n'), id);
  }

  // ---- runs ----

  /** Claims the run of a cron occurrence: one row per (schedule, due instant), whoever asks first. */
  claimScheduled(scheduleId: string, dueAt: number, now: number): { run: RunRow; inserted: boolean } {
    const info = this.db
      .prepare(`INSERT OR IGNORE INTO runs (schedule_id, due_at, kind, state, created_at) VALUES (?, ?, 'scheduled', 'pending', ?)`)
      .run(scheduleId, dueAt, now);
    const run = rowsOf<RunRow>(this.db, `SELECT * FROM runs WHERE schedule_id = ? AND kind = 'scheduled' AND due_at = ?`).get(scheduleId, dueAt)!;
    return { run, inserted: info.changes === 1 };
  }

  /**
   * A manual run (`run <schedule> --send`): its own row, due at the request instant, created already
   * working for `owner` — a daemon polling for pending runs must not pick it up in between.
   */
  createManual(scheduleId: string, now: number, owner: OwnerInfo, deadlineAt: number): RunRow {
    // Keyed apart from scheduled runs (UNIQUE(schedule_id, kind, due_at)): a request in the millisecond of a cron
    // occurrence never takes the scheduled run's key. Two requests in one millisecond take the next one.
    for (let t = now; ; t++) {
      const info = this.db
        .prepare(
          `INSERT OR IGNORE INTO runs (schedule_id, due_at, kind, state, owner, pid, host, heartbeat_at, deadline_at, attempt, started_at, created_at)
           VALUES (?, ?, 'manual', 'working', ?, ?, ?, ?, ?, 1, ?, ?)`,
        )
        .run(scheduleId, t, owner.id, owner.pid, owner.host, now, deadlineAt, now, now);
      if (info.changes === 1) return this.run(Number(info.lastInsertRowid))!;
    }
  }

  /** The latest run of a schedule (by due instant), or undefined before its first. */
  lastRun(scheduleId: string): Pick<RunRow, 'state' | 'due_at'> | undefined {
    return rowsOf<Pick<RunRow, 'state' | 'due_at'>>(this.db, `SELECT state, due_at FROM runs WHERE schedule_id = ? ORDER BY due_at DESC, id DESC LIMIT 1`).get(scheduleId);
  }

  /** One run. */
  run(id: number): RunRow | undefined {
    return rowsOf<RunRow>(this.db, `SELECT * FROM runs WHERE id = ?`).get(id);
  }

  /**
   * Takes a run for execution: pending, or working but abandoned (heartbeat older than `staleBefore`,
   * or its owner process is gone). Exactly one caller wins.
   */
  startRun(id: number, owner: OwnerInfo, now: number, deadlineAt: number, staleBefore: number, ownerGone = false): RunRow | null {
    const info = this.db
      .prepare(
        `UPDATE runs SET state = 'working', owner = :owner, pid = :pid, host = :host, heartbeat_at = :now,
           deadline_at = :deadline, attempt = attempt + 1, started_at = coalesce(started_at, :now), phase = NULL
         WHERE id = :id AND (state = 'pending'
           OR (state = 'working' AND (heartbeat_at IS NULL OR heartbeat_at < :stale OR (:gone = 1 AND owner IS NOT :owner))))`,
      )
      .run({ id, owner: owner.id, pid: owner.pid, host: owner.host, now, deadline: deadlineAt, stale: staleBefore, gone: ownerGone ? 1 : 0 });
    return info.changes === 1 ? this.run(id)! : null;
  }

  /** Keeps a working run ours; false when another owner took it over (we must stop). */
  heartbeat(id: number, owner: OwnerInfo, now: number): boolean {
    return this.db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND owner = ? AND state = 'working'`).run(now, id, owner.id).changes === 1;
  }

  /** Records the phase being entered. */
  setPhase(id: number, owner: OwnerInfo, phase: RunPhase): void {
    this.db.prepare(`UPDATE runs SET phase = ? WHERE id = ? AND owner = ? AND state = 'working'`).run(phase, id, owner.id);
  }

  /** Ends a run we own. */
  finishRun(
    id: number,
    owner: OwnerInfo,
    now: number,
    outcome: { state: 'sent' | 'partial' | 'failed' | 'skipped'; reason?: string | null; failedPhase?: string | null; error?: string | null },
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE runs SET state = ?, reason = ?, failed_phase = ?, error = ?, finished_at = ?, phase = coalesce(phase, 'done')
           WHERE id = ? AND owner = ? AND state = 'working'`,
        )
        .run(outcome.state, outcome.reason ?? null, outcome.failedPhase ?? null, outcome.error ?? null, now, id, owner.id).changes === 1
    );
  }

  /** Ends a run that nobody is working on (schedule removed, too many attempts). */
  abandonRun(id: number, now: number, reason: string): boolean {
    return (
      this.db
        .prepare(`UPDATE runs SET state = 'failed', reason = ?, error = coalesce(error, ?), finished_at = ? WHERE id = ? AND state IN ('pending', 'working')`)
        .run(reason, reason, now, id).changes === 1
    );
  }

  /** Hands a run back (graceful shutdown): the next daemon start resumes it; sent deliveries stay sent. */
  releaseRun(id: number, owner: OwnerInfo, reason: string): boolean {
    return (
      this.db
        .prepare(`UPDATE runs SET state = 'pending', owner = NULL, pid = NULL, host = NULL, heartbeat_at = NULL, error = ? WHERE id = ? AND owner = ? AND state = 'working'`)
        .run(reason, id, owner.id).changes === 1
    );
  }

  /** Runs that need a worker: pending ones and working ones whose owner stopped beating or died. */
  runnable(self: OwnerInfo, staleBefore: number): { run: RunRow; ownerGone: boolean }[] {
    const rows = rowsOf<RunRow>(this.db, `SELECT * FROM runs WHERE state IN ('pending', 'working') ORDER BY due_at, id`).all();
    const out: { run: RunRow; ownerGone: boolean }[] = [];
    for (const run of rows) {
      if (run.state === 'pending') out.push({ run, ownerGone: false });
      else if (run.owner !== self.id) {
        const gone = holderIsDead(run, self);
        if (gone || run.heartbeat_at === null || run.heartbeat_at < staleBefore) out.push({ run, ownerGone: gone });
      }
    }
    return out;
  }

  // ---- deliveries ----

  /** Creates the delivery rows of a run (once per recipient; an existing row keeps its Message-ID). */
  ensureDeliveries(runId: number, items: { recipient: string; messageId: string }[], now: number): DeliveryRow[] {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO deliveries (run_id, recipient, state, message_id, created_at) VALUES (?, ?, 'pending', ?, ?)`);
    this.db.transaction(() => {
      for (const it of items) ins.run(runId, it.recipient, it.messageId, now);
    }).immediate();
    return this.deliveries(runId);
  }

  /** Deliveries of a run. */
  deliveries(runId: number): DeliveryRow[] {
    return rowsOf<DeliveryRow>(this.db, `SELECT * FROM deliveries WHERE run_id = ? ORDER BY id`).all(runId);
  }

  /**
   * Hands one delivery to the mailer. Pending → sending. A delivery left `sending` by an earlier
   * attempt of this run (crash between the server's acceptance and our write) is taken again and
   * marked in doubt: it is re-sent with the same Message-ID, which mail clients collapse.
   */
  claimDelivery(id: number, owner: OwnerInfo): { claimed: boolean; inDoubt: boolean } {
    const row = rowsOf<Pick<DeliveryRow, 'state' | 'owner'>>(this.db, `SELECT state, owner FROM deliveries WHERE id = ?`).get(id);
    if (!row) return { claimed: false, inDoubt: false };
    // Only the current holder of the run may hand its deliveries out: a process that lost the run (its
    // heartbeat went stale and another took over) must not touch them, least of all the in-doubt ones.
    const holdsRun = `EXISTS (SELECT 1 FROM runs WHERE runs.id = deliveries.run_id AND runs.owner = :owner AND runs.state = 'working')`;
    if (row.state === 'pending') {
      const ok = this.db.prepare(`UPDATE deliveries SET state = 'sending', attempts = attempts + 1, owner = :owner WHERE id = :id AND state = 'pending' AND ${holdsRun}`).run({ owner: owner.id, id }).changes === 1;
      return { claimed: ok, inDoubt: false };
    }
    if (row.state === 'sending') {
      const ok = this.db
        .prepare(`UPDATE deliveries SET attempts = attempts + 1, in_doubt = CASE WHEN owner IS NOT :owner THEN 1 ELSE in_doubt END, owner = :owner WHERE id = :id AND state = 'sending' AND owner IS :prev AND ${holdsRun}`)
        .run({ owner: owner.id, id, prev: row.owner }).changes === 1;
      return { claimed: ok, inDoubt: ok && row.owner !== owner.id };
    }
    return { claimed: false, inDoubt: false };
  }

  /** A retry of the same conversation (transient fault): one more attempt on the counter. */
  countAttempt(id: number, owner: OwnerInfo, error: string): void {
    this.db.prepare(`UPDATE deliveries SET attempts = attempts + 1, last_error = ? WHERE id = ? AND owner = ? AND state = 'sending'`).run(error, id, owner.id);
  }

  /** Records the server's acceptance. */
  markSent(id: number, owner: OwnerInfo, now: number, response: string): void {
    this.db.prepare(`UPDATE deliveries SET state = 'sent', sent_at = ?, smtp_response = ?, last_error = NULL WHERE id = ? AND owner = ? AND state = 'sending'`).run(now, response.slice(0, 500), id, owner.id);
  }

  /** Records a failure for this recipient (the others continue). */
  markFailed(id: number, owner: OwnerInfo, error: string): void {
    this.db.prepare(`UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ? AND owner = ? AND state = 'sending'`).run(error.slice(0, 1000), id, owner.id);
  }

  /** Records a send whose outcome is unknown (no answer after the whole message): never re-sent automatically. */
  markInDoubt(id: number, owner: OwnerInfo, error: string): void {
    this.db.prepare(`UPDATE deliveries SET state = 'in_doubt', in_doubt = 1, last_error = ? WHERE id = ? AND owner = ? AND state = 'sending'`).run(error.slice(0, 1000), id, owner.id);
  }

  /** Puts a delivery back to pending (deadline hit before the mailer was called, shutdown). */
  unclaim(id: number, owner: OwnerInfo): void {
    this.db.prepare(`UPDATE deliveries SET state = 'pending', attempts = max(attempts - 1, 0) WHERE id = ? AND owner = ? AND state = 'sending'`).run(id, owner.id);
  }

  /** Skips pending deliveries (run failed before they could be sent). */
  skipPending(runId: number, reason: string): void {
    this.db.prepare(`UPDATE deliveries SET state = 'skipped', last_error = ? WHERE run_id = ? AND state = 'pending'`).run(reason, runId);
  }

  // ---- owner notice ----

  /** Takes the one failure notice of a run; false when it was already sent or is being sent. */
  claimNotice(runId: number, to: string, messageId: string, now: number): boolean {
    return (
      this.db
        .prepare(`UPDATE runs SET notice_state = 'sending', notice_to = ?, notice_message_id = coalesce(notice_message_id, ?), notice_at = ? WHERE id = ? AND (notice_state IS NULL OR notice_state = 'sending')`)
        .run(to, messageId, now, runId).changes === 1
    );
  }

  /** Records the notice outcome. */
  finishNotice(runId: number, ok: boolean, now: number, error?: string): void {
    this.db.prepare(`UPDATE runs SET notice_state = ?, notice_error = ?, notice_at = ? WHERE id = ?`).run(ok ? 'sent' : 'failed', error ?? null, now, runId);
  }

  // ---- schedule cursors ----

  /** The instant up to which a schedule's occurrences were handled; null for a schedule never seen. */
  cursor(scheduleId: string): number | null {
    const row = valuesOf<number>(this.db, `SELECT considered_until FROM schedule_cursors WHERE schedule_id = ?`).get(scheduleId);
    return row ?? null;
  }

  /** Moves a cursor forward (never back, even if the clock is). */
  advanceCursor(scheduleId: string, to: number, now: number): void {
    this.db
      .prepare(
        `INSERT INTO schedule_cursors (schedule_id, considered_until, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(schedule_id) DO UPDATE SET considered_until = max(considered_until, excluded.considered_until), updated_at = excluded.updated_at`,
      )
      .run(scheduleId, to, now);
  }

  // ---- single-instance lock ----

  /**
   * Takes or renews the lock `name`. A holder counts as gone when its heartbeat is older than
   * `staleBefore` or, on this host, its pid no longer exists — so a crash never blocks the next start.
   */
  acquireLock(name: string, self: OwnerInfo, now: number, staleBefore: number): LockResult {
    return this.db.transaction((): LockResult => {
      const row = rowsOf<LockRow>(this.db, `SELECT * FROM daemon_lock WHERE name = ?`).get(name);
      if (row && row.owner !== self.id && row.heartbeat_at >= staleBefore && !holderIsDead(row, self)) {
        return { ok: false, heldBy: row.owner, pid: row.pid, host: row.host, heartbeatAt: row.heartbeat_at };
      }
      this.db
        .prepare(
          `INSERT INTO daemon_lock (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
             acquired_at = CASE WHEN daemon_lock.owner = excluded.owner THEN daemon_lock.acquired_at ELSE excluded.acquired_at END,
             heartbeat_at = excluded.heartbeat_at`,
        )
        .run(name, self.id, self.pid, self.host, now, now);
      return { ok: true };
    }).immediate();
  }

  /** The last heartbeat of the holder of lock `name`, or null when nobody holds it. */
  lockHeartbeat(name: string): number | null {
    return valuesOf<number>(this.db, `SELECT heartbeat_at FROM daemon_lock WHERE name = ?`).get(name) ?? null;
  }

  /** Releases the lock if we hold it. */
  releaseLock(name: string, self: OwnerInfo): void {
    this.db.prepare(`DELETE FROM daemon_lock WHERE name = ? AND owner = ?`).run(name, self.id);
  }

  // ---- history ----

  /** Recent runs, failures first, newest first within each group. */
  history(opts: { limit: number; failedOnly: boolean }): { run: RunRow; deliveries: DeliveryRow[] }[] {
    const where = opts.failedOnly
      ? `WHERE state IN ('failed', 'partial', 'skipped') OR id IN (SELECT run_id FROM deliveries WHERE state IN ('failed', 'in_doubt'))`
      : '';
    // The latest N runs by due instant, then failures first so they are not missed at a glance.
    const runs = rowsOf<RunRow>(
      this.db,
      `SELECT * FROM (SELECT * FROM runs ${where} ORDER BY due_at DESC, id DESC LIMIT ?)
       ORDER BY CASE WHEN state IN ('failed', 'partial') THEN 0 WHEN state = 'skipped' THEN 1 ELSE 2 END, due_at DESC, id DESC`,
    ).all(opts.limit);
    return runs.map((run) => ({ run, deliveries: this.deliveries(run.id) }));
  }
}
