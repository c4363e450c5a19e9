import type { EntityDef, FieldType } from '../autotask/entities.js';
import { recordId, type AutotaskRecord } from '../autotask/client.js';
import { printable } from '../errors.js';
import { parseInstant } from '../store/sync-store.js';

/**
 * Checks the records of a page against the entity's field list before they are stored.
 *
 * The store converts what it is given (a numeric string into a number, a datetime string into epoch ms),
 * and a value it cannot convert would become NULL without a word: a ticket with `status: "open"` would be
 * stored as a ticket without a status. So a value is accepted only when its conversion is lossless (the
 * safe coercions: numbers sent as numeric strings, booleans as 0/1 or "true"/"false", numbers in text
 * fields), and a record with any other value is left out whole and named in the entity's note, with
 * the field and what the field allows.
 */

/** A record left out of the store, and why. */
export interface RejectedRecord {
  /** The record's id when it has a usable one. */
  id: number | null;
  /** Operator-readable reason naming the entity and the field (safe to print). */
  reason: string;
}

/** A page's records split into those to store (with their raw JSON, when aligned) and those left out. */
export interface CheckedPage {
  /** Records to store. */
  items: AutotaskRecord[];
  /** Raw JSON of `items`, aligned, when the page had it. */
  raw?: string[];
  /** Records left out. */
  rejected: RejectedRecord[];
}

const INT = /^-?\d{1,15}$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOL = /^(true|false|0|1)$/i;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (v: string, i: number): number => {
  const c = v.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};

/** Whether `v` starts with a real calendar date `YYYY-MM-DD` (29 February only in leap years). */
function isoDateAt(v: string): boolean {
  if (v.length < 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const y = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
  const m = digit(v, 5) * 10 + digit(v, 6);
  const d = digit(v, 8) * 10 + digit(v, 9);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= DAYS[m - 1]!)) return false; // NaN fails every comparison
  return m !== 2 || d < 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

/** Whether `v` (a date first) goes on with a valid `THH:MM:SS`, optional fraction and `Z`, and nothing else. */
function isoTime(v: string): boolean {
  const n = v.length;
  if (n < 19 || (v.charCodeAt(10) !== 84 && v.charCodeAt(10) !== 32) || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return false;
  const h = digit(v, 11) * 10 + digit(v, 12);
  const mi = digit(v, 14) * 10 + digit(v, 15);
  const s = digit(v, 17) * 10 + digit(v, 18);
  if (!(h <= 23 && mi <= 59 && s <= 59)) return false;
  let i = 19;
  if (i < n && v.charCodeAt(i) === 46) {
    i++;
    while (i < n && !Number.isNaN(digit(v, i))) i++;
  }
  // Anything else (an offset) is left to parseInstant.
  return i === n || (i === n - 1 && (v.charCodeAt(i) === 90 || v.charCodeAt(i) === 122));
}

/** What a field of each type allows, for messages. */
const ALLOWED: Record<FieldType, string> = {
  int: 'an integer',
  float: 'a number',
  bool: 'true/false',
  datetime: 'an ISO date-time (UTC)',
  date: 'a date YYYY-MM-DD',
  string: 'text',
};

/** Whether `v` is a value of `type` the store converts without loss (null and empty mean "no value"). */
export function fieldValueOk(type: FieldType, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (type) {
    case 'int':
      return typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && (v === '' || INT.test(v.trim()));
    case 'float':
      return typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && (v === '' || FLOAT.test(v.trim()));
    case 'bool':
      return typeof v === 'boolean' || v === 0 || v === 1 || (typeof v === 'string' && (v === '' || BOOL.test(v)));
    case 'datetime':
      // The usual `YYYY-MM-DDTHH:MM:SS…` is checked by character (every row of every page comes here).
      // An offset (`+02:00`) is left to parseInstant, but the calendar date must be real: Date.parse would
      // turn 2023-02-29 into 1 March without a word.
      return typeof v === 'string' && (v === '' || (isoDateAt(v) && (v.length === 10 || isoTime(v) || parseInstant(v) !== null)));
    case 'date':
      return typeof v === 'string' && (v === '' || (isoDateAt(v) && (v.length === 10 || v.charCodeAt(10) === 84 || v.charCodeAt(10) === 32)));
    case 'string':
      return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  }
}

/** A short, printable rendering of a bad value for a message. */
function shown(v: unknown): string {
  const t = Array.isArray(v) ? 'array' : typeof v;
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = printable(s);
  return `${t} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

/** Splits a page's records (already in our field spelling) into those to store and those left out. */
export function checkRecords(def: EntityDef, items: readonly AutotaskRecord[], raw?: readonly string[]): CheckedPage {
  let rejected: RejectedRecord[] | null = null;
  let keep: number[] | null = null;
  for (let i = 0; i < items.length; i++) {
    const reason = recordProblem(def, items[i]);
    if (reason === null) {
      keep?.push(i);
      continue;
    }
    if (!keep) keep = Array.from({ length: i }, (_, k) => k);
    (rejected ??= []).push({ id: recordId((items[i] as { id?: unknown } | null)?.id), reason });
  }
  // The common case: every record fits, and the page goes on untouched (no copy on the hot path).
  if (!keep) return { items: items as AutotaskRecord[], ...(raw ? { raw: raw as string[] } : {}), rejected: [] };
  return {
    items: keep.map((i) => items[i]!),
    ...(raw && raw.length === items.length ? { raw: keep.map((i) => raw[i]!) } : {}),
    rejected: rejected!,
  };
}

/** Why a record cannot be stored, or null when it can. */
function recordProblem(def: EntityDef, r: unknown): string | null {
  const label = def.name;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return `${label}: a record that is not an object (${shown(r)})`;
  const rec = r as Record<string, unknown>;
  const id = recordId(rec.id);
  if (id === null) {
    return rec.id === undefined || rec.id === null
      ? `${label}: a record without an id`
      : `${label}: field id is ${shown(rec.id)}, allowed: an integer ≥ 0`;
  }
  for (const f of def.fields) {
    if (f.name === 'id') continue;
    const v = rec[f.name];
    if (!fieldValueOk(f.type, v)) return `${label} id ${id}: field ${f.name} is ${shown(v)}, allowed: ${ALLOWED[f.type]}`;
  }
  return null;
}

/** A note on the records left out of an entity (the first few named). */
export function rejectionNote(def: EntityDef, rejected: readonly RejectedRecord[]): string {
  const first = rejected.slice(0, 3).map((r) => r.reason).join('; ');
  const more = rejected.length > 3 ? `; and ${rejected.length - 3} more` : '';
  return `${rejected.length} ${def.name} record${rejected.length === 1 ? '' : 's'} not stored (malformed in Autotask's answer): ${first}${more}`;
}
