import type { Db } from '../store/db.js';
import { noteChannelFailure } from '../store/alerts.js';
import { storeIdOf } from '../store/meta.js';
import { rowsOf, valuesOf } from '../store/rows.js';
import type { AlertRule, ChannelDef, SchedulesFile } from '../delivery/schedules.js';
import { holderIsDead, type OwnerInfo } from '../store/ledger.js';
import { resolveRecipients } from '../delivery/recipients.js';
import { redactText } from '../redact.js';
import type { Clock, Instant, ItemResult, ReportResult, Row } from '../types.js';
import type { AlertMessage } from './message.js';
import { initialState, step, type AlertState, type Notice, type Observation } from './state.js';
import { ChannelError, type ChannelSender, type ChannelTarget } from './channels/types.js';

/**
 * Alert evaluation and delivery. Evaluation reads each rule's report, turns it into observations, runs the
 * state machine and — in one transaction per rule — writes the new states and one ledger row per notice and
 * recipient (UNIQUE(alert, transition, recipient)). Delivery then sends the ledger's pending rows, each once;
 * a row left `sending` by a process that died is sent again (e-mail with the same Message-ID, webhooks with
 * the same X-Psa-Delivery id).
 */

/** What evaluation needs from the rest of the program. */
export interface AlertDeps {
  /** The store. */
  db: Db;
  /** Time base. */
  clock: Clock;
  /** Rules, roles and the owner (schedules.json). */
  schedules: Pick<SchedulesFile, 'alerts' | 'roles' | 'owner'>;
  /** Computes one report as of an instant in a zone (the report engine; never throws). */
  compute(report: string, asOf: Instant, timezone: string | null): ItemResult<ReportResult>;
  /** Last successful sync, or null. */
  lastSyncAt(): Instant | null;
  /** Whether an instant is inside settings.businessHours (reminders only then). */
  inBusinessHours(t: Instant): boolean;
  /** Link to a report in the web app, or null without web.baseUrl. */
  link(report: string): string | null;
  /** Environment (channel URLs and keys are read from it by name). */
  env: NodeJS.ProcessEnv;
}

/** One notification decided by an evaluation. */
export interface PlannedNotification {
  /** Alert key. */
  alertKey: string;
  /** Ledger transition. */
  transition: string;
  /** Recipient (address or channel name). */
  recipient: string;
  /** The message. */
  message: AlertMessage;
}

/** What one rule's evaluation found. */
export interface RuleOutcome {
  /** Rule id. */
  ruleId: string;
  /** What was seen: "breaching: 130 above 120", "clear: 80", "unknown: stale data…". */
  observation: string;
  /** States after the evaluation, by alert key. */
  states: { alertKey: string; label: string | null; state: string; breaches: number }[];
  /** Notifications decided (sent later, or never in a dry run). */
  planned: PlannedNotification[];
}

class DryRun extends Error {}

const fmt = (v: number | null): string => (v === null ? 'none' : Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, ''));

/** The recipient names of a role: its addresses (resolved from the store) and its channels. */
export function roleTargets(db: Db, schedules: Pick<SchedulesFile, 'roles'>, roleName: string): string[] {
  const role = schedules.roles[roleName];
  if (!role) return [];
  const out = resolveRecipients(db, role, [], roleName).map((r) => r.address);
  for (const c of role.channels ?? []) out.push(channelName(c));
  return [...new Set(out)];
}

/** The ledger name of a channel: its type and the variable that holds its URL. */
export function channelName(c: ChannelDef): string {
  return `${c.type}:${c.urlEnv}`;
}

