/**
 * Autotask's wire formats. Datetimes are UTC ISO strings; a real tenant returns some with milliseconds
 * and some without, so clients must accept both. Date-only fields come back as midnight without a zone.
 */

const dayCache = new Map<number, string>();

/** `YYYY-MM-DD` of a UTC day number, cached: pages repeat the same few hundred days. */
function dayString(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    s = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dayCache.size > 20_000) dayCache.clear();
    dayCache.set(day, s);
  }
  return s;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** UTC ISO datetime; whole-second values of even ids drop the `.000` (deterministic variety). */
export function formatDateTime(ms: number, id: number): string {
  if (ms < 0 || ms > 253_402_300_799_999) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  let rest = ms - day * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const frac = rest - s * 1000;
  const base = `${dayString(day)}T${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  if (frac === 0 && id % 2 === 0) return `${base}Z`;
  return `${base}.${frac < 10 ? `00${frac}` : frac < 100 ? `0${frac}` : frac}Z`;
}

/** Date-only field: `YYYY-MM-DDT00:00:00`. */
export function formatDate(ms: number): string {
  return `${dayString(Math.floor(ms / 86_400_000))}T00:00:00`;
}

/**
 * Parses a datetime as Autotask accepts it in filters and writes: with or without `Z`, fractional
 * seconds or a time part; offset-less values are UTC. Returns NaN when unparseable.
 */
export function parseInstant(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = m;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +sec, Math.floor(+`0.${frac}` * 1000));
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4)) * 60_000;
  }
  return ms;
}

/** Midnight UTC of the calendar date of an instant. */
export function dayStart(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}
