import type { Cell, ColumnSpec, Headline, MetricUnit, MetricValue } from '../types.js';

/** How numbers, dates and money are written in reports. */
export interface FormatOptions {
  /** BCP 47 locale for digits and grouping (default `en-US`). */
  locale?: string;
  /** ISO 4217 code for money; without it, the locale's region's currency (see currencyOf). */
  currency?: string;
  /** IANA zone in which instants are shown. */
  timezone: string;
}

// The currency of a locale's region when the settings name none; the euro area by its members.
const REGION_CURRENCY: Record<string, string> = {
  US: 'USD', CA: 'CAD', GB: 'GBP', AU: 'AUD', NZ: 'NZD', IE: 'EUR', DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR',
  BE: 'EUR', AT: 'EUR', FI: 'EUR', PT: 'EUR', LU: 'EUR', GR: 'EUR', SK: 'EUR', SI: 'EUR', EE: 'EUR', LV: 'EUR', LT: 'EUR',
  CH: 'CHF', SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN', CZ: 'CZK', ZA: 'ZAR', IN: 'INR', JP: 'JPY', SG: 'SGD', MX: 'MXN', BR: 'BRL',
};

/** The currency money is shown in: the setting, else the locale's region's (en-US → USD), else USD. */
export function currencyOf(o: Pick<FormatOptions, 'currency' | 'locale'>): string {
  if (o.currency) return o.currency;
  let region: string | undefined;
  try { region = new Intl.Locale(o.locale ?? 'en-US').maximize().region; } catch { region = undefined; }
  return (region && REGION_CURRENCY[region]) || 'USD';
}

/** Shown for a null metric (a 0 denominator) or an empty cell. */
export const EMPTY = '—';
// A no-break space keeps "93.4 %" on one line in narrow tiles and table cells.
const NBSP = '\u00a0';

// Building an Intl formatter costs far more than using one; a 500-row table formats thousands of cells.
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, o: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(o)}`;
  let f = numberFormats.get(key);
  if (!f) { f = new Intl.NumberFormat(locale, o); numberFormats.set(key, f); }
  return f;
}

// The plain formats by locale and digits, without building the general key (a board poll formats ~2,500 cells).
const plainFormats = new Map<string, Intl.NumberFormat>();
function num(v: number, min: number, max: number, locale: string): string {
  const key = `${locale}|${min}|${max}`;
  let f = plainFormats.get(key);
  if (!f) { f = numberFormat(locale, { minimumFractionDigits: min, maximumFractionDigits: max }); plainFormats.set(key, f); }
  return f.format(v);
}

/** Formats a metric value by its unit: pct → "93.4 %", hours → "12.5 h", null → "—". */
export function formatValue(value: MetricValue | undefined, unit: MetricUnit | undefined, o: FormatOptions): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return EMPTY;
  const locale = o.locale ?? 'en-US';
  switch (unit) {
    case 'pct':
      return `${num(value, 1, 1, locale)}${NBSP}%`;
    case 'ratio':
      return num(value, 2, 2, locale);
    case 'hours':
      return `${num(value, 1, 1, locale)}${NBSP}h`;
    case 'minutes':
      return minutesText(value, locale);
    case 'days':
      return `${num(value, 1, 1, locale)}${NBSP}d`;
    case 'fte':
      return `${num(value, 1, 1, locale)}${NBSP}FTE`;
    case 'money':
      // Whole currency units: one precision down a column (cents are noise on revenue and cost figures), and
      // always the currency's symbol so a figure is never read as hours or a count.
      return numberFormat(locale, {
        style: 'currency', currency: currencyOf(o), minimumFractionDigits: 0, maximumFractionDigits: 0,
      }).format(value);
    case 'count':
    default:
      return Number.isInteger(value) ? num(value, 0, 0, locale) : num(value, 1, 1, locale);
  }
}

/**
 * Minutes in the unit a reader counts them in: "45 min", "5 h 20 min", "12 d 3 h" (a signed value keeps its sign:
 * a ticket 575,674 minutes past due reads "−399 d 18 h"). Exports (CSV, XLSX, JSON) keep the minutes.
 */
function minutesText(value: number, locale: string): string {
  const sign = value < 0 ? '\u2212' : '';
  const m = Math.round(Math.abs(value));
  if (m < 60) return `${sign}${num(m, 0, 0, locale)}${NBSP}min`;
  if (m < 1440) return `${sign}${Math.floor(m / 60)}${NBSP}h${m % 60 ? ` ${m % 60}${NBSP}min` : ''}`;
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  return `${sign}${num(d, 0, 0, locale)}${NBSP}d${h ? ` ${h}${NBSP}h` : ''}`;
}

/** Short axis-tick form of a value: money with its currency symbol, compact thousands ("$12K"). */
export function formatTick(value: number, unit: MetricUnit | undefined, o: { locale?: string; currency?: string } | string = {}): string {
  const f = typeof o === 'string' ? { locale: o } : o;
  const locale = f.locale ?? 'en-US';
  if (unit === 'pct') return `${num(value, 0, 1, locale)} %`;
  if (unit === 'money') {
    return numberFormat(locale, { style: 'currency', currency: currencyOf(f), notation: 'compact', maximumFractionDigits: 1 }).format(value);
  }
  if (Math.abs(value) >= 1000) {
    return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  }
  return num(value, 0, 2, locale);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function parts(instant: number, timezone: string): Record<string, string> {
  let f = dateFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
    dateFormats.set(timezone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(instant))) out[p.type] = p.value;
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function humanDate(instant: number, timezone: string): string {
  const p = parts(instant, timezone);
  return `${Number(p.day)} ${MONTHS[Number(p.month) - 1]} ${p.year}`;
}

/**
 * `20 Nov 2026, 14:05 CET` in the given zone: the one date style of every document (periods, cells, stamps),
 * with the zone named once per line (`withZone` false inside tables, whose zone the masthead names).
 */
export function formatDateTime(instant: number, timezone: string, withZone = true): string {
  const p = parts(instant, timezone);
  const base = `${humanDate(instant, timezone)}, ${p.hour}:${p.minute}`;
  return withZone ? `${base} ${p.timeZoneName}` : base;
}

/** `20 Nov 2026` in the given zone. */
export function formatDate(instant: number, timezone: string): string {
  return humanDate(instant, timezone);
}

/** Full month name and year of an instant in the zone ("November 2026"). */
export function formatMonth(instant: number, timezone: string, locale = 'en-US'): string {
  return new Intl.DateTimeFormat(locale, { timeZone: timezone, month: 'long', year: 'numeric' }).format(new Date(instant));
}

/**
 * The period a result covers, as people say it: "3 Nov 2026 – 9 Nov 2026". The window is half-open, so
 * the last day shown is the day of `to − 1 ms`; point-in-time results read "As of …".
 */
export function formatPeriod(window: { from: string; to: string } | null, asOf: string, timezone: string): string {
  if (!window) {
    const t = Date.parse(asOf);
    return Number.isFinite(t) ? `As of ${formatDateTime(t, timezone)}` : `As of ${asOf}`;
  }
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return `${window.from} – ${window.to}`;
  const a = humanDate(from, timezone);
  const b = humanDate(Math.max(from, to - 1), timezone);
  return a === b ? a : `${a} – ${b}`;
}

/** Formats one table cell by its column's hint. */
export function formatCell(value: Cell | undefined, col: ColumnSpec, o: FormatOptions): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  const unit = col.unit ?? 'text';
  switch (unit) {
    case 'text':
      return String(value);
    case 'bool':
      return value === true || value === 1 || value === '1' || value === 'true' ? 'Yes' : 'No';
    case 'date': {
      if (typeof value === 'number') return formatDate(value, o.timezone);
      // Calendar dates are stored as YYYY-MM-DD: the same style as instants, read as that day.
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
      return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : String(value);
    }
    case 'datetime': {
      const t = typeof value === 'number' ? value : Date.parse(String(value));
      return Number.isFinite(t) ? formatDateTime(t, o.timezone, false) : String(value);
    }
    default: {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return String(value);
      if (col.exact && unit === 'money') {
        return numberFormat(o.locale ?? 'en-US', { style: 'currency', currency: currencyOf(o), minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
      }
      if (col.exact && unit === 'hours') return `${num(n, 2, 2, o.locale ?? 'en-US')}${NBSP}h`;
      return formatValue(n, unit, o);
    }
  }
}

/**
 * Gives a very long unbroken run (a pasted URL, a 10,000-character title) break opportunities every
 * `every` characters with zero-width spaces, so a table column cannot be forced wider than the page.
 */
export function softWrap(text: string, every = 32): string {
  return text.replace(new RegExp(`[^\\s\u200b]{${every + 1},}`, 'gu'), (run) => {
    const chars = Array.from(run);
    const out: string[] = [];
    for (let i = 0; i < chars.length; i += every) out.push(chars.slice(i, i + every).join(''));
    return out.join('\u200b');
  });
}

/**
 * Shortens a cell for print: past `max` characters a reader is served better by a note than by pages of
 * one cell (the CSV keeps the full text).
 */
export function clip(text: string, max = 600): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max).join('')}… [${(chars.length - max).toLocaleString('en-US')} more characters; the CSV has the full text]`;
}

