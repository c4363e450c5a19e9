import { AppError } from '../errors.js';
import type { CalendarDate, Instant, Window, WindowKind } from '../types.js';

/**
 * Time-zone arithmetic on instants (epoch ms) and calendar dates, through Intl only.
 * Days, ISO weeks and months are those of the settings' IANA zone (kpi-spec §1); DST days are 23 or 25
 * hours long, so day steps go through calendar dates, never through "+ 24 h".
 */

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Offsets change at most at DST transitions; caching per 15-minute bucket keeps bulk conversions cheap. */
const offsetCache = new Map<string, Map<number, number>>();

/** Offset of `tz` from UTC at instant `t`, in ms (local = utc + offset). */
export function tzOffset(t: Instant, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  let cache = offsetCache.get(tz);
  if (!cache) { cache = new Map(); offsetCache.set(tz, cache); }
  const bucket = Math.floor(t / 900_000);
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  const parts = formatter(tz).formatToParts(new Date(bucket * 900_000));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const off = local - bucket * 900_000;
  if (cache.size > 200_000) cache.clear();
  cache.set(bucket, off);
  return off;
}

/** Local wall-clock parts of an instant. */
export function localParts(t: Instant, tz: string): { y: number; m: number; d: number; hh: number; mm: number; dow: number } {
  const l = new Date(t + tzOffset(t, tz));
  const dow = l.getUTCDay();
  return { y: l.getUTCFullYear(), m: l.getUTCMonth() + 1, d: l.getUTCDate(), hh: l.getUTCHours(), mm: l.getUTCMinutes(), dow: dow === 0 ? 7 : dow };
}

/** The calendar date of instant `t` in `tz`. */
export function dateOf(t: Instant, tz: string): CalendarDate {
  return new Date(t + tzOffset(t, tz)).toISOString().slice(0, 10);
}

/**
 * The instant of local wall-clock time `date hh:mm` in `tz`. A time skipped by a spring-forward gap maps to
 * the first instant after the gap; an ambiguous fall-back time maps to its first (earlier) occurrence.
 */
export function zonedTime(date: CalendarDate, hh: number, mm: number, tz: string): Instant {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // Try both offsets around the wall time; keep the earliest instant that shows this wall time.
  const o1 = tzOffset(wall - 12 * HOUR, tz);
  const o2 = tzOffset(wall + 12 * HOUR, tz);
  const candidates = [wall - o1, wall - o2].sort((a, b) => a - b);
  for (const c of candidates) if (c + tzOffset(c, tz) === wall) return c;
  // In a spring-forward gap the wall time does not exist: read it with the offset in force before the
  // gap, which lands as far past the gap's start as the wall time was (02:30 → 03:30 EDT), like Temporal's
  // "compatible" disambiguation.
  return wall - o1;
}

const midnightCache = new Map<string, Instant>();
/** 00:00 of `date` in `tz` (cached: millions of time entries share a few thousand dates). */
export function dayStart(date: CalendarDate, tz: string): Instant {
  const key = `${tz}|${date}`;
  let v = midnightCache.get(key);
  if (v === undefined) {
    v = zonedTime(date.slice(0, 10), 0, 0, tz);
    if (midnightCache.size > 500_000) midnightCache.clear();
    midnightCache.set(key, v);
  }
  return v;
}

