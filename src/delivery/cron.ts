/**
 * Pure schedule maths: 5-field cron expressions evaluated on wall-clock minutes of an IANA time zone.
 * Nothing here reads the clock; `now` is always an argument (design style 6).
 *
 * Daylight saving time, documented behaviour:
 * - A wall-clock time that does not exist (spring forward, e.g. 02:30 in America/New_York on the second
 *   Sunday of March) fires once, at the first valid minute after the gap (03:00 EDT). Several missing
 *   times collapse into that one instant.
 * - A wall-clock time that happens twice (fall back, e.g. 01:30 on the first Sunday of November) fires
 *   once, at its first occurrence (01:30 EDT).
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A parsed cron expression: the allowed values of each field. */
export interface CronExpr {
  /** Source text. */
  source: string;
  /** Minutes 0–59. */
  minutes: number[];
  /** Hours 0–23. */
  hours: number[];
  /** Days of the month 1–31. */
  days: Set<number>;
  /** Months 1–12. */
  months: Set<number>;
  /** Days of the week 0–6, Sunday 0. */
  weekdays: Set<number>;
  /** Day-of-month field was `*` (cron's OR rule between day fields needs this). */
  anyDay: boolean;
  /** Day-of-week field was `*`. */
  anyWeekday: boolean;
}

/** Catch-up policy after an outage (see `dueRuns`). */
export type CatchUp = { kind: 'skip' } | { kind: 'latest' } | { kind: 'all-within'; ms: number };