/** Whether a column holds numbers (right-aligned, tabular digits). */
export function isNumericColumn(col: ColumnSpec): boolean {
  const u = col.unit ?? 'text';
  return u !== 'text' && u !== 'bool' && u !== 'date' && u !== 'datetime';
}

/** The change of a headline against the previous period, for the tile's arrow line. */
export interface Change {
  /** "▲", "▼" or "=". */
  arrow: string;
  /** e.g. "+2.1 pts" or "−12 (−8.5 %)". */
  text: string;
  /** Whether the change is good, bad or neither, given `better`. */
  tone: 'good' | 'bad' | 'neutral';
}

/** Change of a headline against its previous value, or null when either side is unknown. */
export function headlineChange(h: Headline, o: FormatOptions): Change | null {
  if (h.value === null || h.previous === null || !Number.isFinite(h.value) || !Number.isFinite(h.previous)) return null;
  const d = h.value - h.previous;
  const locale = o.locale ?? 'en-US';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const abs = Math.abs(d);
  let text: string;
  if (h.unit === 'pct') {
    // The difference of two percentages is in points, not percent.
    text = `${sign}${num(abs, 1, 1, locale)}${NBSP}pts`;
  } else {
    text = `${sign}${formatValue(abs, h.unit, o)}`;
    if (h.previous !== 0) text += ` (${sign}${num(Math.abs((d / h.previous) * 100), 1, 1, locale)}${NBSP}%)`;
  }
  const tiny = abs < 1e-9;
  if (tiny) return { arrow: '=', text: 'no change', tone: 'neutral' };
  const arrow = tiny ? '=' : d > 0 ? '▲' : '▼';
  let tone: Change['tone'] = 'neutral';
  if (!tiny && h.better !== 'none') tone = (d > 0) === (h.better === 'higher') ? 'good' : 'bad';
  return { arrow, text, tone };
}

/** Words for a traffic light, so the tile reads the same printed in greyscale. */
export function lightLabel(light: Headline['light']): string {
  switch (light) {
    case 'green': return 'On target';
    case 'amber': return 'Near target';
    case 'red': return 'Off target';
    default: return '';
  }
}