/** Resolves a recipient name to a target, its secrets read from the environment; null when unset. */
export function targetOf(name: string, schedules: Pick<SchedulesFile, 'roles'>, env: NodeJS.ProcessEnv): ChannelTarget | { error: string } {
  const m = /^(teams|slack|webhook):([A-Z_][A-Z0-9_]*)$/.exec(name);
  if (!m) return { name, type: 'email', address: name };
  const type = m[1] as 'teams' | 'slack' | 'webhook';
  const url = env[m[2]!];
  if (!url) return { error: `${name}: environment variable ${m[2]} is not set (it holds the channel's webhook URL)` };
  if (!/^https?:\/\//.test(url)) return { error: `${name}: environment variable ${m[2]} is not an http(s) URL` };
  let secret: string | undefined;
  if (type === 'webhook') {
    const def = Object.values(schedules.roles).flatMap((r) => r.channels ?? []).find((c) => c.type === 'webhook' && c.urlEnv === m[2]);
    secret = def && def.type === 'webhook' ? env[def.secretEnv] : undefined;
    if (!secret) return { error: `${name}: its secretEnv variable is not set (the HMAC key the body is signed with)` };
  }
  return { name, type, address: url, ...(secret ? { secret } : {}) };
}

function rowMatches(row: Row, where: Record<string, unknown>): boolean {
  return Object.entries(where).every(([k, v]) => row[k] === v || (typeof row[k] === 'number' && typeof v === 'boolean' && (row[k] === 1) === v));
}

function rowLabel(row: Row, key: string): string {
  const parts = ['ticket_number', 'title', 'name', 'company'].filter((c) => typeof row[c] === 'string' && row[c]).slice(0, 2).map((c) => String(row[c]));
  return parts.length ? parts.join(' — ') : `${key} ${String(row[key])}`;
}

/** The observation of a metric rule over one result. */
function observeMetric(rule: AlertRule, r: ReportResult): { obs: Observation; detail: string } {
  const m = rule.metric!;
  if (!(m.name in r.metrics)) return { obs: { kind: 'unknown', reason: `report ${rule.report} has no metric "${m.name}" (it has: ${Object.keys(r.metrics).join(', ')})` }, detail: '' };
  const v = r.metrics[m.name] ?? null;
  if (v === null) return { obs: { kind: 'unknown', reason: `no data: ${rule.report} ${m.name} has no value (nothing to measure in its window)` }, detail: '' };
  let breach: boolean;
  let cond: string;
  if (m.above !== undefined) {
    breach = v > m.above;
    cond = `above ${fmt(m.above)}`;
  } else if (m.below !== undefined) {
    breach = v < m.below;
    cond = `below ${fmt(m.below)}`;
  } else {
    const h = r.headlines.find((x) => x.metric === m.name);
    if (!h || h.target === null || h.better === 'none') return { obs: { kind: 'unknown', reason: `${rule.report} ${m.name} has no target to compare with (set settings.targets["${rule.report}.${m.name}"])` }, detail: '' };
    breach = h.better === 'higher' ? v < h.target : v > h.target;
    cond = `${h.better === 'higher' ? 'below' : 'above'} its target ${fmt(h.target)}`;
  }
  return { obs: { kind: breach ? 'breach' : 'clear', value: fmt(v) }, detail: cond };
}

function labelOf(r: ReportResult, metric: string): string {
  return r.headlines.find((h) => h.metric === metric)?.label ?? metric;
}

/**
 * Evaluates every enabled rule now. Writes states and ledger rows unless `dryRun` (then every change is
 * rolled back and only the plan is returned). Never sends anything.
 */
export function evaluateAlerts(deps: AlertDeps, opts: { dryRun?: boolean; only?: string } = {}): RuleOutcome[] {
  const { db, clock, schedules } = deps;
  const now = clock.now();
  const lastSync = deps.lastSyncAt();
  const out: RuleOutcome[] = [];
  const getStates = rowsOf<AlertState>(db, `SELECT * FROM alert_states WHERE rule_id = ?`);
  const putState = db.prepare(`INSERT INTO alert_states (alert_key, rule_id, subject, label, state, breaches, episode, pending_since, fired_at, last_notified_at, reminders, escalated, last_value, last_eval_at, unknown_episode, unknown_reason, updated_at)
    VALUES (@alert_key, @rule_id, @subject, @label, @state, @breaches, @episode, @pending_since, @fired_at, @last_notified_at, @reminders, @escalated, @last_value, @last_eval_at, @unknown_episode, @unknown_reason, @updated_at)
    ON CONFLICT(alert_key) DO UPDATE SET label = excluded.label, state = excluded.state, breaches = excluded.breaches, episode = excluded.episode,
      pending_since = excluded.pending_since, fired_at = excluded.fired_at, last_notified_at = excluded.last_notified_at, reminders = excluded.reminders,
      escalated = excluded.escalated, last_value = excluded.last_value, last_eval_at = excluded.last_eval_at, unknown_episode = excluded.unknown_episode,
      unknown_reason = excluded.unknown_reason, updated_at = excluded.updated_at`);
  const insNote = db.prepare(`INSERT OR IGNORE INTO alert_notifications (alert_key, transition, recipient, kind, message_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const toldIn = valuesOf<string>(db, `SELECT DISTINCT recipient FROM alert_notifications WHERE alert_key = ? AND transition IN (?, ?) AND state <> 'failed' ORDER BY id`);
  const storeId = storeIdOf(db) ?? 'store';

  for (const rule of schedules.alerts) {
    if (!rule.enabled || (opts.only && rule.id !== opts.only)) continue;
    // What the data says, decided before the transaction (computing may take a while).
    let result: ReportResult | null = null;
    let unknown: string | null = null;
    if (lastSync === null) unknown = 'no data: the store has never been synced';
    else if (now - lastSync > rule.freshnessMs) unknown = `stale data: the last successful sync was ${Math.round((now - lastSync) / 60_000)} min ago (freshness ${Math.round(rule.freshnessMs / 60_000)} min)`;
    else {
      const r = deps.compute(rule.report, now, rule.timezone);
      if (!r.ok) unknown = `no data: ${rule.report} could not be computed (${r.error.message})`;
      else result = r.value;
    }
    if (result && rule.minSample) {
      const n = result.metrics[rule.minSample.metric];
      if (n === undefined || n === null || n < rule.minSample.atLeast) unknown = `sample too small: ${rule.report} ${rule.minSample.metric} is ${fmt(n ?? null)} (at least ${fmt(rule.minSample.atLeast)} needed)`;
    }
    const outcome: RuleOutcome = { ruleId: rule.id, observation: '', states: [], planned: [] };
    const message = (st: AlertState, n: Notice, extra: { value?: string; detail?: string }): AlertMessage => {
      const what = result && rule.metric ? `${labelOf(result, rule.metric.name)}` : rule.rows ? (st.label ?? st.subject) : rule.id;
      const title = n.kind === 'notice'
        ? `Alert ${rule.id} cannot be evaluated`
        : `${n.kind === 'resolved' ? 'RESOLVED' : n.kind === 'escalation' ? 'ESCALATED' : n.kind === 'reminder' ? 'STILL FIRING' : 'FIRING'}: ${rule.id} — ${what}${extra.value && rule.metric ? ` ${extra.value}` : ''}`;
      const summary = n.kind === 'notice'
        ? `${st.unknown_reason ?? ''}. The alert neither fires nor clears until the data can be seen again.`
        : rule.description ?? (rule.rows ? `${result?.title ?? rule.report}: ${what}` : `${what} is ${extra.value ?? '?'}${extra.detail ? `, ${extra.detail}` : ''}.`);
      const facts = [
        { name: 'Report', value: result?.title ?? rule.report },
        ...(n.kind !== 'notice' && extra.value && rule.metric ? [{ name: labelOf(result!, rule.metric.name), value: extra.value }] : []),
        ...(extra.detail && n.kind !== 'notice' ? [{ name: 'Condition', value: extra.detail }] : []),
        ...(st.fired_at && n.kind !== 'notice' ? [{ name: 'Firing since', value: new Date(st.fired_at).toISOString().replace('.000', '') }] : []),
      ];
      return { kind: n.kind, title, summary, facts, link: deps.link(rule.report), source: rule.id, alertKey: st.alert_key, transition: n.transition, at: new Date(now).toISOString() };
    };
    const recipientsOf = (st: AlertState, n: Notice): string[] => {
      if (n.kind === 'notice') return [rule.owner];
      if (n.kind === 'resolved' || n.kind === 'reminder') return toldIn.all(st.alert_key, `firing#${n.episode}`, `escalation#${n.episode}`);
      const roles = n.kind === 'escalation' ? rule.escalate?.roles ?? [] : rule.roles;
      return [...new Set(roles.flatMap((r) => roleTargets(db, schedules, r)))];
    };
    const body = () => {
        const prev = new Map(getStates.all(rule.id).map((s) => [s.alert_key, s]));
        const apply = (key: string, subject: string, label: string | null, obs: Observation, extra: { value?: string; detail?: string }) => {
          const before = prev.get(key) ?? initialState(key, rule.id, subject, now);
          const { next, notices } = step(before, obs, now, { for: rule.for, remindMs: rule.remindMs, escalateAfterMs: rule.escalate?.afterMs ?? null }, deps.inBusinessHours);
          if (label !== null) next.label = label;
          // A row that never breached is not worth a row of state.
          if (!prev.has(key) && next.state === 'ok' && !notices.length && subject) return;
          putState.run(next);
          outcome.states.push({ alertKey: key, label: next.label, state: next.state, breaches: next.breaches });
          for (const n of notices) {
            const msg = message(next, n, extra);
            for (const to of recipientsOf(next, n)) {
              const id = `<alert.${encodeURIComponent(key).replace(/%/g, '')}.${n.transition.replace(/[^a-z0-9.]/gi, '-')}.${storeId}.${Buffer.from(to).toString('hex').slice(0, 40)}@psa-reports>`;
              if (insNote.run(key, n.transition, to, n.kind, id, JSON.stringify(msg), now).changes) outcome.planned.push({ alertKey: key, transition: n.transition, recipient: to, message: msg });
            }
          }
        };
        if (unknown !== null || !result) {
          outcome.observation = `unknown: ${unknown}`;
          // The rule's own row tracks missing data (the owner is told once per stretch); row alerts keep their state.
          apply(rule.id, '', null, { kind: 'unknown', reason: unknown ?? 'no data' }, {});
          return;
        }
        if (rule.metric) {
          const { obs, detail } = observeMetric(rule, result);
          outcome.observation = obs.kind === 'unknown' ? `unknown: ${obs.reason}` : `${obs.kind === 'breach' ? 'breaching' : 'clear'}: ${obs.value} (${obs.kind === 'breach' ? '' : 'not '}${detail})`;
          apply(rule.id, '', null, obs, { ...(obs.kind !== 'unknown' ? { value: obs.value } : {}), detail });
          return;
        }
        const rows = rule.rows!;
        if (result.rows.length && !(rows.key in result.rows[0]!)) {
          outcome.observation = `unknown: report ${rule.report} rows have no column "${rows.key}"`;
          apply(rule.id, '', null, { kind: 'unknown', reason: outcome.observation.slice(9) }, {});
          return;
        }
        apply(rule.id, '', null, { kind: 'clear', value: String(result.rows.length) }, {}); // data seen: ends a missing-data stretch
        const breaching = new Map<string, Row>();
        for (const row of result.rows) if (rowMatches(row, rows.where) && row[rows.key] !== null && row[rows.key] !== undefined) breaching.set(String(row[rows.key]), row);
        outcome.observation = `${breaching.size} breaching row(s) of ${result.rows.length}`;
        for (const [k, row] of breaching) apply(`${rule.id}|${k}`, k, rowLabel(row, rows.key), { kind: 'breach', value: k }, {});
        for (const [key, st] of prev) {
          if (!st.subject || breaching.has(st.subject) || st.state === 'ok') continue;
          apply(key, st.subject, null, { kind: 'clear', value: st.subject }, {});
        }
    };
    try {
      // A dry run throws inside the transaction, so SQLite rolls every write of it back.
      db.transaction(() => {
        body();
        if (opts.dryRun) throw new DryRun();
      }).immediate();
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
    }
    out.push(outcome);
  }
  return out;
}