/** The part of a schedule the maths needs. */
export interface CronSchedule {
  /** 5-field cron expression. */
  cron: string;
  /** IANA zone the expression is read in. */
  timezone: string;
  /** Catch-up policy. */
  catchUp: CatchUp;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Thrown for an invalid expression; the message says which field and what is allowed. */
export class CronError extends Error {}

function parseField(text: string, name: string, min: number, max: number, names?: string[]): number[] {
  const out = new Set<number>();
  const value = (v: string): number => {
    const lower = v.toLowerCase();
    if (names) {
      const i = names.indexOf(lower);
      if (i >= 0) return i + (name === 'month' ? 1 : 0);
    }
    if (!/^\d+$/.test(v)) throw new CronError(`${name} field: "${v}" is not a number${names ? ` or a name (${names.join(', ')})` : ''}`);
    const n = Number(v);
    // Day of week 7 is Sunday in most crons.
    if (name === 'day-of-week' && n === 7) return 0;
    if (n < min || n > max) throw new CronError(`${name} field: ${n} is outside ${min}–${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    if (part === '') throw new CronError(`${name} field: empty list item in "${text}"`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) throw new CronError(`${name} field: "${part}" has more than one "/"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`${name} field: step "${stepText}" must be a positive whole number`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = name === 'day-of-week' ? 6 : max;
    } else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      lo = value(a!);
      hi = value(b!);
      // "5-7" for weekdays means Fri–Sun: 7 maps to 0 above, so keep the upper bound as 7 here.
      if (name === 'day-of-week' && b === '7') hi = 7;
      if (hi < lo) throw new CronError(`${name} field: range "${range}" runs backwards`);
    } else {
      lo = value(range!);
      hi = stepText === undefined ? lo : name === 'day-of-week' ? 6 : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(name === 'day-of-week' ? v % 7 : v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Parses a 5-field expression `minute hour day-of-month month day-of-week`. */
export function parseCron(source: string): CronExpr {
  const fields = source.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CronError(`"${source}" has ${fields.length} fields; expected 5: minute hour day-of-month month day-of-week (e.g. "0 7 * * mon")`);
  }
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const expr: CronExpr = {
    source,
    minutes: parseField(mi, 'minute', 0, 59),
    hours: parseField(h, 'hour', 0, 23),
    days: new Set(parseField(dom, 'day-of-month', 1, 31)),
    months: new Set(parseField(mon, 'month', 1, 12, MONTHS)),
    weekdays: new Set(parseField(dow, 'day-of-week', 0, 7, WEEKDAYS)),
    anyDay: dom === '*',
    anyWeekday: dow === '*',
  };
  // An expression that can never match (e.g. 30 February) would make nextRun search forever.
  const maxDays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const possible = [...expr.months].some((m) => [...expr.days].some((d) => d <= maxDays[m - 1]!));
  if (!possible && expr.anyWeekday) throw new CronError(`"${source}" never matches: no month has that day`);
  return expr;
}

/** Parses a catch-up policy: `skip`, `latest` or `all-within:<n>(m|h|d)`. */
export function parseCatchUp(text: string): CatchUp {
  if (text === 'skip' || text === 'latest') return { kind: text };
  const m = /^all-within:(\d+)(m|h|d)$/.exec(text);
  if (m) return { kind: 'all-within', ms: Number(m[1]) * { m: MINUTE, h: 60 * MINUTE, d: DAY }[m[2] as 'm' | 'h' | 'd'] };
  throw new CronError(`catch-up "${text}": allowed values are "skip", "latest" or "all-within:<n>m|h|d" (e.g. "all-within:6h")`);
}

// ---- time zone arithmetic via Intl ----

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
export interface Wall {
  /** Year. */
  y: number;
  /** Month 1–12. */
  mo: number;
  /** Day 1–31. */
  d: number;
  /** Hour 0–23. */
  h: number;
  /** Minute 0–59. */
  mi: number;
}

/** The wall clock of `t` in `tz` (minute precision). */
export function wallOf(t: number, tz: string): Wall {
  const parts = formatter(tz).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute') };
}

/** Offset (local − UTC, ms) in force at instant t. */
function offsetAt(t: number, tz: string): number {
  const w = wallOf(t, tz);
  const flat = Math.floor(t / MINUTE) * MINUTE;
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - flat;
}

function sameWall(a: Wall, b: Wall): boolean {
  return a.y === b.y && a.mo === b.mo && a.d === b.d && a.h === b.h && a.mi === b.mi;
}

/**
 * The instant a wall-clock minute happens in `tz`: the first of two in a repeated hour; for a minute
 * inside a spring-forward gap, the first valid minute after the gap.
 */
export function wallToInstant(w: Wall, tz: string): number {
  const guess = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
  const before = offsetAt(guess - DAY, tz);
  const after = offsetAt(guess + DAY, tz);
  const hits = [...new Set([before, after])]
    .map((o) => guess - o)
    .filter((t) => sameWall(wallOf(t, tz), w))
    .sort((a, b) => a - b);
  if (hits.length) return hits[0]!;
  // In a gap: the transition lies between guess − after and guess − before; walk it minute by minute.
  let lo = Math.min(guess - before, guess - after);
  const hi = Math.max(guess - before, guess - after);
  while (lo < hi && offsetAt(lo, tz) !== after) lo += MINUTE;
  return lo;
}

function addDays(y: number, mo: number, d: number, n: number): { y: number; mo: number; d: number; dow: number } {
  const dt = new Date(Date.UTC(y, mo - 1, d + n));
  return { y: dt.getUTCFullYear(), mo: dt.getUTCMonth() + 1, d: dt.getUTCDate(), dow: dt.getUTCDay() };
}

function dayMatches(c: CronExpr, mo: number, d: number, dow: number): boolean {
  if (!c.months.has(mo)) return false;
  // Classic cron: when both day fields are restricted, either may match.
  if (!c.anyDay && !c.anyWeekday) return c.days.has(d) || c.weekdays.has(dow);
  return c.days.has(d) && c.weekdays.has(dow);
}

/** Occurrences of one local day, ascending, deduplicated (gap minutes collapse). */
function occurrencesOfDay(c: CronExpr, tz: string, y: number, mo: number, d: number): number[] {
  const out = new Set<number>();
  for (const h of c.hours) for (const mi of c.minutes) out.add(wallToInstant({ y, mo, d, h, mi }, tz));
  return [...out].sort((a, b) => a - b);
}

const SEARCH_LIMIT_DAYS = 366 * 5;

/** Occurrences in `(from, to]`, ascending. */
export function occurrencesBetween(expr: CronExpr | string, tz: string, from: number, to: number): number[] {
  const c = typeof expr === 'string' ? parseCron(expr) : expr;
  if (to <= from) return [];
  const out: number[] = [];
  // Start a day early: an occurrence near midnight may belong to the previous local day's list.
  const start = wallOf(from, tz);
  const endWall = wallOf(to, tz);
  const last = Date.UTC(endWall.y, endWall.mo - 1, endWall.d);
  for (let i = -1; ; i++) {
    const day = addDays(start.y, start.mo, start.d, i);
    if (Date.UTC(day.y, day.mo - 1, day.d) > last + DAY) break;
    if (!dayMatches(c, day.mo, day.d, day.dow)) continue;
    for (const t of occurrencesOfDay(c, tz, day.y, day.mo, day.d)) if (t > from && t <= to) out.push(t);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The first occurrence strictly after `after`, or null when none within five years. */
export function nextRun(schedule: Pick<CronSchedule, 'cron' | 'timezone'>, after: number): number | null {
  const c = parseCron(schedule.cron);
  const start = wallOf(after, schedule.timezone);
  for (let i = -1; i < SEARCH_LIMIT_DAYS; i++) {
    const day = addDays(start.y, start.mo, start.d, i);
    if (!dayMatches(c, day.mo, day.d, day.dow)) continue;
    const hit = occurrencesOfDay(c, schedule.timezone, day.y, day.mo, day.d).find((t) => t > after);
    if (hit !== undefined) return hit;
  }
  return null;
}

/** The last occurrence in `(after, atOrBefore]`, or null. Searches backwards, so a long outage is cheap. */
export function previousRun(schedule: Pick<CronSchedule, 'cron' | 'timezone'>, atOrBefore: number, after = -Infinity): number | null {
  const c = parseCron(schedule.cron);
  const start = wallOf(atOrBefore, schedule.timezone);
  for (let i = 0; i > -SEARCH_LIMIT_DAYS; i--) {
    const day = addDays(start.y, start.mo, start.d, i);
    if (Date.UTC(day.y, day.mo - 1, day.d) + 2 * DAY < after) return null;
    if (!dayMatches(c, day.mo, day.d, day.dow)) continue;
    const hits = occurrencesOfDay(c, schedule.timezone, day.y, day.mo, day.d).filter((t) => t <= atOrBefore && t > after);
    if (hits.length) return hits[hits.length - 1]!;
  }
  return null;
}

/** How long after its instant an occurrence still counts as "due now" under the `skip` policy. */
export const SKIP_GRACE_MS = 60_000;

/**
 * The occurrences to run now: those in `(lastDueAt, now]` that the catch-up policy keeps.
 * - `skip`: only an occurrence due within the last minute (`graceMs`); everything older is dropped.
 * - `latest`: only the most recent missed occurrence.
 * - `all-within:N`: every occurrence in the last N (and after lastDueAt).
 * `lastDueAt` null means the schedule has no history (new, or a fresh database): then nothing from
 * the past is caught up, whatever the policy — only an occurrence due right now fires.
 */
export function dueRuns(schedule: CronSchedule, lastDueAt: number | null, now: number, graceMs = SKIP_GRACE_MS): number[] {
  const floor = lastDueAt ?? -Infinity;
  if (now <= floor) return [];
  const policy: CatchUp = lastDueAt === null ? { kind: 'skip' } : schedule.catchUp;
  switch (policy.kind) {
    case 'skip': {
      const t = previousRun(schedule, now, Math.max(floor, now - graceMs));
      return t === null ? [] : [t];
    }
    case 'latest': {
      const t = previousRun(schedule, now, floor);
      return t === null ? [] : [t];
    }
    case 'all-within':
      return occurrencesBetween(schedule.cron, schedule.timezone, Math.max(floor, now - policy.ms), now);
  }
}
