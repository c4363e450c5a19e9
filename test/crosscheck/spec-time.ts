/**
 * Time-zone arithmetic for the cross-check, written straight from kpi-spec §1 with Intl only. Deliberately
 * independent of src/reporting/time.ts: a shared bug would hide from a checker that reused it.
 */

export const H = 3_600_000;
export const D = 86_400_000;

const fmts = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmts.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    fmts.set(tz, f);
  }
  return f;
}

/** Wall-clock reading of instant t in tz, as if it were UTC (ms). */
function wall(t: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const x of fmt(tz).formatToParts(new Date(t))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!) + (t % 1000 + 1000) % 1000;
}

/** Calendar date (YYYY-MM-DD) of instant t in tz. */
export function localDate(t: number, tz: string): string {
  return new Date(wall(t, tz)).toISOString().slice(0, 10);
}

/** The instant at which the wall clock in tz reads `date hh:mm` (first occurrence; no gap at these hours in the zones used). */
export function at(date: string, hh: number, mm: number, tz: string): number {
  const target = Date.parse(`${date}T00:00:00Z`) + hh * H + mm * 60_000;
  // Two fixed-point steps converge for any zone offset that is constant around the target.
  let t = target - (wall(target, tz) - target);
  t = target - (wall(t, tz) - t);
  let best = t;
  // Earlier occurrence on a fall-back repetition.
  if (wall(t - H, tz) === target) best = t - H;
  return best;
}

/** 00:00 of a date in tz. */
export const midnight = (date: string, tz: string) => at(date, 0, 0, tz);

/** A date plus n calendar days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * D).toISOString().slice(0, 10);
}

/** ISO weekday 1 (Mon) .. 7 (Sun) of a date. */
export function isoDow(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Date string of a simulator date-only value (epoch ms at 00:00 UTC). */
export const simDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** previous-week window of T: the last full ISO week before T. */
export function previousWeek(T: number, tz: string): { from: number; to: number } {
  const today = localDate(T, tz);
  const monday = addDays(today, 1 - isoDow(today));
  return { from: midnight(addDays(monday, -7), tz), to: midnight(monday, tz) };
}

/** previous-month window of T: the last full calendar month before T. */
export function previousMonth(T: number, tz: string): { from: number; to: number } {
  const today = localDate(T, tz);
  const first = `${today.slice(0, 7)}-01`;
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  const prev = m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
  return { from: midnight(prev, tz), to: midnight(first, tz) };
}

/** Dates whose 00:00 lies in [from, to). */
export function datesIn(from: number, to: number, tz: string): string[] {
  const out: string[] = [];
  let d = localDate(from, tz);
  if (midnight(d, tz) < from) d = addDays(d, 1);
  for (; midnight(d, tz) < to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Nearest-rank percentile (kpi-spec §1): the value at 1-based rank ceil(k/100 · n) of the sorted list. */
export function percentile(values: number[], k: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((k / 100) * s.length)) - 1]!;
}

/** Business hours of [a, b) (kpi-spec §1): business days' hours in tz, minus holidays. */
export function businessHours(a: number, b: number, tz: string, days: Set<number>, start: [number, number], end: [number, number], holidays: Set<string>): number {
  if (!(b > a)) return 0;
  let total = 0;
  for (let d = addDays(localDate(a, tz), -1); ; d = addDays(d, 1)) {
    const s = at(d, start[0], start[1], tz);
    if (s >= b) break;
    if (!days.has(isoDow(d)) || holidays.has(d)) continue;
    const e = at(d, end[0], end[1], tz);
    const lo = Math.max(a, s);
    const hi = Math.min(b, e);
    if (hi > lo) total += hi - lo;
  }
  return total / H;
}
