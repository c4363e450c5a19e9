/**
 * Autotask's wire formats. Datetimes are UTC ISO strings; a real tenant returns some with milliseconds
 * and some without, so clients must accept both. Date-only fields come back as midnight without a zone.
 */

/** UTC ISO datetime; whole-second values of even ids drop the `.000` (deterministic variety). */
export function formatDateTime(ms: number, id: number): string {
  const iso = new Date(ms).toISOString();
  if (ms % 1000 === 0 && id % 2 === 0) return `${iso.slice(0, 19)}Z`;
  return iso;
}

/** Date-only field: `YYYY-MM-DDT00:00:00`. */
export function formatDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 10)}T00:00:00`;
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