/** `date` plus `n` calendar days. */
export function addDays(date: CalendarDate, n: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** ISO weekday of a date, 1 = Monday … 7 = Sunday. */
export function weekday(date: CalendarDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  const p = (s: string) => { const [y, m, d] = s.split('-').map(Number) as [number, number, number]; return Date.UTC(y, m - 1, d); };
  return Math.round((p(b) - p(a)) / DAY);
}

/** Monday of the ISO week containing `date`. */
export function isoWeekMonday(date: CalendarDate): CalendarDate {
  return addDays(date, 1 - weekday(date));
}

/** ISO week label `YYYY-Www` of a date. */
export function isoWeekLabel(date: CalendarDate): string {
  const thursday = addDays(date, 4 - weekday(date));
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** First day of the month of `date`, shifted by `n` months. */
export function monthStart(date: CalendarDate, n = 0): CalendarDate {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10);
}

/**
 * The default window of a report kind at as-of `t` (kpi-spec §1): half-open, in `tz`.
 * `last-7-days` and `next-7-days` are exact 7 × 24 h spans from `t`, `last-30-days` 30 × 24 h.
 */
export function resolveWindow(kind: WindowKind, t: Instant, tz: string): Window | null {
  const today = dateOf(t, tz);
  switch (kind) {
    case 'point-in-time':
      return null;
    case 'previous-week': {
      const w0 = isoWeekMonday(today);
      return { from: dayStart(addDays(w0, -7), tz), to: dayStart(w0, tz) };
    }
    case 'previous-month': {
      return { from: dayStart(monthStart(today, -1), tz), to: dayStart(monthStart(today, 0), tz) };
    }
    case 'last-7-days':
      return { from: t - 7 * DAY, to: t };
    case 'last-30-days':
      return { from: t - 30 * DAY, to: t };
    case 'next-7-days':
      return { from: t, to: t + 7 * DAY };
  }
}

/** Shifts a window kind back by `n` periods (for trends): weeks or months, calendar-aware. */
export function previousWindow(kind: WindowKind, w: Window, n: number, tz: string): Window {
  if (kind === 'previous-month') {
    const from = dateOf(w.from, tz);
    return { from: dayStart(monthStart(from, -n), tz), to: dayStart(monthStart(from, -n + 1), tz) };
  }
  // A 30-day window steps by its own length, like the window itself.
  if (kind === 'last-30-days') return { from: w.from - 30 * n * DAY, to: w.to - 30 * n * DAY };
  // Week-based and 7-day windows step by calendar weeks.
  const from = dateOf(w.from, tz);
  const to = dateOf(w.to, tz);
  const isMidnight = dayStart(from, tz) === w.from && dayStart(to, tz) === w.to;
  if (isMidnight) return { from: dayStart(addDays(from, -7 * n), tz), to: dayStart(addDays(to, -7 * n), tz) };
  return { from: w.from - 7 * n * DAY, to: w.to - 7 * n * DAY };
}

/** Years a command-line time may name: a two-digit or far year is a typo, not a report period. */
export const WHEN_YEARS = { min: 2000, max: 2100 } as const;

/**
 * Parses a command-line time: `YYYY-MM-DD` (00:00 of that date in `tz`), an ISO instant with `Z` or an
 * offset, or an ISO local date-time without offset (wall time in `tz`). `what` names the flag for errors.
 * Every field is checked against the calendar: the engine's own parser rolls 2026-13-45 over into 2027
 * and reads year 0050 as 1950, silently.
 */
export function parseWhen(s: string, tz: string, what: string): Instant {
  const allowed = `Allowed: YYYY-MM-DD (midnight in ${tz}), YYYY-MM-DDTHH:MM (wall time in ${tz}), or an ISO instant such as 2026-11-02T09:00:00Z`;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([zZ]|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) throw new AppError(`${what}: "${s}" is not a date or time. ${allowed}`, 'USAGE');
  const [y, mo, d, hh, mi, ss] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const wrong = (why: string) => new AppError(`${what}: "${s}" is not a valid date or time (${why}). ${allowed}`, 'USAGE');
  if (y < WHEN_YEARS.min || y > WHEN_YEARS.max) throw wrong(`the year must be from ${WHEN_YEARS.min} to ${WHEN_YEARS.max}`);
  if (mo < 1 || mo > 12) throw wrong('the month must be from 01 to 12');
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) throw wrong(`${String(mo).padStart(2, '0')}/${y} has days 01 to ${days}`);
  if (hh > 23 || mi > 59 || ss > 59) throw wrong('the time must be from 00:00:00 to 23:59:59');
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  if (m[4] === undefined) return dayStart(date, tz);
  const frac = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  const zone = m[8];
  if (zone === undefined) return zonedTime(date, hh, mi, tz) + ss * 1000 + frac;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(-2));
    if (oh > 23 || om > 59) throw wrong('the offset must be from -23:59 to +23:59');
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(y, mo - 1, d, hh, mi, ss) + frac - offsetMin * 60_000;
}

/** ISO string of an instant (UTC). */
export function iso(t: Instant): string {
  return new Date(t).toISOString();
}
