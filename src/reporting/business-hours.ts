import type { Settings } from '../config.js';
import type { CalendarDate, Instant } from '../types.js';
import { HOUR, addDays, dateOf, dayStart, weekday, zonedTime } from './time.js';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** `bh(a, b)`: hours of `[a, b)` inside business hours (kpi-spec §1), minus holidays. */
export interface BusinessHours {
  /** Business hours between two instants (0 when b ≤ a). */
  bh(a: Instant, b: Instant): number;
  /** Whether a date is a holiday. */
  isHoliday(date: CalendarDate): boolean;
}

/**
 * Business-hours arithmetic. Each local day has one open interval (settings.businessHours, DST-aware via
 * the zone); holidays and non-business weekdays have none. Whole days between the ends are summed from
 * a per-day cache, so a ticket open for months costs a few lookups, not a walk over every hour.
 */
export function createBusinessHours(settings: Pick<Settings, 'timezone' | 'businessHours'>, holidays: Iterable<CalendarDate>): BusinessHours {
  const tz = settings.timezone;
  const hol = new Set(holidays);
  const days = new Set(settings.businessHours.days);
  const [sh, sm] = settings.businessHours.start.split(':').map(Number) as [number, number];
  const [eh, em] = settings.businessHours.end.split(':').map(Number) as [number, number];
  const cache = new Map<CalendarDate, [Instant, Instant] | null>();

  function interval(date: CalendarDate): [Instant, Instant] | null {
    let v = cache.get(date);
    if (v !== undefined) return v;
    const open = days.has(DAY_NAMES[weekday(date) - 1]!) && !hol.has(date);
    v = open ? [zonedTime(date, sh, sm, tz), zonedTime(date, eh, em, tz)] : null;
    if (v && v[1] <= v[0]) v = null;
    cache.set(date, v);
    return v;
  }
  function overlap(date: CalendarDate, a: Instant, b: Instant): number {
    const iv = interval(date);
    if (!iv) return 0;
    const lo = Math.max(a, iv[0]);
    const hi = Math.min(b, iv[1]);
    return hi > lo ? hi - lo : 0;
  }
  // Prefix sums of whole-day business ms keyed by date, built lazily over the range needed.
  let base: CalendarDate | null = null;
  let prefix: number[] = [0];
  function dayIndex(date: CalendarDate): number {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const [by, bm, bd] = base!.split('-').map(Number) as [number, number, number];
    return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(by, bm - 1, bd)) / 86_400_000);
  }
  function ensure(date: CalendarDate): void {
    // Re-base (and rebuild) when a date before the current base shows up.
    if (base === null || dayIndex(date) < 0) {
      base = addDays(date, -400);
      prefix = [0];
    }
    const idx = dayIndex(date);
    while (prefix.length <= idx + 1) {
      const d = addDays(base!, prefix.length - 1);
      const iv = interval(d);
      prefix.push(prefix[prefix.length - 1]! + (iv ? iv[1] - iv[0] : 0));
    }
  }
  /** Sum of whole-day business ms for dates in [d1, d2). */
  function wholeDays(d1: CalendarDate, d2: CalendarDate): number {
    if (d2 <= d1) return 0;
    ensure(d1);
    ensure(d2);
    return prefix[dayIndex(d2)]! - prefix[dayIndex(d1)]!;
  }

  return {
    isHoliday: (date) => hol.has(date),
    bh(a, b) {
      if (!(b > a)) return 0;
      const da = dateOf(a, tz);
      const db = dateOf(b, tz);
      if (da === db) return overlap(da, a, b) / HOUR;
      const first = overlap(da, a, dayStart(addDays(da, 1), tz));
      const last = overlap(db, dayStart(db, tz), b);
      return (first + wholeDays(addDays(da, 1), db) + last) / HOUR;
    },
  };
}