/** Ports of delivery. */
export interface AlertDeliveryDeps {
  /** The store. */
  db: Db;
  /** Time base. */
  clock: Clock;
  /** Roles (webhook keys are looked up by their URL variable) and the default owner. */
  schedules: Pick<SchedulesFile, 'roles' | 'owner'>;
  /** Environment the channel URLs and keys are read from. */
  env: NodeJS.ProcessEnv;
  /** One sender per channel type. */
  senders: Record<ChannelTarget['type'], ChannelSender>;
  /** This process. */
  owner: OwnerInfo;
  /** Attempts per notification (default 5). */
  attempts?: number;
  /** Longest Retry-After honoured (ms, default 60 s). */
  maxRetryAfterMs?: number;
  /** First backoff (ms, default 1 s), doubled per attempt. */
  baseDelayMs?: number;
  /** Failures in a row after which a channel counts as failing and the owner is told (default 3). */
  failingAfter?: number;
  /** Sleep port. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Stops waiting and sending. */
  signal?: AbortSignal;
  /** Reports each outcome (the log). */
  onEvent?: (e: { type: 'alert:sent' | 'alert:retry' | 'alert:failed' | 'channel:failing'; recipient: string; transition: string; alertKey: string; detail: string }) => void;
}

interface NoteRow { id: number; alert_key: string; transition: string; recipient: string; kind: string; state: string; message_id: string; payload: string; owner: string | null; attempts: number }

