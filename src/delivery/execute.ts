import crypto from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock, ReportList, ReportResult } from '../types.js';
import { AppError, toError } from '../errors.js';
import type { Events, RunPhase } from './events.js';
import { burstResults } from '../reporting/personal.js';
import { Ledger, type DeliveryRow, type OwnerInfo, type RunRow } from './ledger.js';
import { DEFAULT_RETRY, MailError, sendWithRetry, type RetryPolicy } from './mailer.js';
import type { CardPoster, Mailer, MessageContent, MessageRenderer, OutgoingMessage, ReportComputer, SummaryCard, Syncer } from './ports.js';
import { refusedNote, resolveScheduleRecipients, type Recipient, type RefusedRecipient } from './recipients.js';
import { expandReports, type Schedule, type SchedulesFile } from './schedules.js';

/**
 * The run pipeline: freshness check → sync if stale → compute → render → deliver per recipient, under
 * one deadline for the whole run. The daemon and `run <schedule> --send` both call `executeRun`.
 */

/** Everything a run needs, passed in (no singletons). */
export interface DeliveryDeps {
  /** The store (recipient resolution reads Autotask resources from it). */
  db: Db;
  /** The ledger over the same database. */
  ledger: Ledger;
  /** The report engine port. */
  computer: ReportComputer;
  /** The renderer port. */
  renderer: MessageRenderer;
  /** The sync port. */
  syncer: Syncer;
  /** SMTP or outbox. */
  mailer: Mailer;
  /** Clock (fake in tests). */
  clock: Clock;
  /** Typed events. */
  events: Events;
  /** The loaded schedules.json (roles). */
  schedules: Pick<SchedulesFile, 'roles' | 'owner'>;
  /** Sender address (`MAIL_FROM`). */
  from: string;
  /** This process's identity in the ledger. */
  owner: OwnerInfo;
  /** Retry policy for transient mail faults. */
  retry?: RetryPolicy;
  /** How often a working run's heartbeat is written (ms). Default 5 s. */
  heartbeatMs?: number;
  /** A working run whose heartbeat is older than this is taken over (ms). Default 60 s. */
  staleMs?: number;
  /** Attempts after which an abandoned run is marked failed instead of retried (a run that keeps killing the process). Default 5. */
  maxAttempts?: number;
  /** Deadline of the owner's failure notice (ms). Default 10 s. */
  noticeDeadlineMs?: number;
  /** Posts summary cards of schedules with `post` to their roles' channels; absent: nothing is posted (a dry run). */
  poster?: CardPoster | null;
}

/** Options of one execution. */
export interface ExecuteOptions {
  /** `scheduled` (claims `UNIQUE(schedule, due_at)`) or `manual` (its own row, due now). */
  kind?: 'scheduled' | 'manual';
  /** An existing run row to (re)start instead of claiming by due instant. */
  runId?: number;
  /** Whether the run's owner is known to be gone (recovery after a crash). */
  ownerGone?: boolean;
  /** Aborts the run from outside (daemon shutdown): the run is handed back, not failed. */
  signal?: AbortSignal;
  /** Overrides the schedule's deadline (ms). */
  deadlineMs?: number;
}

/** What happened to a run. */
export interface RunOutcome {
  /** Ledger id (null only when nothing was claimed). */
  runId: number | null;
  /** Final state, or `busy` (someone else has it), `done` (it had already finished), `released` (shutdown). */
  state: 'sent' | 'partial' | 'failed' | 'skipped' | 'busy' | 'done' | 'released';
  /** Reason, for failed / partial / skipped. */
  reason: string | null;
  /** Phase that failed or overran. */
  failedPhase: RunPhase | null;
  /** Deliveries of the run after it. */
  deliveries: DeliveryRow[];
}

/** The run's deadline passed. */
export class DeadlineError extends AppError {
  constructor(ms: number) {
    super(`the run's deadline of ${formatMs(ms)} passed`, 'DEADLINE');
  }
}

