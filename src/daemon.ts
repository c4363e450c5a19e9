import { dueRuns, occurrencesBetween, SKIP_GRACE_MS } from './delivery/cron.js';
import { executeRun, type DeliveryDeps, type RunOutcome } from './delivery/execute.js';
import type { Schedule, SchedulesFile } from './delivery/schedules.js';
import { noWakeups, type Wakeups } from './delivery/wakeups.js';
import { toError } from './errors.js';

/**
 * The daemon: a loop that asks "what is due?" and hands due runs to the same `executeRun` the command
 * line uses. It is the only reader of the clock (through the Clock port), never sleeps more than
 * `tickMs` (≤ 30 s) between checks, and keeps one instance per database with a lock row that a crash
 * cannot leave behind (stale by heartbeat, or by a dead pid on this host).
 */

/** Daemon tuning; the defaults suit production, tests shrink them. */
export interface DaemonOptions {
  /** The loaded schedules.json. */
  schedules: SchedulesFile;
  /** Longest sleep between checks (ms, at most 30 s). */
  tickMs?: number;
  /** Take the lock from a holder whose heartbeat is older than this (ms). Default 90 s. */
  lockStaleMs?: number;
  /** One daemon per database (default true). Off only to prove the ledger alone prevents duplicates. */
  singleInstance?: boolean;
  /** How long shutdown waits for the current run before handing it back (ms). Default 20 s. */
  shutdownGraceMs?: number;
  /** Grace of the `skip` catch-up policy (ms). Default 60 s. */
  skipGraceMs?: number;
  /**
   * Looks at schedules.json on every check: the new schedules when the file changed and is valid, null
   * when it did not change; throws (an AppError naming the file and field) when it changed and is invalid,
   * and the schedules in use stay until it is fixed.
   */
  reload?: () => SchedulesFile | null;
  /** Looks at the settings file on every check (applies a valid edit and says so itself). */
  reloadSettings?: () => void;
  /**
   * Wakes the loop at each schedule's minute (node-cron in production); without it the loop checks every
   * `tickMs`. Due times are always decided by cron.ts at the check, never by the wake-up.
   */
  wakeups?: Wakeups;
  /**
   * Syncs on a cadence of its own (so alerts are timely): `everyMs(now)` is the interval at that instant
   * (short inside business hours), null for none; `run` syncs (and evaluates alerts after a success).
   */
  poll?: { everyMs: (now: number) => number | null; run: (signal: AbortSignal) => Promise<void> };
}

const LOCK_NAME = 'daemon';
const MAX_TICK_MS = 30_000;
const MAX_STALL_MS = 15 * 60_000;

/** What one check found. */
export interface TickResult {
  /** Whether this instance holds the lock (false: standby). */
  lockHeld: boolean;
  /** Runs newly claimed by this check. */
  claimed: number;
}

export class Daemon {
  private readonly tickMs: number;
  private readonly lockStaleMs: number;
  private readonly single: boolean;
  private readonly stopAc = new AbortController();
  private worker: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private wakePending = false;
  private readonly wakeups: Wakeups;
  private stopping = false;
  private waitingLogged = false;
  private holdsLock = false;
  private workAgain = false;
  private lastTickAt: number | null = null;
  private schedules: SchedulesFile;
  private lastReloadError: string | null = null;
  private polling: Promise<void> | null = null;
  private lastPollAt: number | null = null;
  /** Outcomes of runs this instance executed, in order (for the command's exit summary and tests). */
  readonly outcomes: RunOutcome[] = [];

  constructor(private deps: DeliveryDeps, private readonly opts: DaemonOptions) {
    this.schedules = opts.schedules;
    this.tickMs = Math.min(opts.tickMs ?? MAX_TICK_MS, MAX_TICK_MS);
    this.lockStaleMs = opts.lockStaleMs ?? 90_000;
    this.single = opts.singleInstance ?? true;
    this.wakeups = opts.wakeups ?? noWakeups;
  }

  private schedule(id: string): Schedule | undefined {
    return this.schedules.schedules.find((s) => s.id === id);
  }