const sleepDefault = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
});

function ownerParts(id: string | null): { owner: string | null; pid: number | null; host: string | null } {
  const parts = (id ?? '').split(':');
  if (parts.length < 4) return { owner: id, pid: null, host: null };
  return { owner: id, pid: Number(parts[parts.length - 3]), host: parts.slice(0, parts.length - 3).join(':') };
}

/**
 * Sends every pending notification (and those a dead process left `sending`), each to its one recipient.
 * Returns how many were sent and failed. Never throws for one recipient's failure.
 */
export async function deliverAlerts(deps: AlertDeliveryDeps): Promise<{ sent: number; failed: number }> {
  const { db, clock, owner } = deps;
  const attempts = deps.attempts ?? 5;
  const maxRetryAfter = deps.maxRetryAfterMs ?? 60_000;
  const base = deps.baseDelayMs ?? 1000;
  const failingAfter = deps.failingAfter ?? 3;
  const sleep = deps.sleep ?? sleepDefault;
  const signal = deps.signal ?? new AbortController().signal;
  const emit = deps.onEvent ?? (() => {});
  let sent = 0;
  let failed = 0;
  const tried = new Set<number>();
  for (;;) {
    if (signal.aborted) break;
    const rows = rowsOf<NoteRow>(db, `SELECT * FROM alert_notifications WHERE state IN ('pending', 'sending') ORDER BY id LIMIT 100`).all();
    const row = rows.find((r) => !tried.has(r.id) && (r.state === 'pending' || (r.owner !== owner.id && holderIsDead(ownerParts(r.owner), owner))));
    if (!row) break;
    tried.add(row.id);
    // Claim: exactly one process sends a row; a row another live process is sending is left to it.
    const claimed = db.prepare(`UPDATE alert_notifications SET state = 'sending', owner = ?, in_doubt = CASE WHEN state = 'sending' THEN 1 ELSE in_doubt END WHERE id = ? AND state = ? AND owner IS ?`)
      .run(owner.id, row.id, row.state, row.owner).changes === 1;
    if (!claimed) continue;
    const msg = JSON.parse(row.payload) as AlertMessage;
    const target = targetOf(row.recipient, deps.schedules, deps.env);
    let error: string | null = null;
    if ('error' in target) error = target.error;
    else {
      for (let n = 1; n <= attempts; n++) {
        db.prepare(`UPDATE alert_notifications SET attempts = attempts + 1 WHERE id = ?`).run(row.id);
        try {
          const res = await deps.senders[target.type].send(target, msg, { id: row.message_id, seq: row.id, signal });
          db.prepare(`UPDATE alert_notifications SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ? AND owner = ?`).run(clock.now(), row.id, owner.id);
          db.prepare(`INSERT INTO channel_health (channel, consecutive_failures, last_success_at) VALUES (?, 0, ?) ON CONFLICT(channel) DO UPDATE SET consecutive_failures = 0, last_success_at = excluded.last_success_at`).run(row.recipient, clock.now());
          emit({ type: 'alert:sent', recipient: row.recipient, transition: row.transition, alertKey: row.alert_key, detail: res.response });
          sent++;
          error = null;
          break;
        } catch (e) {
          const ce = e instanceof ChannelError ? e : new ChannelError((e as Error).message, !signal.aborted);
          error = redactText(ce.message, 'address' in target ? [target.address, target.secret] : []);
          if (!ce.transient || n === attempts || signal.aborted) break;
          const backoff = base * 2 ** (n - 1);
          const delay = Math.max(backoff, Math.min(ce.retryAfterMs ?? 0, maxRetryAfter));
          emit({ type: 'alert:retry', recipient: row.recipient, transition: row.transition, alertKey: row.alert_key, detail: `${error}; again in ${Math.round(delay / 1000)} s` });
          db.prepare(`UPDATE alert_notifications SET last_error = ? WHERE id = ?`).run(error, row.id);
          try {
            await sleep(delay, signal);
          } catch {
            break;
          }
        }
      }
    }
    if (error === null) continue;
    if (signal.aborted) {
      // Handed back: the next start sends it (nothing was accepted on this attempt).
      db.prepare(`UPDATE alert_notifications SET state = 'pending', owner = NULL, last_error = ? WHERE id = ? AND owner = ?`).run(error, row.id, owner.id);
      break;
    }
    failed++;
    db.prepare(`UPDATE alert_notifications SET state = 'failed', last_error = ? WHERE id = ? AND owner = ?`).run(error, row.id, owner.id);
    emit({ type: 'alert:failed', recipient: row.recipient, transition: row.transition, alertKey: row.alert_key, detail: error });
    const h = noteChannelFailure(db, row.recipient, error, clock.now());
    if (h.consecutive_failures === failingAfter && !row.alert_key.startsWith('channel:')) {
      // A channel that keeps failing: recorded, and the owner told once per streak (by e-mail; a failing
      // owner address is not told about itself).
      const episode = h.failing_episode + 1;
      db.prepare(`UPDATE channel_health SET failing_episode = ? WHERE channel = ?`).run(episode, row.recipient);
      emit({ type: 'channel:failing', recipient: row.recipient, transition: row.transition, alertKey: row.alert_key, detail: error });
      const storeId = storeIdOf(db) ?? 'store';
      const m: AlertMessage = {
        kind: 'notice', title: `Channel ${row.recipient} keeps failing`, summary: `${failingAfter} notifications in a row could not be delivered to ${row.recipient}. Last error: ${error}`,
        facts: [{ name: 'Channel', value: row.recipient }, { name: 'Last error', value: error }], link: null, source: row.recipient, alertKey: `channel:${row.recipient}`,
        transition: `failing#${episode}`, at: new Date(clock.now()).toISOString(),
      };
      db.prepare(`INSERT OR IGNORE INTO alert_notifications (alert_key, transition, recipient, kind, message_id, payload, created_at) VALUES (?, ?, ?, 'notice', ?, ?, ?)`)
        .run(m.alertKey, m.transition, deps.schedules.owner, `<channel.${episode}.${Buffer.from(row.recipient).toString('hex').slice(0, 40)}.${storeId}@psa-reports>`, JSON.stringify(m), clock.now());
    }
  }
  return { sent, failed };
}

/** Alert states and recent notifications, for `psa-reports alerts`. */
export function alertStates(db: Db): AlertState[] {
  return rowsOf<AlertState>(db, `SELECT * FROM alert_states ORDER BY rule_id, alert_key`).all();
}