class PhaseError extends Error {
  constructor(readonly phase: RunPhase, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

class ShutdownError extends Error {}
class LostOwnershipError extends Error {}

function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Waits for `p` but gives up when `signal` aborts (ports that ignore the signal cannot outlive the deadline). */
function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Stable Message-ID of one delivery: the same for every retry and every attempt of the run. The store's
 * random id is in it, because run ids restart at 1 in every new store: two installs never share an id.
 */
export function messageIdFor(storeId: string, runId: number, recipient: string, from: string, kind = 'report'): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'psa-reports.local';
  const h = crypto.createHash('sha256').update(`${storeId}\n${runId}\n${recipient.toLowerCase()}\n${kind}`).digest('hex').slice(0, 16);
  return `<psa-reports.${kind}.${storeId}.${runId}.${h}@${domain}>`;
}

function dateIn(t: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));
}

/** The placeholders a subject may hold (`check` rejects any other: it would be sent as typed). */
export const SUBJECT_PLACEHOLDERS = ['period', 'date', 'schedule', 'name'] as const;

/** Expands `{period}`, `{date}`, `{schedule}`, `{name}` in a subject; the result is one line. */
export function expandSubject(template: string, ctx: { schedule: Schedule; dueAt: number; results: ReportResult[]; name: string | null }): string {
  const tz = ctx.schedule.timezone;
  const withWindow = ctx.results.find((r) => r.window);
  let period = dateIn(ctx.dueAt, tz);
  if (withWindow?.window) {
    const from = Date.parse(withWindow.window.from);
    // The window is half-open: show its last day, not the exclusive end.
    const to = Date.parse(withWindow.window.to) - 1;
    const a = dateIn(from, tz);
    const b = dateIn(to, tz);
    period = a === b ? a : `${a} – ${b}`;
  }
  return template
    .replaceAll('{period}', period)
    .replaceAll('{date}', dateIn(ctx.dueAt, tz))
    .replaceAll('{schedule}', ctx.schedule.id)
    .replaceAll('{name}', ctx.name ?? '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

interface Audience {
  /** Key of this copy (`all`, `resource:12`, `company:3`). */
  key: string;
  /** Name shown in the body/subject when bursting. */
  name: string | null;
  /** Results for it. */
  results: ReportResult[];
  /** Extra sentences for the body. */
  notes: string[];
  /** Its recipients. */
  recipients: Recipient[];
}

function audiences(schedule: Schedule, results: ReportResult[], recipients: Recipient[], notes: string[], listsOf?: (resourceId: number, results: ReportResult[]) => ReportList[]): Audience[] {
  if (!schedule.burst) return [{ key: 'all', name: null, results, notes, recipients }];
  const out = new Map<string, Audience>();
  for (const r of recipients) {
    const id = schedule.burst === 'technician' ? r.resourceId : r.companyId;
    const key = `${schedule.burst}:${id ?? `none:${r.address}`}`;
    let a = out.get(key);
    if (!a) {
      const b = burstResults(results, schedule.burst, id);
      // A scorecard's own lists go with its first report (its rows would only repeat the tiles).
      if (schedule.burst === 'technician' && id !== null && listsOf && b.results[0]) b.results[0] = { ...b.results[0], lists: listsOf(id, b.results) };
      const extra = id === null ? [`${r.address} is not linked to an Autotask ${schedule.burst === 'technician' ? 'resource' : 'company'}, so no rows are theirs.`] : [];
      a = { key, name: r.name ?? r.address, results: b.results, notes: [...notes, ...b.notes, ...extra], recipients: [] };
      out.set(key, a);
    }
    a.recipients.push(r);
  }
  return [...out.values()];
}

const TERMINAL = new Set(['sent', 'partial', 'failed', 'skipped']);

/** Executes (or resumes) one run of `schedule` due at `dueAt`. Never throws for a run failure: it is recorded. */
export async function executeRun(deps: DeliveryDeps, schedule: Schedule, dueAt: number, opts: ExecuteOptions = {}): Promise<RunOutcome> {
  const { ledger, clock, events, owner } = deps;
  const staleMs = deps.staleMs ?? 60_000;
  const deadlineMs = opts.deadlineMs ?? schedule.deadlineMs;
  let row: RunRow | undefined;
  let manual: RunRow | null = null;
  if (opts.runId !== undefined) row = ledger.run(opts.runId);
  else if (opts.kind === 'manual') row = manual = ledger.createManual(schedule.id, clock.now(), owner, clock.now() + deadlineMs);
  else row = ledger.claimScheduled(schedule.id, dueAt, clock.now()).run;
  if (!row) return { runId: opts.runId ?? null, state: 'busy', reason: 'no such run', failedPhase: null, deliveries: [] };
  const runId = row.id;
  const result = (state: RunOutcome['state'], reason: string | null, failedPhase: RunPhase | null): RunOutcome => ({
    runId, state, reason, failedPhase, deliveries: ledger.deliveries(runId),
  });
  if (TERMINAL.has(row.state)) return result('done', row.reason, (row.failed_phase as RunPhase | null) ?? null);

  const maxAttempts = deps.maxAttempts ?? 5;
  if (row.state === 'working' && row.attempt >= maxAttempts) {
    const reason = `gave up after ${row.attempt} attempts: the process running it stopped each time (last phase: ${row.phase ?? 'start'})`;
    if (ledger.abandonRun(runId, clock.now(), reason)) {
      ledger.skipPending(runId, reason);
      events.emit('run:failed', { runId, scheduleId: schedule.id, phase: (row.phase as RunPhase | null) ?? null, error: reason });
      await notifyOwner(deps, schedule, ledger.run(runId)!, reason);
    }
    return result('failed', reason, (row.phase as RunPhase | null) ?? null);
  }

  const now = clock.now();
  const recovered = row.state === 'working' && !manual;
  const started = manual ?? ledger.startRun(runId, owner, now, now + deadlineMs, now - staleMs, opts.ownerGone ?? false);
  if (!started) return result('busy', null, null);
  events.emit('run:claimed', { runId, scheduleId: schedule.id, dueAt: row.due_at, kind: row.kind, attempt: started.attempt, recovered });

  // Two signals: `hard` (deadline, lost ownership) stops everything, an SMTP conversation included;
  // `signal` adds shutdown, which waits for a message in flight — abandoning it could deliver a message
  // the ledger then hands to the next start as unsent.
  const hardAc = new AbortController();
  const ac = new AbortController();
  hardAc.signal.addEventListener('abort', () => ac.abort(hardAc.signal.reason), { once: true });
  const deadlineTimer = setTimeout(() => hardAc.abort(new DeadlineError(deadlineMs)), deadlineMs);
  const heartbeat = setInterval(() => {
    try {
      if (!ledger.heartbeat(runId, owner, clock.now())) hardAc.abort(new LostOwnershipError('another process took this run over'));
    } catch (e) {
      // A timer must not throw into the event loop; without a heartbeat the run cannot be held safely.
      hardAc.abort(new AppError(`cannot record the run's heartbeat: ${toError(e).message}`, 'DB', { cause: e }));
    }
  }, deps.heartbeatMs ?? 5000);
  const onOuterAbort = () => ac.abort(new ShutdownError(String(opts.signal?.reason ?? 'shutdown')));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = ac.signal;
  let phase: RunPhase | null = null;
  const enter = (p: RunPhase) => {
    phase = p;
    ledger.setPhase(runId, owner, p);
    events.emit('run:phase', { runId, scheduleId: schedule.id, phase: p });
  };
  const ctx: RunContext = { deps, schedule, runId, asOf: row.due_at, deadlineAt: started.deadline_at!, signal, sendSignal: hardAc.signal, enter };

  try {
    enter('sync');
    await syncPhase(ctx);

    enter('compute');
    const { ok, failedReports, notes } = await computePhase(ctx);

    // ---- recipients ----
    const refused: RefusedRecipient[] = [];
    const recipients = resolveScheduleRecipients(deps.db, deps.schedules, schedule, refused);
    // A post is a delivery of its own, keyed by the channel's name: exactly once per run like an e-mail.
    const posts = schedule.post && deps.poster ? deps.poster.targets(deps.schedules, schedule.roles) : [];
    const refusedNotes = refused.map(refusedNote);
    ledger.addNotes(runId, refusedNotes);
    for (const r of refused) events.emit('recipient:refused', { runId, scheduleId: schedule.id, source: r.source, address: r.shown, reason: r.reason });
    if (!recipients.length && !posts.length) {
      const reason = `no recipients: the roles ${schedule.roles.join(', ')} resolve to no address (check schedules.json and that resources are synced and active)${refusedNotes.length ? `; ${refusedNotes.join('; ')}` : ''}`;
      ledger.finishRun(runId, owner, clock.now(), { state: 'skipped', reason });
      events.emit('run:finished', { runId, scheduleId: schedule.id, state: 'skipped', reason });
      await notifyOwner(deps, schedule, ledger.run(runId)!, reason);
      return result('skipped', reason, null);
    }
    ledger.ensureDeliveries(runId, [
      ...recipients.map((r) => ({ recipient: r.address, messageId: messageIdFor(ledger.storeId(), runId, r.address, deps.from) })),
      ...posts.map((p) => ({ recipient: p, messageId: messageIdFor(ledger.storeId(), runId, p, deps.from, 'card') })),
    ], clock.now());

    const problems = recipients.length ? await renderAndDeliver(ctx, audiences(schedule, ok, recipients, notes, listsFor(ctx))) : [];
    if (posts.length) problems.push(...(await postCards(ctx, new Set(posts), ok)));

    const { state, reason, failedPhase } = outcomeOf(ledger.deliveries(runId), problems, failedReports, refused, refusedNotes);
    ledger.finishRun(runId, owner, clock.now(), { state, reason, failedPhase, error: state === 'sent' ? null : reason });
    events.emit('run:finished', { runId, scheduleId: schedule.id, state, reason });
    if (state !== 'sent') {
      if (state === 'failed') events.emit('run:failed', { runId, scheduleId: schedule.id, phase: failedPhase, error: reason! });
      await notifyOwner(deps, schedule, ledger.run(runId)!, reason!);
    }
    return result(state, reason, failedPhase);
  } catch (e) {
    const reasonErr = signal.aborted ? signal.reason : e;
    if (reasonErr instanceof ShutdownError) {
      for (const d of ledger.deliveries(runId)) if (d.state === 'sending' && d.owner === owner.id) ledger.unclaim(d.id, owner);
      ledger.releaseRun(runId, owner, `interrupted by shutdown during ${phase ?? 'start'}`);
      events.emit('run:released', { runId, scheduleId: schedule.id, reason: `shutdown during ${phase ?? 'start'}` });
      return result('released', 'shutdown', phase);
    }
    if (reasonErr instanceof LostOwnershipError) return result('busy', reasonErr.message, phase);
    const failedPhase: RunPhase | null = e instanceof PhaseError ? e.phase : phase;
    const reason = reasonErr instanceof DeadlineError
      ? `${reasonErr.message} during ${failedPhase ?? 'start'}`
      : toError(reasonErr).message;
    ledger.finishRun(runId, owner, clock.now(), { state: 'failed', reason, failedPhase, error: reason });
    ledger.skipPending(runId, `run failed: ${reason}`);
    events.emit('run:finished', { runId, scheduleId: schedule.id, state: 'failed', reason });
    events.emit('run:failed', { runId, scheduleId: schedule.id, phase: failedPhase, error: reason });
    await notifyOwner(deps, schedule, ledger.run(runId)!, reason);
    return result('failed', reason, failedPhase);
  } finally {
    clearTimeout(deadlineTimer);
    clearInterval(heartbeat);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** What the phases of one run share. */
interface RunContext {
  /** The wiring. */
  deps: DeliveryDeps;
  /** The schedule being run. */
  schedule: Schedule;
  /** The run's ledger row id. */
  runId: number;
  /** As-of instant of the reports (the run's due time). */
  asOf: number;
  /** Epoch ms of the run's deadline. */
  deadlineAt: number;
  /** Aborted by the deadline, a lost claim or shutdown. */
  signal: AbortSignal;
  /** Aborted by the deadline or a lost claim only: a message being sent is allowed to finish on shutdown. */
  sendSignal: AbortSignal;
  /** Records the phase entered (ledger and event). */
  enter(p: RunPhase): void;
}

/** Phase sync: brings the store up to date when its data is older than the schedule's freshness. */
async function syncPhase(ctx: RunContext): Promise<void> {
  const { deps, schedule, runId, signal } = ctx;
  const { clock, events } = deps;
  const last = deps.syncer.lastSuccessAt();
  if (last === null || clock.now() - last > schedule.freshnessMs) {
    events.emit('sync:stale', { runId, lastSuccessAt: last, freshnessMs: schedule.freshnessMs });
    let outcome: { ok: boolean; error?: string };
    try {
      outcome = await raceSignal(deps.syncer.sync({ signal }), signal);
    } catch (e) {
      if (signal.aborted) throw e;
      outcome = { ok: false, error: toError(e).message };
    }
    const after = deps.syncer.lastSuccessAt();
    if (!outcome.ok && (after === null || clock.now() - after > schedule.freshnessMs)) {
      const when = after === null ? 'there has been no successful sync' : `the last successful sync was at ${new Date(after).toISOString()}`;
      throw new PhaseError('sync', `data is stale (${when}; freshness ${formatMs(schedule.freshnessMs)}) and the sync before this run failed: ${outcome.error ?? 'unknown error'}`);
    }
  }
}

/** Phase compute: the schedule's reports as of the run's due time; reports that fail become notes. */
async function computePhase(ctx: RunContext): Promise<{ ok: ReportResult[]; failedReports: { name: string; error: Error }[]; notes: string[] }> {
  const { deps, schedule, signal } = ctx;
  const ids = expandReports(schedule.reports, deps.computer.reportIds());
  let items;
  try {
    items = await raceSignal(deps.computer.compute(ids, { asOf: ctx.asOf, timezone: schedule.timezone, signal, ...(schedule.window ? { window: schedule.window } : {}) }), signal);
  } catch (e) {
    if (signal.aborted) throw e;
    throw new PhaseError('compute', `computing the reports failed: ${toError(e).message}`, e);
  }
  const ok = items.filter((i) => i.ok).map((i) => (i as { value: ReportResult }).value);
  const failedReports = items.filter((i) => !i.ok) as { name: string; error: Error }[];
  if (!ok.length) {
    throw new PhaseError('compute', `no report could be computed: ${failedReports.map((f) => `${f.name}: ${f.error.message}`).join('; ')}`);
  }
  const notes = failedReports.map((f) => `The report ${f.name} could not be computed (${f.error.message}); the owner has been told.`);
  return { ok, failedReports, notes };
}

/** A technician's own lists for their scorecard, when the computer can read them. */
function listsFor(ctx: RunContext): ((id: number, rs: ReportResult[]) => ReportList[]) | undefined {
  const { deps } = ctx;
  return deps.computer.personalLists
    ? (id: number, rs: ReportResult[]) => {
      const w = rs.find((r) => r.window)?.window;
      try {
        return deps.computer.personalLists!(id, { asOf: ctx.asOf, window: w ? { from: Date.parse(w.from), to: Date.parse(w.to) } : null });
      } catch (e) {
        // The lists add to a scorecard; without them it still goes out, saying why they are missing.
        return [{ title: 'Your own lists', columns: [], rows: [], empty: `Your own lists could not be read from the store: ${toError(e).message}` }];
      }
    }
    : undefined;
}

/**
 * Phases render and deliver, one audience (all, or one technician/company) after another; returns the
 * problems met (a failed render, a failed or in-doubt delivery), each with its phase.
 */
async function renderAndDeliver(ctx: RunContext, all: Audience[]): Promise<{ phase: RunPhase; text: string }[]> {
  const { deps, schedule, runId, signal, enter } = ctx;
  const { ledger, clock, events, owner } = deps;
  // Personal copies are rendered two at a time: while Chromium prints one, the next one's charts are
  // drawn. Deliveries still go out in order, and each copy is delivered as soon as it is rendered.
  const problems: { phase: RunPhase; text: string }[] = [];
  const pendingOf = (aud: Audience) => () => {
    const mine = new Set(aud.recipients.map((r) => r.address));
    return ledger.deliveries(runId).filter((d) => mine.has(d.recipient) && (d.state === 'pending' || d.state === 'sending'));
  };
  const todo = all.filter((aud) => pendingOf(aud)().length > 0);
  type Rendered = { aud: Audience; subject: string; content?: MessageContent; error?: unknown };
  const renderOne = (aud: Audience): Promise<Rendered> => {
    const subject = expandSubject(schedule.subject, { schedule, dueAt: ctx.asOf, results: aud.results, name: aud.name });
    return raceSignal(
      deps.renderer.render({ results: aud.results, format: schedule.format, subject, scheduleId: schedule.id, notes: aud.notes, audience: schedule.burst ? aud.name : null, layout: schedule.layout }, { signal, deadline: ctx.deadlineAt }),
      signal,
    ).then((content) => ({ aud, subject, content }), (error: unknown) => ({ aud, subject, error }));
  };
  const AHEAD = 2;
  const inFlight = todo.slice(0, AHEAD).map(renderOne);
  for (let i = 0; i < todo.length; i++) {
    enter('render');
    const { aud, subject, content: rendered, error } = await inFlight[i]!;
    if (i + AHEAD < todo.length) inFlight.push(renderOne(todo[i + AHEAD]!));
    const pending = pendingOf(aud);
    if (error !== undefined || !rendered) {
      if (signal.aborted) throw signal.reason ?? error;
      const text = `rendering ${schedule.burst ? `the copy for ${aud.name}` : 'the message'} failed: ${toError(error).message}`;
      problems.push({ phase: 'render', text });
      for (const d of pending()) {
        if (ledger.claimDelivery(d.id, owner).claimed) ledger.markFailed(d.id, owner, text);
        events.emit('mail:failed', { runId, recipient: d.recipient, error: text, permanent: true });
      }
      continue;
    }
    const content: MessageContent = rendered;
    events.emit('report:rendered', { runId, audience: aud.name, reports: aud.results.length, attachments: Array.isArray(content.attachments) ? content.attachments.length : 0 });

    enter('deliver');
    for (const d of pending()) {
      if (signal.aborted) throw signal.reason;
      const claim = ledger.claimDelivery(d.id, owner);
      if (!claim.claimed) continue;
      const msg: OutgoingMessage = {
        runId,
        to: d.recipient,
        from: deps.from,
        subject,
        messageId: d.message_id,
        date: clock.now(),
        content,
        headers: {
          'List-Unsubscribe': `<mailto:${schedule.owner}?subject=${encodeURIComponent(`unsubscribe ${schedule.id}`)}>`,
          'X-PSA-Reports-Run': `${schedule.id}/${runId}`,
        },
      };
      try {
        const sent = await sendWithRetry(deps.mailer, msg, {
          signal,
          sendSignal: ctx.sendSignal,
          policy: deps.retry,
          onRetry: (attempt, delayMs, err) => {
            ledger.countAttempt(d.id, owner, err.message);
            events.emit('mail:retry', { runId, recipient: d.recipient, attempt, delayMs, error: err.message });
          },
        });
        ledger.markSent(d.id, owner, clock.now(), sent.response);
        events.emit('mail:sent', { runId, recipient: d.recipient, messageId: d.message_id, attempts: sent.attempts, response: sent.response, inDoubt: claim.inDoubt });
      } catch (e) {
        if (signal.aborted && !(e instanceof MailError && e.inDoubt)) {
          // Shutdown only interrupts a retry wait (the send itself was allowed to finish): not sent, so
          // back to pending for the next start. Deadline: the run ends here.
          if (signal.reason instanceof ShutdownError) ledger.unclaim(d.id, owner);
          else ledger.markFailed(d.id, owner, `not sent: ${toError(signal.reason).message}`);
          throw signal.reason;
        }
        if (e instanceof MailError && e.inDoubt) {
          // The server may have it: not failed, not retried, and the owner is told (see the outcome).
          ledger.markInDoubt(d.id, owner, e.message);
          problems.push({ phase: 'deliver', text: `${d.recipient}: ${e.message}` });
          events.emit('mail:in-doubt', { runId, recipient: d.recipient, messageId: d.message_id, error: e.message });
          if (signal.aborted) throw signal.reason;
          continue;
        }
        const err = e instanceof MailError ? e : toError(e);
        ledger.markFailed(d.id, owner, err.message);
        problems.push({ phase: 'deliver', text: `${d.recipient}: ${err.message}` });
        events.emit('mail:failed', { runId, recipient: d.recipient, error: err.message, permanent: !(e instanceof MailError && e.transient) });
      }
    }
  }
  return problems;
}

/**
 * Phase deliver, channels: the run's summary card to each channel delivery still pending (or left sending
 * by a process that died: posted again with the same delivery id). Transient faults are retried with the
 * run's retry policy, waiting at least the channel's Retry-After; a channel that still fails is recorded
 * as a failed delivery (the run is partial and its owner told), like an e-mail.
 */
async function postCards(ctx: RunContext, posts: Set<string>, results: ReportResult[]): Promise<{ phase: RunPhase; text: string }[]> {
  const { deps, schedule, runId, signal, enter } = ctx;
  const { ledger, clock, events, owner } = deps;
  const poster = deps.poster!;
  const problems: { phase: RunPhase; text: string }[] = [];
  const pending = ledger.deliveries(runId).filter((d) => posts.has(d.recipient) && (d.state === 'pending' || d.state === 'sending'));
  if (!pending.length) return problems;
  enter('deliver');
  let card: SummaryCard;
  try {
    const subject = expandSubject(schedule.subject, { schedule, dueAt: ctx.asOf, results, name: null });
    card = poster.card({ scheduleId: schedule.id, subject, results, asOf: ctx.asOf, window: schedule.window ?? null, timezone: schedule.timezone });
  } catch (e) {
    const text = `the summary card could not be built: ${toError(e).message}`;
    for (const d of pending) if (ledger.claimDelivery(d.id, owner).claimed) ledger.markFailed(d.id, owner, text);
    return [{ phase: 'render', text }];
  }
  const policy = deps.retry ?? DEFAULT_RETRY;
  for (const d of pending) {
    if (signal.aborted) throw signal.reason;
    const claim = ledger.claimDelivery(d.id, owner);
    if (!claim.claimed) continue;
    let lastError = '';
    let permanent = false;
    let attempt = 1;
    for (; ; attempt++) {
      try {
        const out = await raceSignal(poster.post(d.recipient, card, { id: d.message_id, scheduleId: schedule.id, runId, file: deps.schedules, signal: ctx.sendSignal }), ctx.sendSignal);
        ledger.markSent(d.id, owner, clock.now(), out.response);
        events.emit('mail:sent', { runId, recipient: d.recipient, messageId: d.message_id, attempts: attempt, response: out.response, inDoubt: claim.inDoubt });
        lastError = '';
        break;
      } catch (e) {
        if (ctx.sendSignal.aborted) {
          // Deadline: the run ends here, this post not made. A lost claim leaves the row to the new holder.
          if (!(ctx.sendSignal.reason instanceof LostOwnershipError)) ledger.markFailed(d.id, owner, `not posted: ${toError(ctx.sendSignal.reason).message}`);
          throw ctx.sendSignal.reason;
        }
        const fault = e as { transient?: unknown; retryAfterMs?: unknown };
        lastError = toError(e).message;
        permanent = fault.transient !== true;
        if (permanent || attempt >= policy.attempts) break;
        const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        // A channel that says when to come back is not asked sooner (Teams and Slack answer 429 with Retry-After).
        const retryAfter = typeof fault.retryAfterMs === 'number' ? Math.min(fault.retryAfterMs, policy.maxDelayMs) : 0;
        const delay = Math.max(backoff, retryAfter);
        ledger.countAttempt(d.id, owner, lastError);
        events.emit('mail:retry', { runId, recipient: d.recipient, attempt, delayMs: delay, error: lastError });
        try {
          await waitFor(delay, signal);
        } catch {
          // Shutdown or deadline during the wait: nothing was accepted on this attempt.
          if (signal.reason instanceof ShutdownError) ledger.unclaim(d.id, owner);
          else ledger.markFailed(d.id, owner, `not posted: ${lastError}`);
          throw signal.reason;
        }
      }
    }
    if (!lastError) continue;
    ledger.markFailed(d.id, owner, lastError);
    problems.push({ phase: 'deliver', text: `${d.recipient}: ${lastError}` });
    events.emit('mail:failed', { runId, recipient: d.recipient, error: lastError, permanent });
  }
  return problems;
}

function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The run's outcome from its deliveries, the problems met, the reports not computed and the refused addresses. */
function outcomeOf(ds: DeliveryRow[], problems: { phase: RunPhase; text: string }[], failedReports: { name: string; error: Error }[], refused: RefusedRecipient[], refusedNotes: string[]): { state: 'sent' | 'partial' | 'failed'; reason: string | null; failedPhase: RunPhase | null } {
    const sent = ds.filter((d) => d.state === 'sent').length;
  // In doubt counts as not delivered for the run: the owner is told and decides whether to re-send.
  const failed = ds.filter((d) => d.state === 'failed' || d.state === 'in_doubt');
  let state: 'sent' | 'partial' | 'failed';
  let reason: string | null = null;
  let failedPhase: RunPhase | null = null;
  if (!failed.length && !failedReports.length && !refused.length) state = 'sent';
  else if (sent > 0) {
    state = 'partial';
    const parts = [];
    if (failed.length) parts.push(`${sent} of ${ds.length} delivered; ${failed.map((d) => `${d.state === 'in_doubt' ? 'in doubt' : 'failed'}: ${d.recipient} (${d.last_error})`).join('; ')}`);
    if (failedReports.length) parts.push(`reports not computed: ${failedReports.map((f) => `${f.name} (${f.error.message})`).join('; ')}`);
    if (refused.length) parts.push(`addresses refused: ${refusedNotes.join('; ')}`);
    reason = parts.join('. ');
    failedPhase = failed.length ? (problems.find((p) => p.phase === 'render') ? 'render' : 'deliver') : failedReports.length ? 'compute' : null;
  } else {
    state = 'failed';
    failedPhase = problems.some((p) => p.phase === 'deliver') ? 'deliver' : 'render';
    reason = `nothing delivered: ${problems.map((p) => p.text).join('; ') || failed.map((d) => `${d.recipient} (${d.last_error})`).join('; ')}`;
  }
  return { state, reason, failedPhase };
}

/** Runs a schedule now (`run <schedule> --send`): a manual run row of its own. */
export function runScheduleNow(deps: DeliveryDeps, schedule: Schedule, opts: Omit<ExecuteOptions, 'kind' | 'runId'> = {}): Promise<RunOutcome> {
  return executeRun(deps, schedule, deps.clock.now(), { ...opts, kind: 'manual' });
}

/**
 * Tells the schedule's owner that a run failed — at most once per run: the notice is claimed in the
 * ledger before it is sent and carries a stable Message-ID.
 */
export async function notifyOwner(deps: DeliveryDeps, schedule: Schedule, run: RunRow, reason: string): Promise<void> {
  const to = schedule.owner || deps.schedules.owner;
  const messageId = messageIdFor(deps.ledger.storeId(), run.id, to, deps.from, 'notice');
  if (run.notice_state === 'sent' || run.notice_state === 'failed') return;
  if (!deps.ledger.claimNotice(run.id, to, messageId, deps.clock.now())) return;
  const when = new Date(run.due_at).toISOString();
  const deliveries = deps.ledger.deliveries(run.id);
  const lines = [
    `The ${run.kind} run ${run.id} of schedule "${schedule.id}" due at ${when} (${schedule.timezone}) did not complete.`,
    '',
    `Reason: ${reason}`,
    run.failed_phase ? `Phase: ${run.failed_phase}` : '',
    '',
    ...(run.notes && !reason.includes(run.notes.split('\n')[0]!) ? ['Notes:', ...run.notes.split('\n').map((n) => `  ${n}`), ''] : []),
    deliveries.length ? 'Deliveries:' : 'No message was sent.',
    ...deliveries.map((d) => `  ${d.recipient}: ${d.state}${d.last_error ? ` — ${d.last_error}` : ''}`),
    '',
    'See `psa-reports history --failed` for details.',
  ].filter((l, i, a) => !(l === '' && a[i - 1] === ''));
  const text = lines.join('\n');
  const msg: OutgoingMessage = {
    runId: run.id,
    to,
    from: deps.from,
    subject: `[psa-reports] run failed: ${schedule.id} ${new Date(run.due_at).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    messageId,
    date: deps.clock.now(),
    content: { text },
    tag: 'notice',
  };
  // Short: the notice follows a run that may have failed because the mail server hangs, and the process
  // must not linger long after the run's deadline waiting on it (a notice is one small message).
  const signal = AbortSignal.timeout(deps.noticeDeadlineMs ?? 10_000);
  try {
    await sendWithRetry(deps.mailer, { ...msg, runId: run.id, to }, { signal, policy: deps.retry });
    deps.ledger.finishNotice(run.id, true, deps.clock.now());
    deps.events.emit('notice:sent', { runId: run.id, to, messageId });
  } catch (e) {
    const err = toError(e).message;
    deps.ledger.finishNotice(run.id, false, deps.clock.now(), err);
    deps.events.emit('notice:failed', { runId: run.id, to, error: err });
  }
}
