import type { Instant } from '../types.js';

/**
 * The alert state machine, pure: one evaluation's observation and the previous state in, the next state and
 * the notices it causes out. OK → PENDING → FIRING after `for` breaching evaluations in a row → OK; a notice
 * only on a change of state (plus reminders inside business hours and one escalation). An evaluation that
 * could not see the data (no data, stale data, too small a sample) changes nothing but tells the owner, once
 * per stretch of missing data.
 */

/** States of one alert. */
export type AlertStateName = 'ok' | 'pending' | 'firing';

/** One row of `alert_states`. */
export interface AlertState {
  /** `rule` for a metric rule (and for a row rule's own bookkeeping), `rule|rowKey` for one row. */
  alert_key: string;
  /** Rule id. */
  rule_id: string;
  /** Row key of a row alert, '' otherwise. */
  subject: string;
  /** What the alert is about, for people (a ticket's number and title). */
  label: string | null;
  /** Current state. */
  state: AlertStateName;
  /** Consecutive breaching evaluations. */
  breaches: number;
  /** Firing episodes so far (the current one while firing): part of every notice's transition key. */
  episode: number;
  /** First breaching evaluation of the current run of breaches. */
  pending_since: Instant | null;
  /** When the current episode fired. */
  fired_at: Instant | null;
  /** Last firing, reminder or escalation notice. */
  last_notified_at: Instant | null;
  /** Reminders sent in this episode. */
  reminders: number;
  /** 1 once this episode was escalated. */
  escalated: number;
  /** Last observed value, as shown to people. */
  last_value: string | null;
  /** Last evaluation that saw the data. */
  last_eval_at: Instant | null;
  /** Stretches of missing data so far (each tells the owner once). */
  unknown_episode: number;
  /** Why the data could not be seen, while it cannot; null when it can. */
  unknown_reason: string | null;
  /** Row written. */
  updated_at: Instant;
}

/** What one evaluation saw. */
export type Observation =
  | { kind: 'breach' | 'clear'; value: string }
  | { kind: 'unknown'; reason: string };

/** Kinds of notice. */
export type NoticeKind = 'firing' | 'reminder' | 'escalation' | 'resolved' | 'notice';

/** A notice the step asks for; `transition` is its ledger key (unique per alert). */
export interface Notice {
  /** Kind. */
  kind: NoticeKind;
  /** Ledger key within the alert: `firing#2`, `reminder#2.1`, `escalation#2`, `resolved#2`, `notice#4`. */
  transition: string;
  /** Firing episode it belongs to (the missing-data stretch for `notice`). */
  episode: number;
}

/** The parts of a rule the state machine reads. */
export interface StepRule {
  /** Consecutive breaching evaluations before firing. */
  for: number;
  /** Reminder interval (ms) or null. */
  remindMs: number | null;
  /** Escalation delay (ms) or null. */
  escalateAfterMs: number | null;
}

/** A fresh OK state. */
export function initialState(alertKey: string, ruleId: string, subject: string, now: Instant): AlertState {
  return {
    alert_key: alertKey, rule_id: ruleId, subject, label: null, state: 'ok', breaches: 0, episode: 0, pending_since: null, fired_at: null,
    last_notified_at: null, reminders: 0, escalated: 0, last_value: null, last_eval_at: null, unknown_episode: 0, unknown_reason: null, updated_at: now,
  };
}

/** One evaluation. `inBusinessHours(now)` gates reminders (a reminder at 3 a.m. helps nobody). */
export function step(prev: AlertState, obs: Observation, now: Instant, rule: StepRule, inBusinessHours: (t: Instant) => boolean): { next: AlertState; notices: Notice[] } {
  const next: AlertState = { ...prev, updated_at: now };
  const notices: Notice[] = [];
  if (obs.kind === 'unknown') {
    // Neither fires nor clears: the counts stay as they are until the data can be seen again.
    if (prev.unknown_reason === null) {
      next.unknown_episode = prev.unknown_episode + 1;
      notices.push({ kind: 'notice', transition: `notice#${next.unknown_episode}`, episode: next.unknown_episode });
    }
    next.unknown_reason = obs.reason;
    return { next, notices };
  }
  next.unknown_reason = null;
  next.last_eval_at = now;
  next.last_value = obs.value;
  if (obs.kind === 'clear') {
    if (prev.state === 'firing') notices.push({ kind: 'resolved', transition: `resolved#${prev.episode}`, episode: prev.episode });
    Object.assign(next, { state: 'ok', breaches: 0, pending_since: null, fired_at: null, reminders: 0, escalated: 0 });
    return { next, notices };
  }
  // A breach.
  next.breaches = prev.breaches + 1;
  if (prev.state === 'ok') next.pending_since = now;
  if (prev.state !== 'firing') {
    if (next.breaches >= rule.for) {
      next.state = 'firing';
      next.episode = prev.episode + 1;
      next.fired_at = now;
      next.last_notified_at = now;
      next.reminders = 0;
      next.escalated = 0;
      notices.push({ kind: 'firing', transition: `firing#${next.episode}`, episode: next.episode });
    } else {
      next.state = 'pending';
    }
    return { next, notices };
  }
  // Still firing: an escalation once, reminders inside business hours.
  if (rule.escalateAfterMs !== null && !prev.escalated && prev.fired_at !== null && now - prev.fired_at >= rule.escalateAfterMs) {
    next.escalated = 1;
    next.last_notified_at = now;
    notices.push({ kind: 'escalation', transition: `escalation#${prev.episode}`, episode: prev.episode });
  } else if (rule.remindMs !== null && prev.last_notified_at !== null && now - prev.last_notified_at >= rule.remindMs && inBusinessHours(now)) {
    next.reminders = prev.reminders + 1;
    next.last_notified_at = now;
    notices.push({ kind: 'reminder', transition: `reminder#${prev.episode}.${next.reminders}`, episode: prev.episode });
  }
  return { next, notices };
}