  /** The schedules in use (the file as last read successfully). */
  get current(): SchedulesFile {
    return this.schedules;
  }

  /** Picks up an edited schedules.json; an invalid edit is reported once and changes nothing. */
  private reloadSchedules(): void {
    if (!this.opts.reload) return;
    let next: SchedulesFile | null;
    try {
      next = this.opts.reload();
    } catch (e) {
      const error = toError(e).message;
      if (error !== this.lastReloadError) {
        this.deps.events.emit('schedules:invalid', { file: this.schedules.file, error, kept: this.schedules.schedules.map((s) => s.id) });
      }
      this.lastReloadError = error;
      return;
    }
    if (!next) return;
    this.lastReloadError = null;
    const before = new Map(this.schedules.schedules.map((s) => [s.id, JSON.stringify(s)]));
    const after = new Map(next.schedules.map((s) => [s.id, JSON.stringify(s)]));
    const added = [...after.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !after.has(id));
    const changed = [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id));
    this.schedules = next;
    // Roles and the owner address of a run come from the file too.
    this.deps = { ...this.deps, schedules: next };
    this.deps.events.emit('schedules:reloaded', { file: next.file, added, removed, changed });
    if (this.loop && !this.stopping) this.wakeups.watch(next.schedules, () => this.wakeUp());
  }

  /** One check: renew the lock, claim every due run, start the worker. */
  async tick(): Promise<TickResult> {
    this.reloadSchedules();
    this.opts.reloadSettings?.();
    const { ledger, clock, owner, events } = this.deps;
    const now = clock.now();
    if (this.single) {
      const lock = ledger.acquireLock(LOCK_NAME, owner, now, now - this.lockStaleMs);
      if (!lock.ok) {
        if (!this.waitingLogged) events.emit('lock:waiting', { owner: owner.id, heldBy: lock.heldBy, pid: lock.pid, host: lock.host });
        this.waitingLogged = true;
        this.holdsLock = false;
        this.lastTickAt = null;
        events.emit('tick', { now, due: 0, lockHeld: false });
        return { lockHeld: false, claimed: 0 };
      }
      if (!this.holdsLock) events.emit('lock:acquired', { owner: owner.id });
      this.holdsLock = true;
      this.waitingLogged = false;
    }
    // Catch-up policies are about downtime. While this process was up and checking, a late check (the
    // event loop busy with a long report) is not downtime: widen the "due now" grace to cover the time
    // since our previous check — up to 15 minutes; a longer gap (suspend, a stall) counts as an outage.
    const base = this.opts.skipGraceMs ?? SKIP_GRACE_MS;
    const grace = this.lastTickAt === null ? base : Math.max(base, Math.min(now - this.lastTickAt + 1000, MAX_STALL_MS));
    this.lastTickAt = now;
    let claimed = 0;
    let due = 0;
    for (const s of this.schedules.schedules) {
      if (!s.enabled) continue;
      const cursor = ledger.cursor(s.id);
      const times = dueRuns(s, cursor, now, grace);
      due += times.length;
      for (const t of times) if (ledger.claimScheduled(s.id, t, now).inserted) claimed++;
      if (cursor !== null && now - cursor > grace) {
        // Say what the policy dropped (counted over at most the last week, to stay cheap).
        const missed = occurrencesBetween(s.cron, s.timezone, Math.max(cursor, now - 7 * 86_400_000), now).filter((t) => !times.includes(t)).length;
        if (missed) events.emit('run:dropped', { scheduleId: s.id, count: missed, policy: s.catchUpText });
      }
      // Claims are durable before the cursor moves, so a crash between the two loses nothing.
      ledger.advanceCursor(s.id, now, now);
    }
    events.emit('tick', { now, due, lockHeld: true });
    this.maybePoll(now);
    this.kick();
    return { lockHeld: true, claimed };
  }

  /** Starts the cadence sync when its interval has passed since the last sync (or the last try). */
  private maybePoll(now: number): void {
    const poll = this.opts.poll;
    if (!poll || this.polling || this.stopping) return;
    const every = poll.everyMs(now);
    if (every === null) return;
    const last = Math.max(this.deps.syncer.lastSuccessAt() ?? -Infinity, this.lastPollAt ?? -Infinity);
    if (now - last < every) return;
    this.lastPollAt = now;
    this.polling = poll.run(this.stopAc.signal)
      .catch((e) => this.deps.events.emit('daemon:error', { error: `sync on the alert cadence: ${toError(e).message}` }))
      .finally(() => {
        this.polling = null;
      });
  }

  /** Resolves when the cadence sync (if any) has finished. */
  async pollIdle(): Promise<void> {
    while (this.polling) await this.polling;
  }

  /** Starts the worker unless it is running; if it is, makes it look again when done. */
  private kick(): void {
    if (this.stopping) return;
    if (this.worker) {
      this.workAgain = true;
      return;
    }
    this.worker = this.work().finally(() => {
      this.worker = null;
    });
  }

  /** Runs every runnable run (pending, or abandoned by a dead or silent owner), oldest first. */
  private async work(): Promise<void> {
    const { ledger, clock, owner, events } = this.deps;
    const tried = new Set<number>();
    do {
      this.workAgain = false;
      for (;;) {
        if (this.stopping) return;
        const staleBefore = clock.now() - (this.deps.staleMs ?? 60_000);
        const next = ledger.runnable(owner, staleBefore).find((r) => !tried.has(r.run.id));
        if (!next) break;
        tried.add(next.run.id);
        const schedule = this.schedule(next.run.schedule_id);
        if (!schedule) {
          ledger.abandonRun(next.run.id, clock.now(), `schedule "${next.run.schedule_id}" is no longer in ${this.schedules.file}`);
          continue;
        }
        try {
          const out = await executeRun(this.deps, schedule, next.run.due_at, { runId: next.run.id, ownerGone: next.ownerGone, signal: this.stopAc.signal });
          this.outcomes.push(out);
          // A run we just finished may be claimed again only if it was handed back.
          if (out.state === 'released') return;
        } catch (e) {
          events.emit('daemon:error', { error: toError(e).message });
        }
      }
    } while (this.workAgain && !this.stopping);
  }

  /** Resolves when the worker is idle (tests: after a tick, wait for its runs). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Starts the loop (returns at once). */
  start(): void {
    if (this.loop) return;
    this.wakeups.watch(this.schedules.schedules, () => this.wakeUp());
    this.loop = (async () => {
      while (!this.stopping) {
        this.wakePending = false;
        try {
          await this.tick();
        } catch (e) {
          this.deps.events.emit('daemon:error', { error: toError(e).message });
        }
        if (this.stopping) break;
        if (this.wakePending) continue; // woken during the check: check again at once
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.tickMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  /** Checks at once (a schedule's minute, or SIGHUP: look at schedules.json now). */
  wakeUp(): void {
    this.wakePending = true;
    this.wake?.();
  }

  /**
   * Graceful stop: no new checks; the current run gets `shutdownGraceMs` to finish, then it is handed
   * back to the ledger (sent deliveries stay sent) for the next start; the lock is released.
   */
  async stop(reason = 'stop'): Promise<void> {
    if (this.stopping) return this.loop ?? undefined;
    this.stopping = true;
    this.wakeups.stop();
    this.deps.events.emit('daemon:stopping', { signal: reason });
    this.wake?.();
    await this.loop;
    if (this.worker) {
      const grace = this.opts.shutdownGraceMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.worker, new Promise<void>((r) => (timer = setTimeout(r, grace)))]);
      clearTimeout(timer);
      if (this.worker) {
        this.stopAc.abort(reason);
        await this.worker;
      }
    }
    if (this.polling) {
      this.stopAc.abort(reason);
      await this.polling;
    }
    if (this.single) this.deps.ledger.releaseLock(LOCK_NAME, this.deps.owner);
    this.deps.events.emit('lock:released', { owner: this.deps.owner.id });
    this.deps.events.emit('daemon:stopped', {});
  }
}
